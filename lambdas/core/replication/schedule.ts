import { errorMessage } from '../errors';
import { parseHarborCron, previousFire } from '../harbor/cron';
import type { ReplicationPolicy } from '../model';
import type { ReplicationExecution } from '../ports';
import type { PolicyHealth } from '../report/schema';
import { startMs } from './execution';

/** A schedule gets this long to show its execution before it counts as missed. */
const SCHEDULE_GRACE_MS = 5 * 60_000;

/**
 * A scheduled policy whose latest scheduled execution is older than the schedule's latest
 * fire time (with a grace period) has a schedule that silently stopped.
 */
export function scheduleProblems(
  policy: ReplicationPolicy,
  lastScheduled: ReplicationExecution | undefined,
  now: Date
): PolicyHealth['problems'] {
  if (!policy.enabled || policy.trigger.type !== 'scheduled') return [];
  const expression = policy.trigger.cron ?? '';
  let fire: Date | undefined;
  try {
    fire = previousFire(
      parseHarborCron(expression),
      new Date(now.getTime() - SCHEDULE_GRACE_MS)
    );
  } catch (err) {
    return [
      {
        kind: 'unreadable',
        message: `its schedule "${expression}" cannot be evaluated: ${errorMessage(err)}`,
      },
    ];
  }
  if (!fire) return [];
  // A policy created or changed after that fire time had no chance to run at it.
  const changed = Date.parse(policy.updateTime ?? policy.creationTime ?? '');
  if (!Number.isNaN(changed) && changed > fire.getTime()) return [];
  const last = lastScheduled ? startMs(lastScheduled) : undefined;
  // Harbor starts a scheduled execution within seconds of the fire time.
  if (last !== undefined && last >= fire.getTime() - 60_000) return [];
  return [
    {
      kind: 'schedule-stale',
      ...(lastScheduled ? { executionId: lastScheduled.id } : {}),
      message: `its schedule "${expression}" should have run at ${fire.toISOString()}, but the latest scheduled execution ${lastScheduled ? `started at ${lastScheduled.startTime ?? '?'}` : 'is not listed'}: the schedule may have stopped`,
    },
  ];
}

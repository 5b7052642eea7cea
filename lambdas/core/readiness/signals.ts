/**
 * What a target's audit says ahead of its findings: failing, stuck, overdue and disabled
 * policies, and executions or schedules that will make the exposure grow.
 */
import type { TargetReport } from '../report/schema';
import type { ReplicationSignals } from './checks';

/**
 * The replication health data of a target's audit (issue 5: `replication.health`); null in
 * reports written before health checks existed.
 */
function healthData(
  t: TargetReport
): NonNullable<TargetReport['replication']['health']> | null {
  return t.replication.health ?? null;
}

/** Failing, stuck, overdue and disabled policies; null without health data. */
export function replicationSignals(t: TargetReport): ReplicationSignals | null {
  const data = healthData(t);
  if (data === null) return null;
  const withProblem = (...kinds: string[]): string[] =>
    data
      .filter((p) => p.problems.some((x) => kinds.includes(x.kind)))
      .map((p) => p.policyName);
  if (withProblem('unreadable').length > 0) return null;
  return {
    failing: withProblem('failed', 'stopped', 'empty-success'),
    stuck: withProblem('stuck'),
    overdue: withProblem('schedule-stale'),
    disabled: withProblem('disabled'),
    policies: data.length,
  };
}

/** Executions in progress (their age) and schedules that stopped, per policy. */
export function leadingIndicators(
  t: TargetReport,
  now: Date
): NonNullable<TargetReport['rpo']['indicators']> {
  const data = healthData(t) ?? [];
  const out: NonNullable<TargetReport['rpo']['indicators']> = [];
  for (const p of data) {
    const latest = p.latestExecution;
    if (latest?.status === 'InProgress' && latest.startTime) {
      const seconds = Math.max(
        0,
        (now.getTime() - Date.parse(latest.startTime)) / 1000
      );
      if (Number.isFinite(seconds)) {
        out.push({
          policy: p.policyName,
          kind: 'in-progress',
          seconds,
          late: seconds > t.rpo.objectiveSeconds,
        });
      }
    }
    const stale = p.problems.find((x) => x.kind === 'schedule-stale');
    if (stale) {
      const last = latest?.endTime ?? latest?.startTime;
      out.push({
        policy: p.policyName,
        kind: 'schedule-stale',
        seconds:
          last === undefined
            ? null
            : Math.max(0, (now.getTime() - Date.parse(last)) / 1000),
        late: true,
        detail: stale.message,
      });
    }
  }
  return out;
}

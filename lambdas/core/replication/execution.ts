import type { ReplicationExecution } from '../ports';

const SINGLE_ACTIVE_SKIP =
  /execution skipped: active replication still in progress/i;

/**
 * An execution single_active_replication marked Failed because another one was running:
 * nothing ran, so it is neither a failure nor the policy's latest execution.
 */
export function isSkip(e: ReplicationExecution): boolean {
  return e.status === 'Failed' && SINGLE_ACTIVE_SKIP.test(e.statusText);
}

/** The start time in epoch milliseconds, undefined when Harbor sent none. */
export function startMs(e: ReplicationExecution): number | undefined {
  if (e.startTime === undefined) return undefined;
  const ms = Date.parse(e.startTime);
  return Number.isNaN(ms) ? undefined : ms;
}

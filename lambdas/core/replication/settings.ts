import type { RetriggerSettings } from './retrigger';

/** The `retrigger` section of the config, as the health check and the act step use it. */
export interface ReplicationSettings extends RetriggerSettings {
  /** After a start, wait (within the deadline) and observe the policy's refs again. */
  verify: boolean;
  /** An execution InProgress for longer is reported as stuck. */
  stuckAfterMinutes: number;
  /** Stop executions InProgress for longer than this; unset = never stop. */
  stopStuckAfterMinutes?: number;
  /** The look-back window; unset = since the previous audit (24 h when there is none). */
  lookbackHours?: number;
  /** Between two reads of a started execution (verify). @default 5000 */
  pollIntervalMs?: number;
  /**
   * Set when the run must not act, with why (its run lease could not be checked): every
   * start and stop decided is reported not sent, with this reason.
   */
  held?: string;
}

/**
 * The CLI's exit codes, one per outcome, so that scripts and schedulers can branch on them.
 * Documented in the README; never renumber.
 */
export const EXIT = {
  /** Everything seen is in sync / ready / valid. */
  OK: 0,
  /** The run completed and found problems (findings, DEGRADED or NOT_READY). */
  PROBLEMS: 1,
  /** The run could not see everything it counts (UNKNOWN): no green can be given. */
  INCOMPLETE: 2,
  /** Bad command line or configuration: nothing ran. */
  USAGE: 3,
  /** An unexpected internal failure. */
  INTERNAL: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

import type { FindingCounts, Verdict } from '../report/schema';
import type { CheckItem } from './checklist';

/** Everything the audit verdict of one target depends on. */
export interface AuditVerdictInput {
  counts: FindingCounts;
  /** Scopes that could not be seen (listing failures, shards cut by the deadline...). */
  unseenScopes: number;
  /** Exposure in seconds (null when it could not be computed). */
  exposureSeconds: number | null;
  objectiveSeconds: number;
  /** Policies that Harbor cannot run (flattening or filter errors): they replicate nothing. */
  policyErrors?: number;
}

/**
 * The audit verdict of one target. UNKNOWN whenever anything counted could not be seen, so
 * that READY always means "every expected artifact was seen, with the right digest";
 * NOT_READY when unsynced changes are older than the RPO objective; DEGRADED for any other
 * difference.
 */
export function auditVerdict(input: AuditVerdictInput): Verdict {
  const { counts } = input;
  const problems =
    counts.missing +
    counts.mismatched +
    counts.orphaned +
    (input.policyErrors ?? 0);
  if (
    problems > 0 &&
    input.exposureSeconds !== null &&
    input.exposureSeconds > input.objectiveSeconds
  ) {
    return 'NOT_READY';
  }
  if (counts.unknown > 0 || input.unseenScopes > 0) return 'UNKNOWN';
  if (problems > 0) return 'DEGRADED';
  return 'READY';
}

const SEVERITY: Record<Verdict, number> = {
  READY: 0,
  DEGRADED: 1,
  UNKNOWN: 2,
  NOT_READY: 3,
};

/**
 * The run's verdict: the worst of its targets. NOT_READY outranks UNKNOWN (a known failure
 * is already actionable), and UNKNOWN outranks DEGRADED and READY (never a false green).
 */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  let worst: Verdict = 'READY';
  for (const v of verdicts) if (SEVERITY[v] > SEVERITY[worst]) worst = v;
  return worst;
}

/**
 * The verdict of a checklist: NOT_READY on any fail; UNKNOWN when a required item could not
 * be seen (never a false green); DEGRADED on any warn; READY when every item passed.
 */
export function readinessVerdict(items: readonly CheckItem[]): Verdict {
  if (items.some((i) => i.status === 'fail')) return 'NOT_READY';
  if (items.some((i) => i.status === 'unknown' && i.required)) return 'UNKNOWN';
  if (items.some((i) => i.status === 'warn')) return 'DEGRADED';
  return 'READY';
}

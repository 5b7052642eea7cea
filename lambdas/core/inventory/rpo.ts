import { FINDING_STATES } from '../findings';
import type { Finding } from '../report/schema';

/** Current exposure of a target: how old the oldest change is that has not arrived. */
export interface Exposure {
  /**
   * now − the oldest source push time among unsynced refs; 0 when every expected ref was
   * seen and arrived; null when it cannot be known: refs went unseen (unknown findings,
   * scopes not audited) or unsynced refs carry no push time. Never 0 for what was not seen.
   */
  seconds: number | null;
  /**
   * What the refs that were seen prove: now − the oldest push among the unsynced refs seen
   * (0 when none). Equal to `seconds` when that is known; a lower bound otherwise, so that
   * a known breach of the objective stays a breach when other refs went unseen.
   */
  atLeastSeconds: number;
  oldestUnsyncedPushTime: string | null;
  /** Unsynced refs without a source push time (their age is unknown). */
  undated: number;
  /** Refs or scopes that could not be seen: unknown findings plus `unseenScopes`. */
  unseen: number;
}

/**
 * Exposure of a target from its findings (harbor-semantics §5.8).
 * @param unseenScopes scopes of the target that could not be seen at all (listing
 *   failures, shards not audited): the refs in them are unseen though no finding says so
 */
export function estimateExposure(
  findings: readonly Finding[],
  now: Date,
  unseenScopes = 0
): Exposure {
  let oldest: number | null = null;
  let oldestIso: string | null = null;
  let undated = 0;
  let unseen = unseenScopes;
  for (const f of findings) {
    const rule = FINDING_STATES[f.state];
    if (rule.bucket === 'unknown') unseen++;
    if (!rule.unsynced) continue;
    const pushed = f.source?.pushTime ? Date.parse(f.source.pushTime) : NaN;
    if (Number.isNaN(pushed)) {
      undated++;
      continue;
    }
    if (oldest === null || pushed < oldest) {
      oldest = pushed;
      oldestIso = f.source?.pushTime ?? null;
    }
  }
  const atLeastSeconds =
    oldest === null ? 0 : Math.max(0, (now.getTime() - oldest) / 1000);
  const known = unseen === 0 && undated === 0;
  return {
    seconds: known ? atLeastSeconds : null,
    atLeastSeconds,
    oldestUnsyncedPushTime: oldestIso,
    undated,
    unseen,
  };
}

/** p50, p95 and max of replication delays in seconds; nulls when there are none. */
export function delayDistribution(delays: readonly number[]): {
  p50: number | null;
  p95: number | null;
  max: number | null;
} {
  if (delays.length === 0) return { p50: null, p95: null, max: null };
  const sorted = [...delays].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted[sorted.length - 1] ?? null,
  };
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
}

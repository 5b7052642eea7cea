import { FINDING_STATES } from '../findings';
import type { Finding } from '../report/schema';

/** Current exposure of a target: how old the oldest change is that has not arrived. */
export interface Exposure {
  /**
   * now − the oldest source push time among unsynced refs; 0 when all arrived; null when
   * refs are unsynced but none carries a push time (the age is unknown, not zero).
   */
  seconds: number | null;
  oldestUnsyncedPushTime: string | null;
  /** Unsynced refs without a source push time (their age is unknown). */
  undated: number;
}

/** Exposure of a target from its findings (harbor-semantics §5.8). */
export function estimateExposure(
  findings: readonly Finding[],
  now: Date
): Exposure {
  let oldest: number | null = null;
  let oldestIso: string | null = null;
  let undated = 0;
  for (const f of findings) {
    if (!FINDING_STATES[f.state].unsynced) continue;
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
  let seconds: number | null = 0;
  if (oldest !== null) seconds = Math.max(0, (now.getTime() - oldest) / 1000);
  else if (undated > 0) seconds = null;
  return { seconds, oldestUnsyncedPushTime: oldestIso, undated };
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

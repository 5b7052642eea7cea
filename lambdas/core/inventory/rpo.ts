import { FINDING_STATES } from '../findings';
import { formatSeconds, plural } from '../report/format';
import type { Finding, ShardStatus, TargetReport } from '../report/schema';

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

/** What says how much of a target could be seen: its scope errors and its shards. */
export interface TargetScopes {
  readonly errors: readonly unknown[];
  readonly shards: readonly Pick<ShardStatus, 'status'>[];
}

/**
 * Scopes of a target that could not be seen at all: its scope errors (a listing that failed,
 * a run-level failure, the target unavailable or not planned) and its shards not fully
 * audited. The refs in them are unseen though no finding says so.
 */
export function unseenScopesOf(t: TargetScopes): number {
  return (
    t.errors.length + t.shards.filter((s) => s.status !== 'audited').length
  );
}

/** The report's rpo fields that state an exposure. */
export type ExposureFields = Pick<
  TargetReport['rpo'],
  'estimateSeconds' | 'estimateAtLeastSeconds' | 'oldestUnsyncedPushTime'
>;

/**
 * The rpo fields of an exposure: the estimate, and when it is unknown the lower bound the
 * seen refs prove (only when positive: a bound of 0 says nothing).
 */
export function exposureFields(e: Exposure): ExposureFields {
  return {
    estimateSeconds: e.seconds,
    ...(e.seconds === null && e.atLeastSeconds > 0
      ? { estimateAtLeastSeconds: e.atLeastSeconds }
      : {}),
    oldestUnsyncedPushTime: e.oldestUnsyncedPushTime,
  };
}

/**
 * The stored lower bound of an rpo (or trend point) to carry along with its estimate: only
 * while the estimate is unknown.
 */
export function boundOf(rpo: {
  estimateSeconds: number | null;
  estimateAtLeastSeconds?: number | undefined;
}): { estimateAtLeastSeconds?: number } {
  return rpo.estimateSeconds === null &&
    rpo.estimateAtLeastSeconds !== undefined
    ? { estimateAtLeastSeconds: rpo.estimateAtLeastSeconds }
    : {};
}

/** What a target's report says of its exposure. */
export type ExposureReport = Pick<
  TargetReport,
  'rpo' | 'counts' | 'shards' | 'errors' | 'findings'
>;

/**
 * Why a target's exposure is unknown, or only a lower bound: refs and scopes that could not
 * be seen (`2 refs and 1 scope could not be seen`), unsynced refs without a push time.
 */
export function exposureUnknownWhy(t: ExposureReport): string {
  const scopes = unseenScopesOf(t);
  const unseen = [
    t.counts.unknown > 0 ? plural(t.counts.unknown, 'ref') : '',
    scopes > 0 ? plural(scopes, 'scope') : '',
  ].filter((p) => p !== '');
  const undated = t.findings.filter(
    (f) => FINDING_STATES[f.state].unsynced && !f.source?.pushTime
  ).length;
  const parts = [
    unseen.length > 0 ? `${unseen.join(' and ')} could not be seen` : '',
    undated === 1 ? '1 unsynced ref carries no push time' : '',
    undated > 1 ? `${undated.toString()} unsynced refs carry no push time` : '',
  ].filter((p) => p !== '');
  return parts.length > 0
    ? parts.join('; ')
    : 'unsynced refs carry no push time';
}

/** A target's exposure as its report states it. */
export type StatedExposure =
  | { kind: 'known'; seconds: number }
  /** Unknown, but at least `seconds` (what the refs seen prove), for the reason `why`. */
  | { kind: 'at-least'; seconds: number; why: string }
  | { kind: 'unknown'; why: string };

/** The exposure a target's report states: the estimate, else its lower bound, else unknown. */
export function statedExposure(t: ExposureReport): StatedExposure {
  const { estimateSeconds, estimateAtLeastSeconds } = t.rpo;
  if (estimateSeconds !== null)
    return { kind: 'known', seconds: estimateSeconds };
  const why = exposureUnknownWhy(t);
  return estimateAtLeastSeconds !== undefined && estimateAtLeastSeconds > 0
    ? { kind: 'at-least', seconds: estimateAtLeastSeconds, why }
    : { kind: 'unknown', why };
}

/**
 * The seconds a target's exposure is known to reach: the estimate, or its lower bound when
 * the estimate is unknown; null when nothing is known. What decides a breach.
 */
export function provenExposureSeconds(t: ExposureReport): number | null {
  const e = statedExposure(t);
  return e.kind === 'unknown' ? null : e.seconds;
}

/** `1h 25m`; `≥ 1h 25m` for a lower bound; `—` when unknown. */
export function formatExposure(e: StatedExposure): string {
  if (e.kind === 'unknown') return formatSeconds(null);
  return e.kind === 'at-least'
    ? `≥ ${formatSeconds(e.seconds)}`
    : formatSeconds(e.seconds);
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

/**
 * What earlier runs tell about a target (pure): the RPO trend, first-seen replication delays
 * on plain registries (which keep no push times), and the newest complete audit.
 */
import { boundOf } from './rpo';
import type {
  Finding,
  Report,
  TargetReport,
  TrendPoint,
} from '../report/schema';

/** At most this many earlier runs make the trend. */
const TREND_LENGTH = 20;

/**
 * The RPO trend of a target: earlier runs (any kind, oldest first, one point per run id)
 * followed by the current run.
 */
export function rpoTrend(
  history: readonly Report[],
  target: string,
  current: TrendPoint
): TrendPoint[] {
  const seen = new Set<string>([current.runId]);
  const points: TrendPoint[] = [];
  for (const report of history) {
    const t = report.targets.find((x) => x.name === target);
    if (!t || seen.has(report.runId)) continue;
    seen.add(report.runId);
    points.push({
      runId: report.runId,
      kind: report.kind,
      at: report.startedAt,
      verdict: t.verdict,
      estimateSeconds: t.rpo.estimateSeconds,
      ...boundOf(t.rpo),
      p95DelaySeconds: t.rpo.p95DelaySeconds,
    });
  }
  points.sort((a, b) => a.at.localeCompare(b.at));
  return [...points.slice(-TREND_LENGTH), current];
}

/** A target as an earlier run saw it. */
export interface EarlierObservation {
  startedAt: string;
  target: TargetReport;
}

/** The newest earlier run that saw this target (reports newest first). */
export function previousObservation(
  history: readonly Report[] | undefined,
  target: string
): EarlierObservation | undefined {
  for (const report of history ?? []) {
    const t = report.targets.find((x) => x.name === target);
    if (t) return { startedAt: report.startedAt, target: t };
  }
  return undefined;
}

/**
 * Replication delays on a plain registry, from first-seen times across runs. A registry keeps
 * no push time, so a ref is first seen by the first run that finds it synced; its delay is
 * that run's time minus the source push time (an upper bound, as fine as the run interval).
 * A synced ref counts when the previous run did not see it synced: it was listed there as
 * not (correctly) arrived, or it was pushed after that run started. Without a previous run
 * nothing can be dated.
 */
export function firstSeenDelays(
  findings: readonly Finding[],
  previous: EarlierObservation | undefined,
  observedAt: Date
): number[] {
  if (!previous) return [];
  const before = Date.parse(previous.startedAt);
  const notArrived = new Set(
    previous.target.findings
      .filter((f) => f.state !== 'unexpected' && f.state !== 'orphaned')
      .map((f) => refKey(f.repository, f.reference, f.expectedDigest))
  );
  const delays: number[] = [];
  for (const f of findings) {
    if (f.state !== 'synced' || !f.source?.pushTime) continue;
    const pushed = Date.parse(f.source.pushTime);
    if (Number.isNaN(pushed)) continue;
    const firstSeenNow =
      pushed > before ||
      notArrived.has(refKey(f.repository, f.reference, f.expectedDigest));
    if (!firstSeenNow) continue;
    delays.push(Math.max(0, (observedAt.getTime() - pushed) / 1000));
  }
  return delays;
}

function refKey(
  repository: string,
  reference: string,
  digest: string | undefined
): string {
  return `${repository}\u0000${reference}\u0000${digest ?? ''}`;
}

/**
 * The newest complete audit of a target among earlier reports (newest first): one that saw
 * every scope of that target and had no run-level error.
 */
export function lastCompleteAudit(
  history: readonly Report[],
  target: string
): { runId: string; finishedAt: string } | null {
  for (const report of history) {
    if (report.kind !== 'audit' || report.errors.length > 0) continue;
    const t = report.targets.find((x) => x.name === target);
    if (!t) continue;
    const complete =
      t.errors.length === 0 &&
      t.counts.unknown === 0 &&
      t.shards.every((s) => s.status === 'audited');
    if (complete) return { runId: report.runId, finishedAt: report.finishedAt };
  }
  return null;
}

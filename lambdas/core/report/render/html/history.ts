/**
 * What the HTML report charts of earlier runs: a few numbers per run and target, small enough
 * to read the last runs of a store without holding their reports.
 */
import { boundOf } from '../../../inventory/rpo';
import type { Report, Verdict } from '../../schema';

/** One earlier run, as the history charts show it. */
export interface RunSummary {
  runId: string;
  kind: Report['kind'];
  startedAt: string;
  verdict: Verdict;
  targets: {
    name: string;
    verdict: Verdict;
    /** Exposure (RPO estimate); null when it could not be told. */
    estimateSeconds: number | null;
    /** When the estimate is unknown: the lower bound the refs seen prove, if positive. */
    estimateAtLeastSeconds?: number;
    missing: number;
    mismatched: number;
    unknown: number;
  }[];
}

/** The summary of a run (pure). */
export function summarizeRun(report: Report): RunSummary {
  return {
    runId: report.runId,
    kind: report.kind,
    startedAt: report.startedAt,
    verdict: report.verdict,
    targets: report.targets.map((t) => ({
      name: t.name,
      verdict: t.verdict,
      estimateSeconds: t.rpo.estimateSeconds,
      ...boundOf(t.rpo),
      missing: t.counts.missing,
      mismatched: t.counts.mismatched,
      unknown: t.counts.unknown,
    })),
  };
}

/** Earlier runs the HTML report charts, besides the run itself: at least 30 as issue 16 asks. */
export const HTML_HISTORY_RUNS = 30;

/**
 * The runs a chart shows, oldest first, ending with the report's own run: earlier summaries
 * (any order, duplicates and later runs dropped), at most {@link HTML_HISTORY_RUNS} of them.
 */
export function chartRuns(
  report: Report,
  history: readonly RunSummary[]
): RunSummary[] {
  const seen = new Set<string>([report.runId]);
  const earlier = history
    .filter((r) => {
      const later =
        r.startedAt > report.startedAt ||
        (r.startedAt === report.startedAt && r.runId > report.runId);
      if (later) return false;
      if (seen.has(r.runId)) return false;
      seen.add(r.runId);
      return true;
    })
    .sort((a, b) =>
      a.startedAt === b.startedAt
        ? a.runId.localeCompare(b.runId)
        : a.startedAt.localeCompare(b.startedAt)
    );
  return [...earlier.slice(-HTML_HISTORY_RUNS), summarizeRun(report)];
}

import type { JobResult } from '../use-cases/job';

/** What a handler returns: small, and where the full report is. */
export interface RunSummary {
  runId: string;
  kind: 'audit' | 'readiness';
  verdict: string;
  targets: {
    name: string;
    verdict: string;
    missing: number;
    mismatched: number;
    unknown: number;
  }[];
  report: string;
  humanReport: string;
  notified: boolean;
}

/** The summary of a job's result. */
export function summarize(result: JobResult): RunSummary {
  const { report, locations } = result;
  return {
    runId: report.runId,
    kind: report.kind,
    verdict: report.verdict,
    targets: report.targets.map((t) => ({
      name: t.name,
      verdict: t.verdict,
      missing: t.counts.missing,
      mismatched: t.counts.mismatched,
      unknown: t.counts.unknown,
    })),
    report: locations.json,
    humanReport: locations.human,
    notified: result.notified,
  };
}

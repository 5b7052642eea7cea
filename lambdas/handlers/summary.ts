import type { JobResult, RunSkippedError } from '../use-cases/job';

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

/** What a handler returns when its run yielded to another holding the run lease. */
export interface SkippedRunSummary {
  /** The run that yielded (it wrote no report and sent nothing). */
  runId: string;
  kind: 'audit' | 'readiness';
  skipped: true;
  /** `skipped: another run <id> (<kind>, started at ...) holds the lease until ...` */
  message: string;
  /** The run holding the lease. */
  holder: { runId: string; kind: string; startedAt: string; expiresAt: string };
}

/** The summary of a run that yielded the lease. */
export function summarizeSkipped(
  kind: 'audit' | 'readiness',
  err: RunSkippedError
): SkippedRunSummary {
  return {
    runId: err.runId,
    kind,
    skipped: true,
    message: err.message,
    holder: { ...err.holder },
  };
}

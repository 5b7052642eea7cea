import type { Report, ReportKind } from './schema';

/** Object keys of one report, as the design's storage layout fixes them. */
export interface ReportKeys {
  json: string;
  human: string;
  latest: string;
}

/**
 * `reports/<kind>/<yyyy>/<mm>/<dd>/<runId>.json`, the human report beside it, and
 * `reports/<kind>/latest.json` (written last, so that it never points at a missing report).
 * The date is the run's start, in UTC.
 */
export function reportKeys(
  report: Pick<Report, 'kind' | 'runId' | 'startedAt'>,
  prefix = 'reports'
): ReportKeys {
  const [yyyy, mm, dd] = report.startedAt.slice(0, 10).split('-');
  const dir = `${withPrefix(prefix, report.kind)}/${yyyy}/${mm}/${dd}`;
  return {
    json: `${dir}/${report.runId}.json`,
    human: `${dir}/${report.runId}.md`,
    latest: latestKey(report.kind, prefix),
  };
}

/** Where the newest report of a kind is kept. */
export function latestKey(kind: ReportKind, prefix = 'reports'): string {
  return `${withPrefix(prefix, kind)}/latest.json`;
}

function withPrefix(prefix: string, kind: ReportKind): string {
  return prefix === '' ? kind : `${prefix}/${kind}`;
}

/**
 * A sortable, unique run id: the start time (UTC, to the millisecond) and a random suffix,
 * so that lexical order is chronological order.
 */
export function makeRunId(startedAt: Date, random: string): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${random}`;
}

import type { Report, ReportKind } from './schema';

/** Object keys of one report, as the design's storage layout fixes them. */
export interface ReportKeys {
  json: string;
  /** The Markdown report. */
  human: string;
  /** The HTML report (render/html.ts). */
  html: string;
  /** `latest.json`: written LAST, so that it never points at a report that is not there. */
  latest: string;
  /** `latest.md` and `latest.html`: copies of the newest run's, written before `latest.json`. */
  latestHuman: string;
  latestHtml: string;
}

/**
 * `reports/<kind>/<yyyy>/<mm>/<dd>/<runId>.json`, the Markdown (`.md`) and HTML (`.html`)
 * reports beside it, and `reports/<kind>/latest.{md,html,json}` (latest.json written last, so
 * that it never points at a missing report). The date is the run's start, in UTC.
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
    html: `${dir}/${report.runId}.html`,
    latest: latestKey(report.kind, prefix),
    latestHuman: latestKey(report.kind, prefix, 'md'),
    latestHtml: latestKey(report.kind, prefix, 'html'),
  };
}

/** Where the newest report of a kind is kept (its JSON, unless another format is asked). */
export function latestKey(
  kind: ReportKind,
  prefix = 'reports',
  format: 'json' | 'md' | 'html' = 'json'
): string {
  return `${withPrefix(prefix, kind)}/latest.${format}`;
}

/**
 * The JSON key of a run of a kind, from its run id (which starts with its UTC start time, as
 * {@link makeRunId} writes it); null when `runId` is not a run id (it never names a path).
 */
export function jsonKeyOfRun(
  kind: ReportKind,
  runId: string,
  prefix = 'reports'
): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})T[0-9A-Za-z_-]+$/.exec(runId);
  if (!m) return null;
  return `${withPrefix(prefix, kind)}/${m[1]}/${m[2]}/${m[3]}/${runId}.json`;
}

/** The run id of a report's JSON key or path (`…/<runId>.json`), or null for other keys. */
export function runIdOfKey(key: string): string | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (!name.endsWith('.json') || name === 'latest.json') return null;
  return name.slice(0, -'.json'.length);
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

/**
 * What the report stores (S3, a local directory) share beyond the key layout: the objects of
 * a report and the order they are written in, how the history of a kind is picked from a
 * listing and read, and how lease markers are written and read. Each store only writes,
 * lists and reads text its own way.
 */
import type { RenderedReport, ReportLocations } from '../../core/ports';
import {
  claimIdOf,
  claimIdOfLeaseKey,
  leaseKey,
  parseLeaseMarker,
  type LeaseMarker,
} from '../../core/report/lease';
import { reportSchema, type Report } from '../../core/report/schema';
import { reportKeys, runIdOfKey } from '../../core/report/layout';

/** Writes an object's text (its content type for stores that keep one). */
export type WriteText = (
  key: string,
  text: string,
  contentType: string
) => Promise<void>;

const JSON_TYPE = 'application/json';
const MARKDOWN_TYPE = 'text/markdown; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

/**
 * Validates the report and writes its JSON, Markdown and HTML, then `latest.md`,
 * `latest.html` and `latest.json` last, one after the other: latest.json never points at a
 * report that is not there (a failed write leaves it as it was).
 * @param locate where a key is, as the store names it (an s3:// URI, a path)
 * @throws what `write` throws; a ZodError when the report does not fit its schema
 */
export async function saveReport(
  report: Report,
  rendered: RenderedReport,
  prefix: string,
  write: WriteText,
  locate: (key: string) => string
): Promise<ReportLocations> {
  const valid = reportSchema.parse(report);
  const keys = reportKeys(valid, prefix);
  const json = `${JSON.stringify(valid, null, 2)}\n`;
  await write(keys.json, json, JSON_TYPE);
  await write(keys.human, rendered.markdown, MARKDOWN_TYPE);
  await write(keys.html, rendered.html, HTML_TYPE);
  await write(keys.latestHuman, rendered.markdown, MARKDOWN_TYPE);
  await write(keys.latestHtml, rendered.html, HTML_TYPE);
  await write(keys.latest, json, JSON_TYPE);
  return {
    json: locate(keys.json),
    human: locate(keys.human),
    html: locate(keys.html),
    latest: locate(keys.latest),
  };
}

/** Writes a lease marker under its claim id (`<prefix>/runs-active/<claimId>.json`). */
export function writeMarker(
  marker: LeaseMarker,
  prefix: string,
  write: WriteText
): Promise<void> {
  return write(
    leaseKey(claimIdOf(marker), prefix),
    `${JSON.stringify(marker)}\n`,
    JSON_TYPE
  );
}

/** Reads a stored object's text; null when it no longer exists. */
export type ReadText = (key: string) => Promise<string | null>;

/** The JSON in a text, or undefined when it is not JSON (never the parser's message). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The report in a stored object; null when it is gone or not a valid report. */
export async function readReport(
  read: ReadText,
  key: string
): Promise<Report | null> {
  const text = await read(key);
  if (text === null) return null;
  const parsed = reportSchema.safeParse(parseJson(text));
  return parsed.success ? parsed.data : null;
}

/**
 * The newest `limit` reports among the listed keys of a kind's folder (older than run
 * `before` when given), newest first. A report that cannot be parsed, or that vanished
 * between listing and reading, is skipped: trends degrade, the run does not.
 */
export async function newestReports(
  keys: readonly string[],
  limit: number,
  before: string | undefined,
  read: ReadText
): Promise<Report[]> {
  if (limit <= 0) return [];
  const runs = keys
    .map((key) => ({ key, runId: runIdOfKey(key) }))
    .filter(
      (k): k is { key: string; runId: string } =>
        k.runId !== null && (before === undefined || k.runId < before)
    );
  // Run ids start with the UTC start time, so the newest sort last.
  runs.sort((a, b) => (a.runId < b.runId ? 1 : -1));
  const reports: Report[] = [];
  for (const { key } of runs) {
    if (reports.length >= limit) break;
    const report = await readReport(read, key);
    if (report) reports.push(report);
  }
  return reports;
}

/**
 * The lease markers among the listed keys of the markers' folder: a key that is not a marker
 * (a temporary file, notes), an object that is not one or whose claim id is not its key's,
 * or one that vanished meanwhile (its run released it) is left out.
 */
export async function readMarkers(
  keys: readonly string[],
  read: ReadText
): Promise<LeaseMarker[]> {
  const markers: LeaseMarker[] = [];
  for (const key of keys) {
    const claimId = claimIdOfLeaseKey(key);
    if (claimId === null) continue;
    const text = await read(key);
    const marker =
      text === null ? null : parseLeaseMarker(parseJson(text), claimId);
    if (marker) markers.push(marker);
  }
  return markers;
}

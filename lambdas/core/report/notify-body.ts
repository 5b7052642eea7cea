/**
 * What a notification says beyond its subject: what changed since the previous run, and
 * where the human report is.
 */
import { worstVerdict } from '../readiness/verdict';
import { plainText } from './format';
import type { FindingCounts, Report, TargetReport, Verdict } from './schema';

/** The counts that make a change: problems. `expected` and `synced` move with every push. */
export const PROBLEM_COUNTS = [
  'missing',
  'mismatched',
  'orphaned',
  'unknown',
] as const satisfies readonly (keyof FindingCounts)[];

/** How one target's outcome moved between two runs. */
export interface TargetChange {
  target: string;
  /** Absent: the target was not in that run. */
  before?: { verdict: Verdict; counts: FindingCounts };
  after?: { verdict: Verdict; counts: FindingCounts };
}

function outcome(t: TargetReport): string {
  return [t.verdict, ...PROBLEM_COUNTS.map((k) => t.counts[k])].join(' ');
}

/**
 * What this run is compared with: for each of its targets, that target in the newest earlier
 * report that has it (a run of some targets, `--target` or an on-demand event, is then no
 * change for the others, and the next full run compares each target with its own last
 * outcome, not with the partial run's absence of it). The verdict is the worst of those
 * targets', as a run's is. Targets no longer audited are not compared: they are no change.
 * @param earlier reports of the same kind, newest first
 * @returns undefined when no earlier report has any of this run's targets
 */
export function previousOutcome(
  report: Report,
  earlier: readonly Report[]
): Report | undefined {
  const targets: TargetReport[] = [];
  let newest: Report | undefined;
  for (const t of report.targets) {
    const source = earlier.find((r) =>
      r.targets.some((e) => e.name === t.name)
    );
    const before = source?.targets.find((e) => e.name === t.name);
    if (!source || !before) continue;
    targets.push(before);
    if (!newest || source.startedAt > newest.startedAt) newest = source;
  }
  if (!newest) return undefined;
  return {
    ...newest,
    targets,
    verdict: worstVerdict(targets.map((t) => t.verdict)),
  };
}

/**
 * The targets whose verdict or problem counts (missing, mismatched, orphaned, unknown)
 * differ from the previous run, and those in only one of the two runs, in this run's order.
 * The expected total and the synced count are not compared: they move with every push.
 */
export function targetChanges(
  report: Report,
  previous: Report
): TargetChange[] {
  const before = new Map(previous.targets.map((t) => [t.name, t]));
  const changes: TargetChange[] = [];
  for (const t of report.targets) {
    const b = before.get(t.name);
    before.delete(t.name);
    if (!b || outcome(b) !== outcome(t)) {
      changes.push({
        target: t.name,
        ...(b ? { before: { verdict: b.verdict, counts: b.counts } } : {}),
        after: { verdict: t.verdict, counts: t.counts },
      });
    }
  }
  for (const b of before.values()) {
    changes.push({
      target: b.name,
      before: { verdict: b.verdict, counts: b.counts },
    });
  }
  return changes;
}

/** Whether the run's outcome changed: its verdict, or any target's (see targetChanges). */
export function outcomeChanged(report: Report, previous: Report): boolean {
  return (
    report.verdict !== previous.verdict ||
    targetChanges(report, previous).length > 0
  );
}

/** `cluster-1: DEGRADED -> NOT_READY, missing 1 -> 2`, one line per change. */
export function describeChange(c: TargetChange): string {
  if (!c.before)
    return `${c.target}: new in this run, ${c.after?.verdict ?? ''}`;
  if (!c.after) return `${c.target}: not in this run (was ${c.before.verdict})`;
  const parts = [
    c.before.verdict === c.after.verdict
      ? c.after.verdict
      : `${c.before.verdict} -> ${c.after.verdict}`,
    ...PROBLEM_COUNTS.filter(
      (k) => c.before?.counts[k] !== c.after?.counts[k]
    ).map(
      (k) =>
        `${k} ${String(c.before?.counts[k])} -> ${String(c.after?.counts[k])}`
    ),
  ];
  return `${c.target}: ${parts.join(', ')}`;
}

/** Change lines listed before the rest are counted. */
export const MAX_CHANGES_LISTED = 20;

/** The "what changed" block of a notification's body. */
export function renderChanges(
  report: Report,
  previous: Report | undefined
): string {
  if (!previous) {
    return `Changes: none to show, no earlier ${report.kind} report was read.\n`;
  }
  const since = `since run ${previous.runId} (${previous.startedAt})`;
  const changes = targetChanges(report, previous);
  const run =
    report.verdict === previous.verdict
      ? []
      : [`run: ${previous.verdict} -> ${report.verdict}`];
  if (changes.length === 0 && run.length === 0) {
    return `Changes ${since}: none (same verdicts and problem counts).\n`;
  }
  const lines = [
    ...run,
    ...changes.slice(0, MAX_CHANGES_LISTED).map(describeChange),
  ];
  if (changes.length > MAX_CHANGES_LISTED) {
    lines.push(
      `... and ${(changes.length - MAX_CHANGES_LISTED).toString()} more targets changed (see the report)`
    );
  }
  return `Changes ${since}:\n${lines.map((l) => `  ${plainText(l)}`).join('\n')}\n`;
}

/** Where a run's reports are, as a notification links them. */
export interface ReportLinks {
  /** The human report's location (`s3://bucket/key` or a path). */
  human: string;
  /** The same object in the AWS console, when the store is S3 and the region is known. */
  humanConsoleUrl?: string;
  /** The JSON report's location. */
  json: string;
}

/**
 * The human report a notification links to: the HTML report (history charts, filters; the S3
 * console opens it in the browser as text/html), or the Markdown where no HTML was written.
 */
export function linkedHumanReport(locations: {
  json: string;
  human: string;
  html?: string;
}): string {
  return locations.html ?? locations.human;
}

/**
 * The S3 console page of an `s3://bucket/key` object, or undefined for any other location.
 * @param region the bucket's region; the console's domain follows the partition
 */
export function s3ConsoleUrl(
  location: string,
  region: string,
  partition = 'aws'
): string | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!match) return undefined;
  const [, bucket = '', key = ''] = match;
  const host =
    partition === 'aws-cn'
      ? 'console.amazonaws.cn'
      : partition === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : `${region}.console.aws.amazon.com`;
  return `https://${host}/s3/object/${encodeURIComponent(bucket)}?region=${encodeURIComponent(region)}&prefix=${encodeURIComponent(key)}`;
}

/** The links block of a notification's body. */
export function renderLinks(links: ReportLinks): string {
  return [
    'Report (human):',
    ...(links.humanConsoleUrl ? [`  ${links.humanConsoleUrl}`] : []),
    `  ${links.human}`,
    `Report (JSON): ${links.json}`,
    '',
  ].join('\n');
}

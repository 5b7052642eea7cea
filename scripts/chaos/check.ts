/**
 * The checks of one faulted run against the truth. Each returns sentences naming what broke;
 * an empty list is a pass.
 *
 * Sound by construction: the lab does not change during a campaign, so any scope that the
 * product reports as seen (a target not UNKNOWN, a shard `audited`) must say exactly what the
 * truth says; a scope it reports UNKNOWN must say why. A fault the product rides out (a
 * retried 503) leaves the result equal to the truth and is no finding.
 */
import type {
  Finding,
  Report,
  TargetReport,
  Verdict,
} from '../../lambdas/core/report/schema';

/** Finding states that are problems: hiding one of them is a false green. */
const PROBLEM_STATES = new Set<Finding['state']>([
  'missing',
  'digest-mismatch',
  'index-children-missing',
  'accessory-missing',
  'orphaned',
  'collision',
]);

const GREENNESS: Record<Verdict, number> = {
  READY: 0,
  DEGRADED: 1,
  NOT_READY: 2,
  UNKNOWN: -1,
};

/** What a run's report got wrong. */
export interface ReportCheck {
  /** Seen scopes that hide a problem, claim more synced refs than exist, or read greener. */
  falseGreens: string[];
  /** Seen scopes that say something else the truth does not (a false problem). */
  wrongResults: string[];
  /** UNKNOWN without any reason in the report. */
  unexplained: string[];
}

const projectOf = (repository: string): string =>
  repository.split('/')[0] ?? '';

const refOf = (f: Finding): string => `${f.repository}:${f.reference}`;

const findingKey = (f: Finding): string =>
  `${f.state} ${f.repository}:${f.reference}` +
  (f.expectedDigest ? ` expected ${f.expectedDigest}` : '') +
  (f.observedDigest ? ` observed ${f.observedDigest}` : '');

/** Compares a run's report with the truth's, target by target and shard by shard. */
export function checkReport(report: Report, truth: Report): ReportCheck {
  const out: ReportCheck = {
    falseGreens: [],
    wrongResults: [],
    unexplained: [],
  };
  for (const want of truth.targets) {
    const got = report.targets.find((t) => t.name === want.name);
    if (!got) {
      if (report.verdict !== 'UNKNOWN') {
        out.falseGreens.push(
          `${want.name}: absent from a report whose verdict is ${report.verdict}`
        );
      }
      continue;
    }
    checkTarget(got, want, report, out);
  }
  return out;
}

function checkTarget(
  got: TargetReport,
  want: TargetReport,
  report: Report,
  out: ReportCheck
): void {
  const t = got.name;
  if (got.verdict === 'UNKNOWN') {
    const reasons =
      got.errors.length +
      report.errors.length +
      got.shards.filter((s) => s.status !== 'audited' && s.reason).length +
      got.findings.filter((f) => f.state === 'unknown' && f.detail).length;
    if (reasons === 0) out.unexplained.push(`${t}: UNKNOWN without a reason`);
  } else if (got.verdict !== want.verdict) {
    const greener = GREENNESS[got.verdict] < GREENNESS[want.verdict];
    (greener ? out.falseGreens : out.wrongResults).push(
      `${t}: verdict ${got.verdict}, the truth is ${want.verdict}`
    );
  }

  // More synced refs than the target really holds: some ref was counted synced unseen.
  if (got.counts.synced > want.counts.synced) {
    out.falseGreens.push(
      `${t}: ${got.counts.synced.toString()} refs counted synced, ${want.counts.synced.toString()} really are`
    );
  }
  if (got.verdict !== 'UNKNOWN') {
    // Everything was claimed seen: every count must be the truth's.
    for (const k of [
      'expected',
      'missing',
      'mismatched',
      'orphaned',
      'unknown',
    ] as const) {
      if (got.counts[k] === want.counts[k]) continue;
      const hidden = k === 'unknown' ? false : got.counts[k] < want.counts[k];
      (hidden ? out.falseGreens : out.wrongResults).push(
        `${t}: ${got.verdict} with counts.${k} ${got.counts[k].toString()}, the truth is ${want.counts[k].toString()}`
      );
    }
  }

  // Shard by shard: what an audited shard lists must be what the truth lists, except where
  // the run declares the ref unseen: an `unknown` finding, or an error whose scope covers it
  // (`<target>` or `<target>/<prefix>`, e.g. a source repository that could not be listed).
  const audited = new Set(
    got.shards.filter((s) => s.status === 'audited').map((s) => s.project)
  );
  for (const s of want.shards) {
    if (
      got.verdict !== 'UNKNOWN' &&
      !got.shards.some((g) => g.project === s.project)
    ) {
      out.falseGreens.push(
        `${t}/${s.project}: shard absent, target reads ${got.verdict}`
      );
    }
  }
  const declaredUnknown = new Set(
    got.findings.filter((f) => f.state === 'unknown').map((f) => refOf(f))
  );
  // Whole-target scopes cover every ref; `<target>/<prefix>` the refs under that prefix.
  const unseenPrefixes = got.errors.flatMap((e) =>
    e.scope === t || e.scope === 'primary' || e.scope === 'policies'
      ? ['']
      : e.scope.startsWith(`${t}/`)
        ? [e.scope.slice(t.length + 1)]
        : []
  );
  const claimed = (f: Finding): boolean =>
    audited.has(projectOf(f.repository)) &&
    !declaredUnknown.has(refOf(f)) &&
    !unseenPrefixes.some(
      (p) => f.repository.startsWith(p) || `${f.repository}/` === p
    );
  const gotByRef = new Map(
    got.findings.filter(claimed).map((f) => [`${f.state} ${refOf(f)}`, f])
  );
  const wantByRef = new Map(
    want.findings.filter(claimed).map((f) => [`${f.state} ${refOf(f)}`, f])
  );
  for (const [key, f] of wantByRef) {
    const g = gotByRef.get(key);
    if (g === undefined) {
      (PROBLEM_STATES.has(f.state) ? out.falseGreens : out.wrongResults).push(
        `${t}/${projectOf(f.repository)} audited without "${findingKey(f)}"`
      );
    } else if (findingKey(g) !== findingKey(f)) {
      out.wrongResults.push(
        `${t}/${projectOf(f.repository)} audited with "${findingKey(g)}", the truth is "${findingKey(f)}"`
      );
    }
  }
  for (const [key, f] of gotByRef) {
    if (wantByRef.has(key) || f.state === 'unknown') continue;
    out.wrongResults.push(
      `${t}/${projectOf(f.repository)} audited with "${findingKey(f)}"${f.detail ? ` (${f.detail})` : ''}, not in the truth`
    );
  }
}

/**
 * Does the run's verdict (and so its exit code) agree with its targets? NOT_READY anywhere is
 * 1; otherwise anything unseen (a target UNKNOWN, a run-level error) is 2; then DEGRADED 1.
 */
export function checkExitCode(report: Report, exitCode: number): string[] {
  const verdicts = report.targets.map((t) => t.verdict);
  const want = verdicts.includes('NOT_READY')
    ? 1
    : verdicts.includes('UNKNOWN') || report.errors.length > 0
      ? 2
      : verdicts.includes('DEGRADED')
        ? 1
        : 0;
  return want === exitCode
    ? []
    : [
        `exit code ${exitCode.toString()} (verdict ${report.verdict}), the targets (${verdicts.join(', ')}${report.errors.length > 0 ? `, ${report.errors.length.toString()} run errors` : ''}) say ${want.toString()}`,
      ];
}

/** Base64 forms a secret may take in a header (`user:password`). */
export function basicForms(username: string, password: string): string[] {
  return [Buffer.from(`${username}:${password}`).toString('base64')];
}

/** Where each secret appears among named texts. */
export function findLeaks(
  secrets: readonly string[],
  haystacks: Readonly<Record<string, string>>
): string[] {
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(haystacks)) {
    for (const s of secrets) {
      if (s.length >= 8 && text.includes(s)) {
        leaks.push(
          `${where} holds a secret (${s.slice(0, 3)}…, ${s.length.toString()} chars)`
        );
      }
    }
  }
  return leaks;
}

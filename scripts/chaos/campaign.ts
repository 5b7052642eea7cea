/**
 * The fault campaign: one lab (started once, seeded once), a fault-injecting proxy in front
 * of each of its Harbors and registries, then N audits through the proxies, each with faults
 * drawn from its own seed, each checked against the truth (truth.ts, check.ts).
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Lab } from '../../lab/index';
import { exitCodeOf } from '../../lambdas/cli/commands/run-job';
import { LocalDirReportStore } from '../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../lambdas/adapters/secrets/credentials';
import { errorMessage } from '../../lambdas/core/errors';
import type { Notification } from '../../lambdas/core/ports';
import { reportSchema, type Report } from '../../lambdas/core/report/schema';
import { summarize } from '../../lambdas/handlers/summary';
import type { HarborDrConfig } from '../../lambdas/shared/config';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { logger } from '../../lambdas/shared/observability';
import { runAuditJob } from '../../lambdas/use-cases/audit-job';
import { basicForms, checkExitCode, checkReport, findLeaks } from './check';
import {
  drawableKinds,
  drawFaults,
  FAULT_KINDS,
  type CatalogEntry,
  type FaultKind,
  type FaultSpec,
} from './faults';
import { ForeignHost } from './foreign';
import { labSecrets, startChaosLab } from './lab';
import { Prng, runSeed } from './prng';
import { ChaosProxy, type ProxyRecord } from './proxy';
import { establishTruth, type Truth } from './truth';

/** The registry the proxy fronts as a token-auth registry. */
const TOKEN_REGISTRY = 'cluster-1';

/** Time a run may take past its deadline to store its report. */
export const DEADLINE_GRACE_MS = 3_000;

/** Options of a campaign. */
export interface CampaignOptions {
  runs: number;
  seed: number;
  /** Replay only these runs (0-based indexes). */
  only?: readonly number[];
  /** One line per run, and setup steps. */
  progress?: (line: string) => void;
  /** Keep the reports of failing runs under this directory. */
  keepDir?: string;
  /** Progress also lists each faulted request and each target's verdict. */
  verbose?: boolean;
  /** Instead of drawing: the faults of run `index` (tests and investigations). */
  chooseFaults?: (
    catalog: readonly CatalogEntry[],
    index: number
  ) => FaultSpec[];
}

/** The problem counts of a run (and, summed, of a campaign). */
export const PROBLEM_KINDS = [
  'falseGreens',
  'lostReports',
  'leaks',
  'wrongResults',
  'unexplainedUnknowns',
  'exitMismatches',
  'deadlineOverruns',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** One audit of the campaign and what its checks found. */
export interface RunOutcome {
  index: number;
  seed: number;
  faults: (FaultSpec & { fired: number })[];
  durationMs: number;
  verdict?: string;
  exitCode?: number;
  problems: Record<ProblemKind, string[]>;
  /** The requests a fault changed. */
  faulted: ProxyRecord[];
  /** Where its reports were kept (failing runs, with keepDir). */
  kept?: string;
}

/** A campaign's figures. */
export interface CampaignResult {
  seed: number;
  runs: number;
  deadlineMs: number;
  cleanRunMs: number;
  drawn: Record<FaultKind, number>;
  fired: Record<FaultKind, number>;
  /** Kinds no request of this lab can receive. */
  undrawable: FaultKind[];
  /** Runs with at least one problem of each kind. */
  runsWith: Record<ProblemKind, number>;
  failing: RunOutcome[];
}

/** What one audit produced, whatever happened. */
interface AuditCapture {
  report?: Report;
  error?: unknown;
  exitCode?: number;
  durationMs: number;
  stdout: string;
  stderr: string;
  notifications: Notification[];
  storeDir: string;
  stored: { file: string; text: string }[];
}

const emptyProblems = (): Record<ProblemKind, string[]> => ({
  falseGreens: [],
  lostReports: [],
  leaks: [],
  wrongResults: [],
  unexplainedUnknowns: [],
  exitMismatches: [],
  deadlineOverruns: [],
});

const zeroByKind = (): Record<FaultKind, number> =>
  Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<
    FaultKind,
    number
  >;

/** Runs a campaign and returns its figures. */
export async function runCampaign(
  opts: CampaignOptions
): Promise<CampaignResult> {
  const say = opts.progress ?? (() => undefined);
  const root = mkdtempSync(join(tmpdir(), 'harbor-dr-chaos-'));
  say('starting the lab (once for the campaign)…');
  const lab = await startChaosLab();
  const foreign = new ForeignHost();
  // cluster-1 is fronted as a token-auth registry (tokens can expire, realms can move);
  // cluster-2 stays Basic.
  const proxies = [
    ...lab.harbors.map((h) => new ChaosProxy(h.name, h.url, foreign)),
    ...lab.registries.map(
      (r) =>
        new ChaosProxy(
          r.name,
          r.url,
          foreign,
          r.name === TOKEN_REGISTRY && r.username !== undefined
            ? { username: r.username, password: r.password ?? '' }
            : undefined
        )
    ),
  ];
  try {
    await foreign.start();
    for (const p of proxies) await p.start();
    const urlMap = new Map<string, string>();
    for (const p of proxies) {
      const upstream = [...lab.harbors, ...lab.registries].find(
        (e) => e.name === p.name
      );
      if (upstream) urlMap.set(upstream.url, p.url);
    }
    for (const p of proxies) p.setUrlMap(urlMap);
    const { direct, proxied } = writeConfigs(lab, root, urlMap);

    say('auditing the lab directly (the truth)…');
    const base = await audit(direct, join(root, 'truth'), 120_000);
    if (!base.report) {
      throw new Error(
        `the clean audit of the lab failed: ${errorMessage(base.error)}`
      );
    }
    const truth = await establishTruth(
      lab,
      loadConfigFile(direct),
      base.report
    );

    say('auditing through the proxies without faults…');
    for (const p of proxies) p.begin([]);
    const clean = await audit(proxied, join(root, 'clean'), 120_000);
    if (!clean.report) {
      throw new Error(
        `the clean audit through the proxies failed: ${errorMessage(clean.error)}`
      );
    }
    const cleanCheck = checkReport(clean.report, truth.report);
    const cleanProblems = [
      ...cleanCheck.falseGreens,
      ...cleanCheck.wrongResults,
      ...cleanCheck.unexplained,
    ];
    if (cleanProblems.length > 0 || clean.report.verdict === 'UNKNOWN') {
      throw new Error(
        `the proxies alone change the audit (fix the proxy first): ${JSON.stringify(cleanProblems.length > 0 ? cleanProblems : clean.report.errors)}`
      );
    }
    const catalog = catalogOf(proxies.flatMap((p) => p.records));
    const kinds = drawableKinds(catalog);
    const deadlineMs = Math.max(5_000, 2 * clean.durationMs);
    say(
      `clean run: ${clean.durationMs.toString()} ms, ${catalog.length.toString()} distinct requests; deadline per run ${deadlineMs.toString()} ms`
    );

    const result: CampaignResult = {
      seed: opts.seed,
      runs: 0,
      deadlineMs,
      cleanRunMs: clean.durationMs,
      drawn: zeroByKind(),
      fired: zeroByKind(),
      undrawable: FAULT_KINDS.filter((k) => !kinds.includes(k)),
      runsWith: Object.fromEntries(PROBLEM_KINDS.map((k) => [k, 0])) as Record<
        ProblemKind,
        number
      >,
      failing: [],
    };
    const staticSecrets = [
      ...labSecrets(lab),
      ...lab.harbors.flatMap((h) => [
        ...basicForms(h.admin.username, h.admin.password),
        ...basicForms(h.auditor.username, h.auditor.password),
      ]),
      ...lab.registries.flatMap((r) =>
        r.username !== undefined ? basicForms(r.username, r.password ?? '') : []
      ),
    ];
    for (let index = 0; index < opts.runs; index++) {
      if (opts.only !== undefined && !opts.only.includes(index)) continue;
      const seed = runSeed(opts.seed, index);
      const faults = opts.chooseFaults
        ? opts.chooseFaults(catalog, index)
        : drawFaults(new Prng(seed), catalog, kinds);
      for (const p of proxies) {
        p.dropConnections();
        p.begin(faults);
      }
      foreign.visits = [];
      const dir = join(root, `run-${index.toString()}`);
      const run = await audit(proxied, dir, deadlineMs);
      const fired = new Map<number, number>();
      for (const p of proxies)
        for (const [id, n] of p.firedCounts())
          fired.set(id, (fired.get(id) ?? 0) + n);
      const outcome: RunOutcome = {
        index,
        seed,
        faults: faults.map((f) => ({ ...f, fired: fired.get(f.id) ?? 0 })),
        durationMs: run.durationMs,
        ...(run.report ? { verdict: run.report.verdict } : {}),
        ...(run.exitCode !== undefined ? { exitCode: run.exitCode } : {}),
        problems: emptyProblems(),
        faulted: proxies.flatMap((p) =>
          p.records.filter((r) => r.faults.length > 0)
        ),
      };
      judge(
        outcome,
        run,
        truth,
        deadlineMs,
        [...staticSecrets, ...proxies.flatMap((p) => [...p.tokens])],
        foreign
      );
      result.runs++;
      for (const f of outcome.faults) {
        result.drawn[f.kind]++;
        if (f.fired > 0) result.fired[f.kind]++;
      }
      const failed = PROBLEM_KINDS.filter(
        (k) => outcome.problems[k].length > 0
      );
      for (const k of failed) result.runsWith[k]++;
      if (failed.length > 0) {
        if (opts.keepDir) {
          const keep = join(
            opts.keepDir,
            `seed-${opts.seed.toString()}-run-${index.toString()}`
          );
          mkdirSync(keep, { recursive: true });
          for (const s of run.stored) {
            writeFileSync(join(keep, s.file.replace(/[\\/]/g, '_')), s.text);
          }
          writeFileSync(
            join(keep, 'outcome.json'),
            `${JSON.stringify(outcome, null, 2)}\n`
          );
          outcome.kept = keep;
        }
        result.failing.push(outcome);
      }
      rmSync(dir, { recursive: true, force: true });
      say(runLine(outcome));
      if (opts.verbose) {
        for (const r of outcome.faulted) {
          say(
            `    ${r.upstream} ${r.method} ${r.path} → ${r.status.toString()}: ${r.faults.map((f) => `${f.kind} (${f.effect})`).join('; ')}`
          );
        }
        for (const t of run.report?.targets ?? []) {
          const why = [
            ...t.errors.map((e) => e.message),
            ...t.shards
              .filter((x) => x.status !== 'audited')
              .map((x) => `${x.project}: ${x.reason ?? x.status}`),
          ];
          say(
            `    ${t.name}: ${t.verdict}${why.length > 0 ? ` (${why.join(' | ').slice(0, 300)})` : ''}`
          );
        }
        for (const k of PROBLEM_KINDS)
          for (const m of outcome.problems[k]) say(`    ${k}: ${m}`);
      }
    }
    return result;
  } finally {
    for (const p of proxies) await p.stop().catch(() => undefined);
    await foreign.stop().catch(() => undefined);
    await lab.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Applies every check to one run. */
function judge(
  outcome: RunOutcome,
  run: AuditCapture,
  truth: Truth,
  deadlineMs: number,
  secrets: readonly string[],
  foreign: ForeignHost
): void {
  const p = outcome.problems;
  const storedReports = run.stored
    .filter((s) => s.file.endsWith('.json') && !s.file.endsWith('latest.json'))
    .map((s) => reportSchema.safeParse(JSON.parse(s.text)));
  if (!storedReports.some((r) => r.success)) {
    p.lostReports.push(
      run.error !== undefined
        ? `no report stored: the job failed (${oneLine(errorMessage(run.error))})`
        : 'no report stored'
    );
  }
  if (run.report) {
    const c = checkReport(run.report, truth.report);
    p.falseGreens.push(...c.falseGreens);
    p.wrongResults.push(...c.wrongResults);
    p.unexplainedUnknowns.push(...c.unexplained);
    p.exitMismatches.push(...checkExitCode(run.report, run.exitCode ?? -1));
    const notified = run.notifications.map((n) => n.attributes.verdict);
    if (!notified.includes(run.report.verdict)) {
      p.exitMismatches.push(
        `the notification says ${notified.join(', ') || 'nothing'}, the report ${run.report.verdict}`
      );
    }
  }
  if (run.durationMs > deadlineMs + DEADLINE_GRACE_MS) {
    p.deadlineOverruns.push(
      `the run took ${run.durationMs.toString()} ms with a deadline of ${deadlineMs.toString()} ms (a Lambda would be killed before storing its report)`
    );
  }
  const haystacks: Record<string, string> = {
    stdout: run.stdout,
    stderr: run.stderr,
    notification: JSON.stringify(run.notifications),
  };
  for (const s of run.stored) haystacks[`stored ${s.file}`] = s.text;
  if (run.error !== undefined) {
    haystacks['job error'] =
      `${errorMessage(run.error)} ${run.error instanceof Error ? (run.error.stack ?? '') : ''}`;
  }
  p.leaks.push(...findLeaks(secrets, haystacks));
  for (const v of foreign.visits) {
    if (v.authorization !== undefined) {
      p.leaks.push(
        `credentials (${v.authorization.split(' ')[0] ?? ''}) sent to another host: ${v.path}`
      );
    }
  }
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function runLine(o: RunOutcome): string {
  const failed = PROBLEM_KINDS.filter((k) => o.problems[k].length > 0);
  const faults = o.faults
    .map((f) => `${f.kind}@${f.upstream}${f.fired > 0 ? '' : '(not reached)'}`)
    .join(', ');
  return `run ${o.index.toString()} [${faults}] → ${o.verdict ?? 'no report'} in ${o.durationMs.toString()} ms${failed.length > 0 ? `  FAIL: ${failed.join(', ')}` : ''}`;
}

/** The distinct requests of the clean run, in a stable order: where faults are aimed. */
function catalogOf(records: readonly ProxyRecord[]): CatalogEntry[] {
  const seen = new Map<string, CatalogEntry>();
  for (const r of records) {
    const key = `${r.upstream} ${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.set(key, {
      upstream: r.upstream,
      method: r.method,
      path: r.path,
      cls: r.cls,
      status: r.status,
      ...(r.rows !== undefined ? { rows: r.rows } : {}),
      ...(r.hasNext !== undefined ? { hasNext: r.hasNext } : {}),
      ...(r.page !== undefined ? { page: r.page } : {}),
      ...(r.bearer !== undefined ? { bearer: r.bearer } : {}),
    });
  }
  return [...seen.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => e);
}

/** The lab's config (direct) and the same through the proxies, with the campaign's settings. */
function writeConfigs(
  lab: Lab,
  root: string,
  urlMap: ReadonlyMap<string, string>
): { direct: string; proxied: string } {
  const { configPath } = lab.writeConfig(join(root, 'lab'));
  const config = parse(readFileSync(configPath, 'utf8')) as Record<
    string,
    unknown
  >;
  const settings = {
    // Far beyond the lab's oldest change: verdicts do not move while the campaign runs.
    rpoObjectiveMinutes: 525_600,
    // The lab must not change: nothing is started or stopped.
    retrigger: { enabled: false },
    notify: { on: 'always' },
  };
  const direct = join(root, 'direct.yaml');
  writeFileSync(direct, stringify({ ...config, ...settings }));
  let text = stringify({ ...config, ...settings });
  for (const [from, to] of urlMap) text = text.split(from).join(to);
  const proxied = join(root, 'proxied.yaml');
  writeFileSync(proxied, text);
  return { direct, proxied };
}

/**
 * One audit, as the Lambda runs it (runAuditJob, its log lines through Powertools), with a
 * local report store and a notifier that keeps what it is sent; stdout and stderr captured.
 */
async function audit(
  configPath: string,
  storeDir: string,
  deadlineMs: number
): Promise<AuditCapture> {
  mkdirSync(storeDir, { recursive: true });
  const config: HarborDrConfig = loadConfigFile(configPath);
  const notifications: Notification[] = [];
  const capture = captureOutput();
  const started = Date.now();
  const out: Partial<AuditCapture> = {};
  try {
    const result = await runAuditJob(
      {
        store: new LocalDirReportStore(storeDir),
        notifier: {
          publish: (n) => {
            notifications.push(n);
            return Promise.resolve();
          },
        },
        clock: { now: () => new Date() },
        resolveCredentials: createCredentialsResolver(),
        warn: (message, detail) => {
          logger.warn(message, detail ?? {});
        },
      },
      {
        config,
        toolVersion: 'chaos',
        deadline: new Date(started + deadlineMs),
        concurrency: 8,
      }
    );
    logger.info('audit completed', { ...summarize(result) });
    out.report = result.report;
    out.exitCode = exitCodeOf(result.report.verdict);
  } catch (err) {
    logger.error('audit failed', err as Error);
    out.error = err;
    out.exitCode = 4;
  } finally {
    capture.stop();
  }
  return {
    ...out,
    durationMs: Date.now() - started,
    stdout: capture.stdout(),
    stderr: capture.stderr(),
    notifications,
    storeDir,
    stored: readTree(storeDir),
  };
}

function readTree(dir: string, prefix = ''): { file: string; text: string }[] {
  const files: { file: string; text: string }[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return files;
  }
  for (const name of names) {
    const path = join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(path).isDirectory()) files.push(...readTree(path, rel));
    else files.push({ file: rel, text: readFileSync(path, 'utf8') });
  }
  return files;
}

/** Captures process.stdout/stderr and the console while a run goes on. */
function captureOutput(): { stdout(): string; stderr(): string; stop(): void } {
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- restored as they were
  const saved = consoleMethods.map((m) => [m, console[m]] as const);
  const sink =
    (into: string[]) =>
    (chunk: unknown): boolean => {
      into.push(
        typeof chunk === 'string'
          ? chunk
          : Buffer.from(chunk as Uint8Array).toString('utf8')
      );
      return true;
    };
  process.stdout.write = sink(out);
  process.stderr.write = sink(err);
  for (const m of consoleMethods) {
    console[m] = (...args: unknown[]) => {
      (m === 'error' || m === 'warn' ? err : out).push(
        `${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`
      );
    };
  }
  return {
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    stop: () => {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      for (const [m, fn] of saved) console[m] = fn;
    },
  };
}

/**
 * `npm run bench -- --distributed [--workers <n>] [--max-refs-per-shard <n>] [--rounds <n>]`:
 * the distributed audit's throughput on the demo lab with N local workers against the single
 * process, as a ratio. The single process is one runAuditJob (as `harbor-dr audit` and the
 * single Lambda); the distributed audit is the state machine's three steps with the same code
 * as its Lambdas: the plan step here, the shards split over N worker processes (each a cold
 * start, like a Lambda's, counted in the time), the merge step here; the run objects in a
 * local directory instead of S3. Both must give the same findings and verdicts.
 *
 * The lab serves from this process (one event loop): workers overlap their waits, not the
 * lab's CPU, so on the lab the ratio measures the orchestration's overhead more than the
 * scale-out a registry with its own CPUs would show; the README's sizing note says how the
 * per-HEAD cost measured here extends to real registries.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startDemoLab } from '../../lab/index';
import { LocalDirReportStore } from '../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../lambdas/adapters/secrets/credentials';
import type { Report } from '../../lambdas/core/report/schema';
import { runAuditJob } from '../../lambdas/use-cases/audit-job';
import {
  auditShardStep,
  interleaveByTarget,
  mergeAuditStep,
  planAuditStep,
  readPlan,
  type RunObjects,
} from '../../lambdas/use-cases/audit-distributed';
import { loadConfigFile } from '../../lambdas/shared/config-file';

/** Run objects as files under a directory (S3 in the deployed state machine). */
class DirRunObjects implements RunObjects {
  constructor(readonly location: string) {}

  put(key: string, value: unknown): Promise<void> {
    const path = join(this.location, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(value));
    return Promise.resolve();
  }

  get(key: string): Promise<unknown> {
    try {
      return Promise.resolve(
        JSON.parse(readFileSync(join(this.location, key), 'utf8')) as unknown
      );
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT')
        return Promise.resolve(undefined);
      throw err;
    }
  }
}

const deps = () => ({
  clock: { now: () => new Date() },
  resolveCredentials: createCredentialsResolver(),
});
const deadline = () => new Date(Date.now() + 14 * 60_000);
const log = (message: string): void => {
  process.stderr.write(`[bench:distributed] ${message}\n`);
};

/** A worker process: audits the shards it is given, one after another. */
async function worker(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      worker: { type: 'boolean' },
      objects: { type: 'string' },
      config: { type: 'string' },
      run: { type: 'string' },
      shards: { type: 'string' },
    },
  });
  if (!values.objects || !values.config || !values.run || !values.shards)
    throw new Error('usage: --worker --objects --config --run --shards');
  const objects = new DirRunObjects(values.objects);
  const config = loadConfigFile(values.config);
  for (const shard of values.shards.split(',')) {
    await auditShardStep(deps(), objects, {
      config,
      toolVersion: 'bench',
      deadline: deadline(),
      runId: values.run,
      shard,
    });
  }
}

/** What both paths must agree on. */
function outcome(report: Report): string {
  return JSON.stringify({
    verdict: report.verdict,
    targets: report.targets.map((t) => [
      t.name,
      t.verdict,
      t.counts,
      t.shards,
      t.findings,
    ]),
  });
}

/** The bench: single process against N workers, as a ratio. */
export async function runDistributedBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      distributed: { type: 'boolean' },
      workers: { type: 'string', default: '4' },
      'max-refs-per-shard': { type: 'string', default: '1' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const int = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${name} must be a positive whole number`);
    return n;
  };
  const workers = int('workers', values.workers);
  const maxRefsPerShard = int(
    'max-refs-per-shard',
    values['max-refs-per-shard']
  );
  const rounds = int('rounds', values.rounds);
  const work = resolve('.bench', 'distributed');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  log('starting the demo lab');
  const lab = await startDemoLab();
  try {
    const { configPath } = lab.writeConfig(join(work, 'lab'));
    const config = loadConfigFile(configPath);
    const store = new LocalDirReportStore(join(work, 'reports'));
    const results: {
      single: number;
      distributed: number;
      plan: number;
      shards: number;
      merge: number;
      shardCount: number;
      refs: number;
    }[] = [];
    for (let round = 1; round <= rounds; round++) {
      let t = performance.now();
      const single = await runAuditJob(
        { store, ...deps() },
        { config, toolVersion: 'bench', deadline: deadline() }
      );
      const singleSeconds = (performance.now() - t) / 1000;

      const objects = new DirRunObjects(join(work, 'objects'));
      t = performance.now();
      const planned = await planAuditStep(deps(), objects, {
        config,
        toolVersion: 'bench',
        deadline: deadline(),
        event: {},
        maxRefsPerShard,
      });
      const planSeconds = (performance.now() - t) / 1000;
      const { plan } = await readPlan(objects, planned.runId);
      const items = interleaveByTarget(plan.shards);
      const lists = Array.from({ length: workers }, (_, w) =>
        items.filter((_, i) => i % workers === w).map((i) => i.shard)
      ).filter((l) => l.length > 0);
      const t1 = performance.now();
      await Promise.all(
        lists.map((shards) =>
          promisify(execFile)(
            process.execPath,
            [
              '--require',
              'tsx/cjs',
              __filename,
              '--worker',
              '--objects',
              objects.location,
              '--config',
              configPath,
              '--run',
              planned.runId,
              '--shards',
              shards.join(','),
            ],
            { encoding: 'utf8', timeout: 600_000 }
          )
        )
      );
      const shardSeconds = (performance.now() - t1) / 1000;
      const t2 = performance.now();
      const merged = await mergeAuditStep({ store, ...deps() }, objects, {
        config,
        toolVersion: 'bench',
        deadline: deadline(),
        runId: planned.runId,
      });
      const mergeSeconds = (performance.now() - t2) / 1000;
      const distributedSeconds = (performance.now() - t) / 1000;
      if (outcome(merged.report) !== outcome(single.report))
        throw new Error(
          'the distributed audit disagrees with the single process'
        );
      const refs = single.report.targets.reduce(
        (n, x) => n + x.counts.expected,
        0
      );
      results.push({
        single: singleSeconds,
        distributed: distributedSeconds,
        plan: planSeconds,
        shards: shardSeconds,
        merge: mergeSeconds,
        shardCount: plan.shards.length,
        refs,
      });
      log(
        `round ${String(round)}: single ${singleSeconds.toFixed(2)} s, distributed ${distributedSeconds.toFixed(2)} s`
      );
    }
    const median = (xs: number[]): number => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.floor(s.length / 2)] ?? 0;
    };
    const single = median(results.map((r) => r.single));
    const distributed = median(results.map((r) => r.distributed));
    const first = results[0];
    const summary = {
      lab: 'demo',
      workers,
      maxRefsPerShard,
      rounds,
      shards: first?.shardCount ?? 0,
      expectedRefs: first?.refs ?? 0,
      singleSeconds: single,
      distributedSeconds: distributed,
      steps: {
        planSeconds: median(results.map((r) => r.plan)),
        shardsSeconds: median(results.map((r) => r.shards)),
        mergeSeconds: median(results.map((r) => r.merge)),
      },
      singleRefsPerSecond: (first?.refs ?? 0) / single,
      distributedRefsPerSecond: (first?.refs ?? 0) / distributed,
      /** > 1: the distributed audit is faster. */
      throughputRatio: single / distributed,
      sameFindingsAndVerdicts: true,
    };
    writeFileSync(
      join(work, 'results.json'),
      `${JSON.stringify(summary, null, 2)}\n`
    );
    process.stdout.write(
      [
        `distributed audit on the demo lab: ${String(summary.shards)} shards, ${String(summary.expectedRefs)} expected refs, ${String(workers)} worker processes, median of ${String(rounds)} rounds`,
        `  single process: ${single.toFixed(2)} s (${summary.singleRefsPerSecond.toFixed(0)} refs/s)`,
        `  distributed:    ${distributed.toFixed(2)} s (plan ${summary.steps.planSeconds.toFixed(2)} s, shards ${summary.steps.shardsSeconds.toFixed(2)} s, merge ${summary.steps.mergeSeconds.toFixed(2)} s)`,
        `  throughput ratio (distributed / single): ${summary.throughputRatio.toFixed(2)}x; same findings and verdicts: yes`,
        `results in ${join(work, 'results.json')}`,
        '',
      ].join('\n')
    );
  } finally {
    await lab.stop();
  }
}

if (require.main === module && process.argv.includes('--worker')) {
  worker(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

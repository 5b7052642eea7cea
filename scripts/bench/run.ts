/**
 * `npm run bench`: the inventory audit's throughput on loopback against (a) a skopeo shell
 * script doing the same comparison and (b) the raw HEAD rate of the same registry, plus the
 * audit's peak RSS; results in .bench/results.json and .bench/results.txt.
 *
 * Options: --quick (a small data set, to check the harness), --profile (one more CPU-profiled
 * run of each audit, summarised), --skopeo-sample <tags> (default 500), --tool-requests <n>
 * (hey/ab and the undici loop without keep-alive, default 3000), --rounds <n> (audits of the
 * registry, each between two raw HEAD loops, default 2), --registry-projects <n> (projects the
 * registry's 200 repositories are spread over, i.e. audit shards; default 10),
 * --concurrency <n> (default 8).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLab, type Lab } from '../../lab/index';
import { distributionVersion } from '../../lab/registry/distribution';
import { bundleChildren, type ChildBundles } from './bundle';
import { runDistributedBench } from './distributed';
import { runNode } from './exec';
import { formatResults } from './format';
import { abHead, heyHead, type ToolRate } from './http-tools';
import {
  childPidsNamed,
  cpuSecondsOf,
  loadAverage1m,
  ownCpuSeconds,
} from './proc';
import { summariseProfile } from './profile';
import { formatRefs, type ExpectedTag } from './refs';
import {
  auditChildResultSchema,
  rawHeadResultSchema,
  readResult,
  seedResultSchema,
} from './result-line';
import type {
  AimResult,
  AuditMeasurement,
  BenchResults,
  RawHeadMeasurement,
} from './results';
import {
  benchScenario,
  DEFAULT_SIZES,
  NAMES,
  registryRepos,
  registryTags,
  type BenchSizes,
} from './scenario';
import { seedLabHarbors } from './seed-lab';
import { runSkopeoBaseline } from './skopeo';
import { formatStartup, measureStartup } from './startup';

const QUICK_SIZES: BenchSizes = {
  registryProjects: 2,
  registryRepos: 10,
  tagsPerRepo: 10,
  harborProjects: 2,
  harborRepos: 4,
  artifactsPerRepo: 120,
};

const AIMS = { skopeo: 15, rawHead: 0.7, rssMiB: 256 };

interface Options {
  quick: boolean;
  profile: boolean;
  skopeoSample: number;
  toolRequests: number;
  concurrency: number;
  /** Audits of the registry target, each between two raw HEAD loops. */
  rounds: number;
  /** Projects the registry's repositories are spread over (one audit shard each). */
  registryProjects?: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'skopeo-sample': { type: 'string', default: '500' },
      'tool-requests': { type: 'string', default: '3000' },
      concurrency: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '2' },
      'registry-projects': { type: 'string' },
    },
  });
  const int = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${name} must be a positive whole number`);
    return n;
  };
  return {
    quick: values.quick,
    profile: values.profile,
    skopeoSample: int('skopeo-sample', values['skopeo-sample']),
    toolRequests: int('tool-requests', values['tool-requests']),
    concurrency: int('concurrency', values.concurrency),
    rounds: int('rounds', values.rounds),
    ...(values['registry-projects'] === undefined
      ? {}
      : {
          registryProjects: int(
            'registry-projects',
            values['registry-projects']
          ),
        }),
  };
}

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

const seconds = (since: number): number => (performance.now() - since) / 1000;

/** CPU seconds of the lab (this process) and of docker-registry while `fn` runs. */
async function withCpu<T>(
  registryPid: number | undefined,
  fn: () => Promise<T>
): Promise<{ value: T; labCpu: number; registryCpu: number | undefined }> {
  const lab0 = ownCpuSeconds();
  const reg0 =
    registryPid === undefined ? undefined : cpuSecondsOf(registryPid);
  const value = await fn();
  const reg1 =
    registryPid === undefined ? undefined : cpuSecondsOf(registryPid);
  return {
    value,
    labCpu: ownCpuSeconds() - lab0,
    registryCpu:
      reg0 === undefined || reg1 === undefined ? undefined : reg1 - reg0,
  };
}

async function main(): Promise<void> {
  // `--distributed [--workers <n>]`: the distributed audit against the single process.
  if (process.argv.includes('--distributed')) {
    await runDistributedBench(process.argv.slice(2));
    return;
  }
  const opts = options();
  const sizes = {
    ...(opts.quick ? QUICK_SIZES : DEFAULT_SIZES),
    ...(opts.registryProjects === undefined
      ? {}
      : { registryProjects: opts.registryProjects }),
  };
  const benchDir = resolve('.bench');
  const work = join(benchDir, 'work');
  rmSync(work, { recursive: true, force: true });
  rmSync(join(benchDir, 'reports'), { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const startedAt = new Date();
  const t0 = performance.now();
  const loadAtStart = loadAverage1m();

  // First, while the machine is quiet: the CLI's start-up, bundled vs tsx (issue 15).
  log('CLI start-up: harbor-dr --version and validate-config, bundled vs tsx');
  const startup = formatStartup(await measureStartup(opts.quick ? 3 : 7));
  writeFileSync(join(benchDir, 'startup.txt'), startup);

  log('bundling the child processes (esbuild)');
  const bundles = await bundleChildren(join(work, 'bin'));

  log('starting the lab (2 emulated Harbors, the real docker-registry)');
  const t = performance.now();
  const lab = await startLab(benchScenario(sizes));
  const labStartSeconds = seconds(t);
  try {
    const results = await measure(lab, sizes, opts, bundles, work, {
      startedAt,
      t0,
      loadAtStart,
      labStartSeconds,
    });
    const text = formatResults(results);
    writeFileSync(
      join(benchDir, 'results.json'),
      `${JSON.stringify(results, null, 2)}\n`
    );
    writeFileSync(join(benchDir, 'results.txt'), text);
    process.stdout.write(`\n${text}\n${startup}`);
    log(`results in ${join(benchDir, 'results.{json,txt}')}`);
  } finally {
    await lab.stop();
  }
}

async function measure(
  lab: Lab,
  sizes: BenchSizes,
  opts: Options,
  bundles: ChildBundles,
  work: string,
  start: {
    startedAt: Date;
    t0: number;
    loadAtStart: number;
    labStartSeconds: number;
  }
): Promise<BenchResults> {
  const registry = lab.registries.find((r) => r.name === NAMES.registryTarget);
  if (registry?.kind !== 'distribution')
    throw new Error('the bench needs the real docker-registry');
  const [registryPid] = childPidsNamed('docker-registry');
  const concurrency = String(opts.concurrency);

  log(
    `seeding: docker-registry over HTTP (child) and the lab stores, in parallel`
  );
  const seeding = runNode(bundles.seedRegistry, [
    '--url',
    registry.url,
    '--sizes',
    JSON.stringify(sizes),
    '--concurrency',
    concurrency,
  ]);
  // Attach the handler now: the lab seeding below blocks the event loop for a while.
  const seeded = seeding.then((out) => readResult(out, seedResultSchema));
  seeded.catch(() => undefined);
  const t = performance.now();
  const lab0 = seedLabHarbors(lab, sizes);
  const labStoresSeconds = seconds(t);
  const seed = await seeded;
  log(
    `seeded: lab stores ${labStoresSeconds.toFixed(1)} s; registry ${seed.seconds.toFixed(1)} s`
  );
  for (const [repo, digest] of lab0.registryDigests) {
    if (seed.digests[repo] !== digest)
      throw new Error(`${repo}: registry and primary disagree on the digest`);
  }
  // Lets keep-alive sockets that timed out during the blocking seeding close first.
  await new Promise((r) => setTimeout(r, 300));

  const { configPath } = lab.writeConfig(join(work, 'lab'));
  const refs: ExpectedTag[] = registryRepos(sizes).flatMap((r) =>
    registryTags(sizes).map((tag) => ({
      repository: r.name,
      tag,
      digest: lab0.registryDigests.get(r.name) ?? '',
    }))
  );
  const refsFile = join(work, 'registry-refs.tsv');
  writeFileSync(refsFile, formatRefs(refs));

  const rawHead = async (
    mode: 'keep-alive' | 'default',
    when: RawHeadMeasurement['when'],
    limit?: number
  ): Promise<RawHeadMeasurement> => {
    log(`raw HEAD loop, undici ${mode} (${when})`);
    const expected = Math.min(limit ?? refs.length, refs.length);
    const { value, registryCpu } = await withCpu(registryPid, async () =>
      readResult(
        await runNode(bundles.rawHead, [
          '--url',
          registry.url,
          '--refs',
          refsFile,
          '--mode',
          mode,
          '--limit',
          String(expected),
          '--concurrency',
          concurrency,
        ]),
        rawHeadResultSchema
      )
    );
    if (value.digestMatches !== expected)
      throw new Error(
        `raw HEAD: ${value.digestMatches.toString()} of ${expected.toString()} digests matched`
      );
    return {
      mode,
      when,
      requests: value.requests,
      connections: value.connections,
      seconds: value.seconds,
      rate: value.requests / value.seconds,
      cpuSeconds: value.cpuSeconds,
      peakRssMiB: value.peakRssMiB,
      registryCpuSeconds: registryCpu,
    };
  };

  const audit = async (
    target: string,
    kind: 'distribution' | 'harbor',
    expected: number,
    cpuProfDir?: string
  ): Promise<AuditMeasurement> => {
    log(`audit of ${target}${cpuProfDir ? ' (CPU profile)' : ''}`);
    const { value, labCpu, registryCpu } = await withCpu(
      registryPid,
      async () =>
        readResult(
          await runNode(
            bundles.audit,
            [
              '--config',
              configPath,
              '--target',
              target,
              '--out',
              join(work, '..', 'reports', target),
              '--concurrency',
              concurrency,
            ],
            cpuProfDir ? { cpuProfDir } : {}
          ),
          auditChildResultSchema
        )
    );
    const c = value.counts;
    if (
      c.expected !== expected ||
      c.synced !== expected ||
      value.verdict !== 'READY' ||
      value.errors.length > 0
    ) {
      throw new Error(
        `the ${target} audit did not find the data set in sync (verdict ${value.verdict}, ` +
          `counts ${JSON.stringify(c)}, errors ${value.errors.slice(0, 3).join('; ')}); ` +
          `report: ${value.report}`
      );
    }
    return {
      target,
      kind,
      artifacts: c.expected,
      seconds: value.seconds,
      rate: c.expected / value.seconds,
      peakRssMiB: Math.max(value.peakRssMiB, value.vmHwmMiB),
      rssBeforeMiB: value.rssBeforeMiB,
      cpuSeconds: value.cpuSeconds,
      labCpuSeconds: labCpu,
      registryCpuSeconds: kind === 'distribution' ? registryCpu : undefined,
      verdict: value.verdict,
      report: value.report,
      trace: value.trace,
    };
  };

  // Audits and raw loops alternate, so that each audit is compared with the raw rate measured
  // just before and just after it (the load of a shared machine drifts).
  const raw = [await rawHead('keep-alive', 'before audit 1')];
  const registryRuns: AuditMeasurement[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    registryRuns.push({
      ...(await audit(NAMES.registryTarget, 'distribution', refs.length)),
      round,
    });
    raw.push(await rawHead('keep-alive', `after audit ${round.toString()}`));
  }
  raw.push(
    await rawHead(
      'default',
      `after audit ${opts.rounds.toString()}`,
      opts.toolRequests
    )
  );
  const harborAudit = await audit(
    NAMES.harborTarget,
    'harbor',
    lab0.harborArtifacts
  );

  const url = `${registry.url}/v2/${refs[0]?.repository ?? ''}/manifests/${refs[0]?.tag ?? ''}`;
  const tools: ToolRate[] = [];
  for (const tool of [heyHead, abHead]) {
    log(`${tool === heyHead ? 'hey' : 'ab'} -c ${concurrency} HEAD`);
    const r = await tool(url, opts.toolRequests, opts.concurrency);
    if (r) tools.push(r);
  }

  const sample = Math.min(opts.skopeoSample, refs.length);
  log(`skopeo script over ${sample.toString()} tags`);
  const skopeo = await runSkopeoBaseline(
    new URL(registry.url).host,
    refsFile,
    sample
  );
  if (skopeo.synced !== sample)
    throw new Error(
      `skopeo script: ${skopeo.synced.toString()} of ${sample.toString()} tags matched`
    );

  const profiles: BenchResults['profiles'] = [];
  if (opts.profile) {
    for (const [target, kind, expected] of [
      [NAMES.registryTarget, 'distribution', refs.length],
      [NAMES.harborTarget, 'harbor', lab0.harborArtifacts],
    ] as const) {
      const dir = join(work, '..', 'profiles', target);
      rmSync(dir, { recursive: true, force: true });
      await audit(target, kind, expected, dir);
      profiles.push({ target, summary: summariseProfile(dir, bundles.audit) });
    }
  }

  const skopeoRate = skopeo.synced / skopeo.seconds;
  const keepAlive = raw.filter((r) => r.mode === 'keep-alive');
  const mean = (xs: readonly number[]) =>
    xs.reduce((sum, x) => sum + x, 0) / Math.max(1, xs.length);
  const registryRate = mean(registryRuns.map((a) => a.rate));
  // Each audit against the mean of the raw loops on either side of it.
  const rawRatio = mean(
    registryRuns.map(
      (a, i) =>
        a.rate /
        mean([keepAlive[i]?.rate ?? NaN, keepAlive[i + 1]?.rate ?? NaN])
    )
  );
  const registryPeakRss = Math.max(...registryRuns.map((a) => a.peakRssMiB));
  const aims: AimResult[] = [
    {
      name: 'audit (mean of rounds) / skopeo script',
      value: registryRate / skopeoRate,
      unit: 'x',
      aim: `>= ${AIMS.skopeo.toString()}x`,
      met: registryRate / skopeoRate >= AIMS.skopeo,
    },
    {
      name: 'audit / raw HEAD (undici keep-alive before+after each round)',
      value: rawRatio,
      unit: '%',
      aim: `>= ${(AIMS.rawHead * 100).toString()}%`,
      met: rawRatio >= AIMS.rawHead,
    },
    ...raw
      .filter((r) => r.mode === 'default')
      .map((r) => ({
        name: 'audit / undici HEAD without keep-alive (info)',
        value: registryRate / r.rate,
        unit: '%' as const,
        aim: '',
        met: undefined,
      })),
    ...tools.map((tool) => ({
      name: `audit / raw HEAD (${tool.tool}, one URL)`,
      value: registryRate / tool.requestsPerSecond,
      unit: '%' as const,
      aim: '',
      met: undefined,
    })),
    ...[
      { target: NAMES.registryTarget, peak: registryPeakRss },
      { target: NAMES.harborTarget, peak: harborAudit.peakRssMiB },
    ].map((a) => ({
      name: `peak RSS, audit of ${a.target}`,
      value: a.peak,
      unit: 'MiB' as const,
      aim: `< ${AIMS.rssMiB.toString()} MiB`,
      met: a.peak < AIMS.rssMiB,
    })),
  ];
  const notes = [
    `Rates exclude seeding. Each audit is one runAuditJob (as \`harbor-dr audit\`) in its own process ` +
      `(esbuild bundle, as the Lambda), concurrency ${concurrency}; it includes the primary's ` +
      `inventory through the Harbor API, the plan, the target's observation, the diff and the report. ` +
      `Every expected ref was found synced.`,
    `The skopeo script ran over the first ${sample.toString()} tags (${skopeo.compared.toString()} compared, ` +
      `${Math.ceil(sample / sizes.tagsPerRepo).toString()} list-tags) and its per-tag rate is extrapolated ` +
      `to ${refs.length.toString()} tags; it is given the expected digests (no Harbor API calls).`,
    `The raw undici loop HEADs every tag once, as the audit does, over keep-alive connections ` +
      `(\`reset: false\`); without that option undici closes the connection after every HEAD ` +
      `(its guard against servers that send a body with HEAD), the "without keep-alive" row. ` +
      `hey and ab repeat one URL.`,
    `The Harbor target's rate is bounded by the lab's emulated Harbors (this process, "lab" CPU), ` +
      `not by a real Harbor.`,
    `Peak RSS: getrusage maxRSS / VmHWM of the audit process (it held ${Math.round(harborAudit.rssBeforeMiB).toString()} MiB ` +
      `before the audit started).`,
  ];
  return {
    startedAt: start.startedAt.toISOString(),
    totalSeconds: seconds(start.t0),
    concurrency: opts.concurrency,
    environment: {
      node: process.version,
      cpus: availableParallelism(),
      loadAtStart: start.loadAtStart,
      loadAtEnd: loadAverage1m(),
      registryVersion: `docker-registry ${distributionVersion() ?? '?'}`,
    },
    dataSet: {
      ...sizes,
      registryTags: refs.length,
      harborArtifacts: lab0.harborArtifacts,
    },
    seeding: {
      labStartSeconds: start.labStartSeconds,
      labStoresSeconds,
      registry: {
        blobUploads: seed.blobUploads,
        manifestPuts: seed.manifestPuts,
        seconds: seed.seconds,
      },
    },
    audits: [...registryRuns, harborAudit],
    skopeo: {
      compared: skopeo.compared,
      synced: skopeo.synced,
      seconds: skopeo.seconds,
      rate: skopeoRate,
      extrapolatedSeconds: refs.length / skopeoRate,
    },
    rawHead: raw,
    tools,
    aims,
    notes,
    profiles,
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  }
);

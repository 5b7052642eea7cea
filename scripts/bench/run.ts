/**
 * `npm run bench`: the inventory audit's throughput against (a) a skopeo shell script doing
 * the same comparison and (b) the raw HEAD rate of the same registry, over the same link: the
 * real docker-registry sits behind a latency proxy (default 25 ms RTT), plus the audit's peak
 * RSS, a lab Harbor target, and the lab's own page times; results in .bench/results.json and
 * .bench/results.txt.
 *
 * Options: --quick (a small data set, to check the harness), --large (100,000 tags and 100,000
 * artifacts), --tags <n> / --artifacts <n> (registry tags, Harbor target artifacts; default
 * 10,000 each), --rtt <ms> (default 25; 0 = loopback, no proxy), --jitter <ms> (default 2),
 * --raw-concurrency <list> (the raw HEAD sweep, default 8,16,32,64), --raw-sample <refs> (refs
 * per raw loop, default 5,000), --profile (one more CPU-profiled run of each audit,
 * summarised), --skopeo-sample <tags> (default 300), --tool-requests <n> (hey/ab and the undici
 * loop without keep-alive, default 3000), --rounds <n> (audits of the registry, each followed
 * by a raw HEAD loop at the best concurrency, default 1), --registry-projects <n> (projects the
 * registry's repositories are spread over, i.e. audit shards; default 10), --concurrency <n>
 * (the audit's, default 8), --heap-snapshot-mib <n> (a V8 heap snapshot of each audit when its
 * heap first exceeds n MiB, in .bench/work; summarise with heap-summary.ts).
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startLab, type Lab } from '../../lab/index';
import {
  distributionVersion,
  startDistributionRegistry,
  type DistributionRegistry,
} from '../../lab/registry/distribution';
import { bundleChildren, type ChildBundles } from './bundle';
import { runDistributedBench } from './distributed';
import { cliNodeFlags, runNode, startNode, type ServiceChild } from './exec';
import { formatResults } from './format';
import { abHead, heyHead, type ToolRate } from './http-tools';
import {
  childPidsNamed,
  cpuSecondsOf,
  loadAverage1m,
  ownCpuSeconds,
} from './proc';
import { summariseProfile } from './profile';
import { measureLabPages } from './lab-pages';
import { formatRefs, type ExpectedTag } from './refs';
import {
  auditChildResultSchema,
  proxyResultSchema,
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
  harborRepos,
  NAMES,
  registryRepos,
  registryTags,
  scaledSizes,
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

const AIMS = { skopeo: 15, rawHead: 0.8, rssMiB: 256, requestsPer100: 1.05 };

interface Options {
  quick: boolean;
  profile: boolean;
  skopeoSample: number;
  toolRequests: number;
  concurrency: number;
  /** Audits of the registry target, each followed by a raw HEAD loop. */
  rounds: number;
  /** Projects the registry's repositories are spread over (one audit shard each). */
  registryProjects?: number;
  tags: number;
  artifacts: number;
  rttMs: number;
  jitterMs: number;
  rawConcurrency: number[];
  rawSample: number;
  /** Writes a heap snapshot of each audit when its heap first exceeds this many MiB. */
  heapSnapshotMiB?: number;
  /** Node.js flags of the audit child: `harbor-dr`'s own unless `--node-flags` says others. */
  nodeFlags: string[];
  /** The registry target adapts its concurrency (`adaptiveConcurrency`, capped at `concurrency`). */
  adaptive: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      large: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'skopeo-sample': { type: 'string', default: '300' },
      'tool-requests': { type: 'string', default: '3000' },
      concurrency: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '1' },
      'registry-projects': { type: 'string' },
      tags: { type: 'string' },
      artifacts: { type: 'string' },
      rtt: { type: 'string', default: '25' },
      jitter: { type: 'string', default: '2' },
      'raw-concurrency': { type: 'string', default: '8,16,32,64' },
      'raw-sample': { type: 'string', default: '5000' },
      'heap-snapshot-mib': { type: 'string' },
      'node-flags': { type: 'string' },
      adaptive: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, v: string, min = 1): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number >= ${min.toString()}`);
    return n;
  };
  const scale = values.large ? 100_000 : 10_000;
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
    tags: int('tags', values.tags ?? String(scale)),
    artifacts: int('artifacts', values.artifacts ?? String(scale)),
    rttMs: int('rtt', values.rtt, 0),
    jitterMs: int('jitter', values.jitter, 0),
    rawConcurrency: values['raw-concurrency']
      .split(',')
      .map((c) => int('raw-concurrency', c.trim())),
    rawSample: int('raw-sample', values['raw-sample']),
    ...(values['heap-snapshot-mib'] === undefined
      ? {}
      : {
          heapSnapshotMiB: int(
            'heap-snapshot-mib',
            values['heap-snapshot-mib']
          ),
        }),
    adaptive: values.adaptive,
    nodeFlags:
      values['node-flags'] === undefined
        ? cliNodeFlags()
        : values['node-flags'].split(' ').filter((f) => f !== ''),
  };
}

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

const seconds = (since: number): number => (performance.now() - since) / 1000;

/** CPU seconds of the lab (this process), docker-registry and the proxy while `fn` runs. */
async function withCpu<T>(
  pids: { registry: number | undefined; proxy: number | undefined },
  fn: () => Promise<T>
): Promise<{
  value: T;
  labCpu: number;
  registryCpu: number | undefined;
  proxyCpu: number | undefined;
}> {
  const of = (pid: number | undefined) =>
    pid === undefined ? undefined : cpuSecondsOf(pid);
  const lab0 = ownCpuSeconds();
  const reg0 = of(pids.registry);
  const proxy0 = of(pids.proxy);
  const value = await fn();
  const reg1 = of(pids.registry);
  const proxy1 = of(pids.proxy);
  const diff = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : b - a;
  return {
    value,
    labCpu: ownCpuSeconds() - lab0,
    registryCpu: diff(reg0, reg1),
    proxyCpu: diff(proxy0, proxy1),
  };
}

/** The running parts of the bench: docker-registry, the proxy in front of it, the lab. */
interface Rig {
  registry: DistributionRegistry;
  registryData: string;
  /** The address clients use: the proxy's, or the registry's on loopback. */
  registryUrl: string;
  proxy: ServiceChild | undefined;
  lab: Lab;
  labStartSeconds: number;
}

async function startRig(
  sizes: BenchSizes,
  opts: Options,
  bundles: ChildBundles,
  work: string
): Promise<Rig> {
  // tmpfs when there is one: 100,000 tags are ~700,000 small directories and files, which a
  // disk makes slow to write and slower still to delete (a discard per freed block).
  const registryData = existsSync('/dev/shm')
    ? join('/dev/shm', `harbor-dr-bench-registry-${process.pid.toString()}`)
    : join(work, 'registry-data');
  log('starting docker-registry');
  const registry = await startDistributionRegistry({ dataDir: registryData });
  let proxy: ServiceChild | undefined;
  let registryUrl = registry.url;
  try {
    if (opts.rttMs > 0 || opts.jitterMs > 0) {
      log(
        `starting the latency proxy (RTT ${opts.rttMs.toString()} ms ± ${opts.jitterMs.toString()} ms)`
      );
      proxy = startNode(bundles.latencyProxy, [
        '--target',
        new URL(registry.url).host,
        '--rtt',
        String(opts.rttMs),
        '--jitter',
        String(opts.jitterMs),
      ]);
      registryUrl = readResult(await proxy.ready, proxyResultSchema).url;
    }
    log('starting the lab (2 emulated Harbors)');
    const t = performance.now();
    const lab = await startLab(benchScenario(sizes, registryUrl));
    return {
      registry,
      registryData,
      registryUrl,
      proxy,
      lab,
      labStartSeconds: seconds(t),
    };
  } catch (err) {
    await proxy?.stop();
    await registry.stop();
    throw err;
  }
}

async function stopRig(rig: Rig): Promise<void> {
  await rig.lab.stop();
  await rig.proxy?.stop();
  await rig.registry.stop();
  rmSync(rig.registryData, { recursive: true, force: true });
}

async function main(): Promise<void> {
  // `--distributed [--workers <n>]`: the distributed audit against the single process.
  if (process.argv.includes('--distributed')) {
    await runDistributedBench(process.argv.slice(2));
    return;
  }
  const opts = options();
  const sizes: BenchSizes = {
    ...(opts.quick ? QUICK_SIZES : scaledSizes(opts.tags, opts.artifacts)),
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
  const rig = await startRig(sizes, opts, bundles, work);
  try {
    const results = await measure(rig, sizes, opts, bundles, work, {
      startedAt,
      t0,
      loadAtStart,
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
    await stopRig(rig);
  }
}

/** Adds the registry (at the address behind the proxy) to the config the lab wrote. */
function addRegistryTarget(
  configPath: string,
  url: string,
  adaptiveCap: number | undefined
): void {
  const config = parseYaml(readFileSync(configPath, 'utf8')) as {
    targets: Record<string, unknown>[];
  };
  config.targets.push({
    name: NAMES.registryTarget,
    url,
    kind: 'distribution',
    verifyTls: false,
    ...(adaptiveCap === undefined
      ? {}
      : { adaptiveConcurrency: true, maxConcurrency: adaptiveCap }),
  });
  writeFileSync(configPath, stringifyYaml(config));
}

async function measure(
  rig: Rig,
  sizes: BenchSizes,
  opts: Options,
  bundles: ChildBundles,
  work: string,
  start: {
    startedAt: Date;
    t0: number;
    loadAtStart: number;
  }
): Promise<BenchResults> {
  const { lab, registry } = rig;
  const [registryPid] = childPidsNamed('docker-registry');
  const pids = { registry: registryPid, proxy: rig.proxy?.pid };
  const concurrency = String(opts.concurrency);

  log(
    `seeding: docker-registry (child; one repository over HTTP, the rest as its storage files) and the lab stores, in parallel`
  );
  const seeding = runNode(bundles.seedRegistry, [
    '--url',
    registry.url,
    '--data-dir',
    rig.registryData,
    '--sizes',
    JSON.stringify(sizes),
    '--concurrency',
    concurrency,
  ]);
  // Attach the handler now: the lab seeding below blocks the event loop for a while.
  const seeded = seeding.then((out) => readResult(out, seedResultSchema));
  seeded.catch(() => undefined);
  const t = performance.now();
  const cpu0 = ownCpuSeconds();
  const lab0 = seedLabHarbors(lab, sizes);
  const labStoresSeconds = seconds(t);
  const labStoresCpuSeconds = ownCpuSeconds() - cpu0;
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
  addRegistryTarget(
    configPath,
    rig.registryUrl,
    opts.adaptive ? opts.concurrency : undefined
  );
  const refs: ExpectedTag[] = registryRepos(sizes).flatMap((r) =>
    registryTags(sizes).map((tag) => ({
      repository: r.name,
      tag,
      digest: lab0.registryDigests.get(r.name) ?? '',
    }))
  );
  const refsFile = join(work, 'registry-refs.tsv');
  writeFileSync(refsFile, formatRefs(refs));

  const harborTarget = lab.harbors.find((h) => h.name === NAMES.harborTarget);
  const firstHarborRepo = harborRepos(sizes)[0];
  if (!harborTarget || !firstHarborRepo)
    throw new Error('the bench lab has no Harbor target');
  log('the lab Harbor target: time per page of 100 artifacts');
  const labPages = {
    ...(await measureLabPages(
      harborTarget.url,
      harborTarget.admin,
      firstHarborRepo.name,
      20
    )),
    artifactsInRepository: sizes.artifactsPerRepo,
    artifactsInLab: lab0.harborArtifacts,
  };

  const rawHead = async (
    mode: 'keep-alive' | 'default',
    when: RawHeadMeasurement['when'],
    loops: number,
    limit: number
  ): Promise<RawHeadMeasurement> => {
    log(
      `raw HEAD loop, undici ${mode}, concurrency ${loops.toString()} (${when})`
    );
    const expected = Math.min(limit, refs.length);
    const { value, registryCpu } = await withCpu(pids, async () =>
      readResult(
        await runNode(bundles.rawHead, [
          '--url',
          rig.registryUrl,
          '--refs',
          refsFile,
          '--mode',
          mode,
          '--limit',
          String(expected),
          '--concurrency',
          String(loops),
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
      concurrency: loops,
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
    const { value, labCpu, registryCpu, proxyCpu } = await withCpu(
      pids,
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
              ...(opts.heapSnapshotMiB === undefined
                ? []
                : [
                    '--heap-snapshot-mib',
                    String(opts.heapSnapshotMiB),
                    '--heap-snapshot-dir',
                    work,
                  ]),
            ],
            { nodeFlags: opts.nodeFlags, ...(cpuProfDir ? { cpuProfDir } : {}) }
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
    const requestsPer100: Record<string, number> = {};
    for (const p of value.trace.phases) {
      const upstream = p.phase.split(' ')[0] ?? '?';
      requestsPer100[upstream] = (requestsPer100[upstream] ?? 0) + p.requests;
    }
    for (const k of Object.keys(requestsPer100))
      requestsPer100[k] = ((requestsPer100[k] ?? 0) * 100) / c.expected;
    return {
      target,
      kind,
      artifacts: c.expected,
      seconds: value.seconds,
      rate: c.expected / value.seconds,
      peakRssMiB: Math.max(value.peakRssMiB, value.vmHwmMiB),
      rssBeforeMiB: value.rssBeforeMiB,
      memory: value.memory,
      cpuSeconds: value.cpuSeconds,
      labCpuSeconds: labCpu,
      registryCpuSeconds: kind === 'distribution' ? registryCpu : undefined,
      proxyCpuSeconds: kind === 'distribution' ? proxyCpu : undefined,
      requestsPer100,
      verdict: value.verdict,
      report: value.report,
      trace: value.trace,
    };
  };

  // The raw HEAD rate at several concurrencies (the audit's among them): the best is the
  // ceiling of this link. After each audit the raw loop runs again at the best concurrency, so
  // that each audit is compared with the raw rate measured just before and just after it (the
  // load of a shared machine drifts).
  const sweep = [...new Set([...opts.rawConcurrency, opts.concurrency])].sort(
    (a, b) => a - b
  );
  const raw: RawHeadMeasurement[] = [];
  for (const c of sweep)
    raw.push(await rawHead('keep-alive', 'sweep', c, opts.rawSample));
  const best = raw.reduce((a, b) => (b.rate > a.rate ? b : a));
  const registryRuns: AuditMeasurement[] = [];
  const after: RawHeadMeasurement[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    registryRuns.push({
      ...(await audit(NAMES.registryTarget, 'distribution', refs.length)),
      round,
    });
    after.push(
      await rawHead(
        'keep-alive',
        `after audit ${round.toString()}`,
        best.concurrency,
        opts.rawSample
      )
    );
  }
  raw.push(...after);
  raw.push(
    await rawHead(
      'default',
      `after audit ${opts.rounds.toString()}`,
      opts.concurrency,
      opts.toolRequests
    )
  );
  const harborAudit = await audit(
    NAMES.harborTarget,
    'harbor',
    lab0.harborArtifacts
  );

  const url = `${rig.registryUrl}/v2/${refs[0]?.repository ?? ''}/manifests/${refs[0]?.tag ?? ''}`;
  const tools: ToolRate[] = [];
  for (const tool of [heyHead, abHead]) {
    log(
      `${tool === heyHead ? 'hey' : 'ab'} -c ${best.concurrency.toString()} HEAD`
    );
    const r = await tool(url, opts.toolRequests, best.concurrency);
    if (r) tools.push(r);
  }

  const sample = Math.min(opts.skopeoSample, refs.length);
  log(`skopeo script over ${sample.toString()} tags`);
  const skopeo = await runSkopeoBaseline(
    new URL(rig.registryUrl).host,
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
  const mean = (xs: readonly number[]) =>
    xs.reduce((sum, x) => sum + x, 0) / Math.max(1, xs.length);
  const registryRate = mean(registryRuns.map((a) => a.rate));
  // Each audit against the best raw rate before it and the raw rate at that concurrency after it.
  const rawAround = (i: number): number =>
    mean([
      i === 0 ? best.rate : (after[i - 1]?.rate ?? NaN),
      after[i]?.rate ?? NaN,
    ]);
  const rawRatio = mean(registryRuns.map((a, i) => a.rate / rawAround(i)));
  const registryPeakRss = Math.max(...registryRuns.map((a) => a.peakRssMiB));
  const link =
    opts.rttMs > 0 || opts.jitterMs > 0
      ? `${opts.rttMs.toString()} ms RTT ± ${opts.jitterMs.toString()} ms`
      : 'loopback';
  const aims: AimResult[] = [
    {
      name: 'audit (mean of rounds) / skopeo script',
      value: registryRate / skopeoRate,
      unit: 'x',
      aim: `>= ${AIMS.skopeo.toString()}x`,
      met: registryRate / skopeoRate >= AIMS.skopeo,
    },
    {
      name: `audit / raw HEAD at its best concurrency (${best.concurrency.toString()}; undici keep-alive before+after each round)`,
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
    ...Object.entries(harborAudit.requestsPer100).map(([side, value]) => ({
      name: `requests per 100 artifacts, Harbor target audit, ${side}`,
      value,
      unit: 'req' as const,
      aim: `<= ${AIMS.requestsPer100.toString()}`,
      met: value <= AIMS.requestsPer100,
    })),
  ];
  const notes = [
    `Link: docker-registry behind the latency proxy (${link}; each chunk of each direction delayed ` +
      `RTT/2 ± jitter, in order), for the audit, every raw HEAD loop, hey, ab and the skopeo script ` +
      `alike. The lab Harbors (primary and Harbor target) are on loopback.`,
    `Rates exclude seeding. Each audit is one runAuditJob (as \`harbor-dr audit\`) in its own process ` +
      `(esbuild bundle, as the Lambda), concurrency ${concurrency}${opts.adaptive ? ' (the registry target adaptive up to it: adaptiveConcurrency)' : ''}; it includes the primary's ` +
      `inventory through the Harbor API, the plan, the target's observation, the diff and the report. ` +
      `Every expected ref was found synced.`,
    `The skopeo script ran over the first ${sample.toString()} tags (${skopeo.compared.toString()} compared, ` +
      `${Math.ceil(sample / sizes.tagsPerRepo).toString()} list-tags) and its per-tag rate is extrapolated ` +
      `to ${refs.length.toString()} tags; it is given the expected digests (no Harbor API calls).`,
    `Each raw undici loop HEADs the first ${Math.min(opts.rawSample, refs.length).toString()} tags once, ` +
      `as the audit does, over keep-alive connections (\`reset: false\`); the sweep's best ` +
      `concurrency (${best.concurrency.toString()}) is the link's ceiling. Without that option undici ` +
      `closes the connection after every HEAD (its guard against servers that send a body with HEAD), ` +
      `the "without keep-alive" row. hey and ab repeat one URL.`,
    `The Harbor target's rate is bounded by the lab's emulated Harbors (this process, "lab" CPU, apart ` +
      `from the audit's own CPU, "self"), not by a real Harbor.`,
    `Peak RSS: getrusage maxRSS / VmHWM of the audit process (it held ${Math.round(harborAudit.rssBeforeMiB).toString()} MiB ` +
      `before the audit started), run with ${opts.nodeFlags.length === 0 ? "V8's default heap sizes" : `node ${opts.nodeFlags.join(' ')}`} ` +
      `(${opts.nodeFlags.join(' ') === cliNodeFlags().join(' ') ? 'as `harbor-dr` runs' : '`--node-flags`'}).`,
  ];
  return {
    startedAt: start.startedAt.toISOString(),
    totalSeconds: seconds(start.t0),
    concurrency: opts.concurrency,
    auditNodeFlags: opts.nodeFlags,
    adaptive: opts.adaptive,
    link: { rttMs: opts.rttMs, jitterMs: opts.jitterMs },
    bestRawConcurrency: best.concurrency,
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
      labStartSeconds: rig.labStartSeconds,
      labStoresSeconds,
      labStoresCpuSeconds,
      labArtifactsStored: lab0.storedArtifacts,
      registry: {
        blobUploads: seed.blobUploads,
        manifestPuts: seed.manifestPuts,
        fileTags: seed.fileTags,
        seconds: seed.seconds,
      },
    },
    labPages,
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

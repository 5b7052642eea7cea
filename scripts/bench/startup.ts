/**
 * The `harbor-dr` command's start-up time: the median wall time of N runs of `--version` and
 * of `validate-config` on an example config, through bin/harbor-dr-cli.js as operators run it,
 * once with the esbuild bundle (built first, as `npm run build:cli`) and once through tsx
 * (HARBOR_DR_ENTRY=tsx: the TypeScript compiled at each start). Each series starts with one
 * unmeasured warm-up run (the OS's file cache, Node's compile cache, tsx's cache).
 *
 * `npm run bench` runs it first; alone: `npx tsx scripts/bench/startup.ts [--runs 9]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCli } from '../build-cli';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'harbor-dr-cli.js');
const EXAMPLE = join(ROOT, 'examples', 'minimal.json');

/** The aim of issue 15: each command starts in under half a second (median). */
export const STARTUP_AIM_MS = 500;

const COMMANDS = {
  '--version': ['--version'],
  'validate-config': ['validate-config', '--config', EXAMPLE],
} as const;

export type StartupCommand = keyof typeof COMMANDS;
export type StartupEntry = 'bundle' | 'tsx';

/** One command's series of runs through one entry. */
export interface StartupSeries {
  command: StartupCommand;
  entry: StartupEntry;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median CPU time (user + system) of the process: less sensitive to a loaded machine. */
  medianCpuMs: number;
}

export interface StartupResults {
  node: string;
  /** 1-minute load average before and after: the machine may be shared. */
  load: { before: number; after: number };
  series: StartupSeries[];
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] ?? NaN)
    : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/** Preloaded into each run: prints the process's CPU time on stderr as it exits. */
const CPU_AT_EXIT = `process.on('exit', () => {
  const u = process.cpuUsage();
  process.stderr.write('harbor-dr-cpu-us ' + String(u.user + u.system) + '\\n');
});
`;

/**
 * Runs the bin once: its wall and CPU time in ms (throws unless it exits 0 on the expected
 * entry).
 */
function runOnce(
  args: readonly string[],
  entry: StartupEntry,
  preload: string
): { wallMs: number; cpuMs: number } {
  const env = {
    ...process.env,
    HARBOR_DR_SHOW_ENTRY: '1',
    ...(entry === 'tsx' ? { HARBOR_DR_ENTRY: 'tsx' } : {}),
  };
  const t = performance.now();
  const run = spawnSync(process.execPath, ['-r', preload, BIN, ...args], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  const ms = performance.now() - t;
  if (run.status !== 0) {
    throw new Error(
      `harbor-dr ${args.join(' ')} exited ${String(run.status)}: ${run.stderr}`
    );
  }
  if (
    !run.stderr.includes(
      entry === 'bundle' ? 'runs the bundle' : 'runs the TypeScript through tsx'
    )
  ) {
    throw new Error(
      `harbor-dr ${args.join(' ')}: expected the ${entry}, got: ${run.stderr.trim()}`
    );
  }
  const cpu = /harbor-dr-cpu-us (\d+)/.exec(run.stderr)?.[1];
  return { wallMs: ms, cpuMs: cpu === undefined ? NaN : Number(cpu) / 1000 };
}

/** Builds the bundle, then measures each command through each entry. */
export async function measureStartup(runs: number): Promise<StartupResults> {
  await buildCli();
  const preload = join(
    mkdtempSync(join(tmpdir(), 'harbor-dr-startup-')),
    'cpu.js'
  );
  writeFileSync(preload, CPU_AT_EXIT);
  const before = loadavg()[0] ?? 0;
  const series: StartupSeries[] = [];
  for (const entry of ['bundle', 'tsx'] as const) {
    for (const [command, args] of Object.entries(COMMANDS) as [
      StartupCommand,
      readonly string[],
    ][]) {
      runOnce(args, entry, preload);
      const samples = Array.from({ length: runs }, () =>
        runOnce(args, entry, preload)
      );
      const times = samples.map((x) => x.wallMs);
      series.push({
        command,
        entry,
        runs,
        medianMs: median(times),
        minMs: Math.min(...times),
        maxMs: Math.max(...times),
        medianCpuMs: median(samples.map((x) => x.cpuMs)),
      });
    }
  }
  return {
    node: process.version,
    load: { before, after: loadavg()[0] ?? 0 },
    series,
  };
}

/** The results as a few lines of text, with the aim. */
export function formatStartup(r: StartupResults): string {
  const lines = [
    `CLI start-up (node bin/harbor-dr-cli.js, Node ${r.node}, median of ${String(r.series[0]?.runs ?? 0)} runs after a warm-up; load ${r.load.before.toFixed(2)} -> ${r.load.after.toFixed(2)})`,
  ];
  for (const s of r.series) {
    const aim =
      s.entry === 'bundle'
        ? `  aim < ${String(STARTUP_AIM_MS)} ms: ${s.medianMs < STARTUP_AIM_MS ? 'met' : 'NOT met'}`
        : '';
    lines.push(
      `  ${s.command.padEnd(16)} ${s.entry.padEnd(6)} median ${s.medianMs.toFixed(0).padStart(5)} ms  (min ${s.minMs.toFixed(0)}, max ${s.maxMs.toFixed(0)}; CPU ${s.medianCpuMs.toFixed(0)} ms)${aim}`
    );
  }
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '7' } },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error('--runs must be a positive whole number');
  }
  measureStartup(runs).then(
    (r) => {
      process.stdout.write(formatStartup(r));
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    }
  );
}

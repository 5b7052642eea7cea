/**
 * Benchmark child: one audit of one target through runAuditJob, as the CLI and the Lambda run
 * it, in a process of its own so that its peak RSS is the audit's alone. Prints one result line.
 *
 * Usage: audit-child --config <harbor-dr.yaml> --target <name> --out <dir> [--concurrency 8]
 *          [--heap-snapshot-mib <n> --heap-snapshot-dir <dir>]
 *
 * Memory is sampled every 20 ms (heap used, external, array buffers: where the peak RSS goes);
 * with --heap-snapshot-mib, a V8 heap snapshot is written the first time the heap used
 * crosses that many MiB (heap-summary.ts summarises it by constructor).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { LocalDirReportStore } from '../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../lambdas/adapters/secrets/credentials';
import { runAuditJob } from '../../lambdas/use-cases/audit-job';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { ownCpuSeconds, peakRssMiB, procStatusMiB } from './proc';
import { printResult, type AuditChildResult } from './result-line';
import { traceUndici } from './trace';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      target: { type: 'string' },
      out: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      'heap-snapshot-mib': { type: 'string' },
      'heap-snapshot-dir': { type: 'string' },
    },
  });
  if (!values.config || !values.target || !values.out)
    throw new Error('usage: --config <file> --target <name> --out <dir>');
  const config = loadConfigFile(values.config);
  const upstreams = new Map<string, string>([
    [new URL(config.primary.url).origin, 'primary'],
    ...config.targets.map(
      (t) => [new URL(t.url).origin, 'target'] as [string, string]
    ),
  ]);
  const trace = traceUndici(upstreams);
  const rssBeforeMiB = procStatusMiB().vmRss;
  const memory = sampleMemory(
    values['heap-snapshot-mib'] === undefined
      ? undefined
      : {
          atMiB: Number(values['heap-snapshot-mib']),
          dir: resolve(values['heap-snapshot-dir'] ?? '.'),
        }
  );
  trace.start();
  const cpuBefore = ownCpuSeconds();
  const started = performance.now();
  const result = await runAuditJob(
    {
      store: new LocalDirReportStore(resolve(values.out)),
      clock: { now: () => new Date() },
      resolveCredentials: createCredentialsResolver(),
    },
    {
      config,
      toolVersion: 'bench',
      deadline: new Date(Date.now() + 14 * 60_000),
      concurrency: Number(values.concurrency),
      targets: [values.target],
    }
  );
  const seconds = (performance.now() - started) / 1000;
  const peaks = memory.stop();
  const traced = trace.stop();
  const cpuSeconds = ownCpuSeconds() - cpuBefore;
  const target = result.report.targets.find((t) => t.name === values.target);
  if (!target) throw new Error(`the report has no target ${values.target}`);
  const out: AuditChildResult = {
    target: target.name,
    seconds,
    cpuSeconds,
    rssBeforeMiB,
    peakRssMiB: peakRssMiB(),
    vmHwmMiB: procStatusMiB().vmHwm,
    memory: peaks,
    verdict: target.verdict,
    counts: target.counts,
    shards: {
      audited: target.shards.filter((s) => s.status === 'audited').length,
      other: target.shards.filter((s) => s.status !== 'audited').length,
    },
    errors: [...result.report.errors, ...target.errors].map(
      (e) => `${e.scope}: ${e.message}`
    ),
    report: result.locations.json,
    trace: traced,
  };
  printResult(out);
}

const MiB = 1024 * 1024;

/** Peaks of the heap's parts while the audit runs, sampled every 20 ms. */
function sampleMemory(snapshot: { atMiB: number; dir: string } | undefined) {
  const peak = { heapUsedMiB: 0, externalMiB: 0, arrayBuffersMiB: 0 };
  let snapshotFile: string | undefined;
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.heapUsedMiB = Math.max(peak.heapUsedMiB, m.heapUsed / MiB);
    peak.externalMiB = Math.max(peak.externalMiB, m.external / MiB);
    peak.arrayBuffersMiB = Math.max(peak.arrayBuffersMiB, m.arrayBuffers / MiB);
    if (
      snapshot &&
      snapshotFile === undefined &&
      m.heapUsed / MiB >= snapshot.atMiB
    )
      snapshotFile = writeHeapSnapshot(
        `${snapshot.dir}/audit-${Math.round(m.heapUsed / MiB).toString()}MiB.heapsnapshot`
      );
  };
  const timer = setInterval(sample, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const r = (x: number) => Math.round(x * 10) / 10;
      return {
        heapUsedMiB: r(peak.heapUsedMiB),
        externalMiB: r(peak.externalMiB),
        arrayBuffersMiB: r(peak.arrayBuffersMiB),
        ...(snapshotFile === undefined ? {} : { snapshot: snapshotFile }),
      };
    },
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

import { z } from 'zod';

/** Marks the one stdout line of a benchmark child that carries its result. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/** Prints a child's result (the parent reads the last line with the prefix). */
export function printResult(result: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** The result a child printed, validated; throws when it printed none. */
export function readResult<S extends z.ZodType>(
  stdout: string,
  schema: S
): z.output<S> {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  if (line === undefined) throw new Error('the child printed no result line');
  return schema.parse(JSON.parse(line.slice(RESULT_PREFIX.length)));
}

/** The result of the audit child (audit-child.ts). */
export const auditChildResultSchema = z.object({
  target: z.string(),
  seconds: z.number(),
  cpuSeconds: z.number(),
  rssBeforeMiB: z.number(),
  peakRssMiB: z.number(),
  vmHwmMiB: z.number(),
  /** Peaks sampled while the audit ran (audit-child.ts). */
  memory: z.object({
    heapUsedMiB: z.number(),
    externalMiB: z.number(),
    arrayBuffersMiB: z.number(),
    snapshot: z.string().optional(),
  }),
  verdict: z.string(),
  counts: z.object({
    expected: z.number(),
    synced: z.number(),
    missing: z.number(),
    mismatched: z.number(),
    orphaned: z.number(),
    unknown: z.number(),
  }),
  shards: z.object({ audited: z.number(), other: z.number() }),
  errors: z.array(z.string()),
  report: z.string(),
  trace: z.object({
    phases: z.array(
      z.object({
        phase: z.string(),
        requests: z.number(),
        firstStart: z.number(),
        lastEnd: z.number(),
        meanLatency: z.number(),
      })
    ),
    connections: z.record(z.string(), z.number()),
  }),
});
export type AuditChildResult = z.output<typeof auditChildResultSchema>;

/** The result of the raw HEAD loop (raw-head-child.ts). */
export const rawHeadResultSchema = z.object({
  requests: z.number(),
  /** TCP connections opened. */
  connections: z.number(),
  ok: z.number(),
  digestMatches: z.number(),
  seconds: z.number(),
  cpuSeconds: z.number(),
  peakRssMiB: z.number(),
});
export type RawHeadResult = z.output<typeof rawHeadResultSchema>;

/** The result of the registry seeding (seed-registry-child.ts). */
export const seedResultSchema = z.object({
  repositories: z.number(),
  blobUploads: z.number(),
  manifestPuts: z.number(),
  /** Tags written into the registry's storage instead of pushed (registry-files.ts). */
  fileTags: z.number(),
  seconds: z.number(),
  /** repository → digest of its image, as the registry reported it. */
  digests: z.record(z.string(), z.string()),
});
export type SeedResult = z.output<typeof seedResultSchema>;

/** The ready line of the latency proxy child (latency-proxy-child.ts). */
export const proxyResultSchema = z.object({
  port: z.number(),
  url: z.string(),
});

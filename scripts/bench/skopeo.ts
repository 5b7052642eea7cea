import { join } from 'node:path';
import { z } from 'zod';
import { run } from './exec';
import { readResult } from './result-line';

const skopeoResultSchema = z.object({
  compared: z.number(),
  synced: z.number(),
  missing: z.number(),
  mismatched: z.number(),
  seconds: z.number(),
});

/** What the skopeo script found over its sample, and how long it took. */
export type SkopeoResult = z.output<typeof skopeoResultSchema>;

/** Runs skopeo-baseline.sh over the first `sample` refs of `refsFile`. */
export async function runSkopeoBaseline(
  host: string,
  refsFile: string,
  sample: number
): Promise<SkopeoResult> {
  const script = join(__dirname, 'skopeo-baseline.sh');
  const out = await run('bash', [script, host, refsFile, String(sample)]);
  return readResult(out, skopeoResultSchema);
}

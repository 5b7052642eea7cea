import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({
        functionName: z.string(),
        url: z.string(),
        lineNumber: z.number(),
      }),
      children: z.array(z.number()).optional(),
    })
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Where the time of a CPU profile went. */
export interface ProfileSummary {
  totalMs: number;
  /** Self time per source file (bundle positions mapped back to their module). */
  byFile: { file: string; ms: number; share: number }[];
  /** Self time per function. */
  bySelf: { fn: string; ms: number; share: number }[];
  /** Inclusive time per function (each function counted once per sample). */
  byTotal: { fn: string; ms: number; share: number }[];
}

/**
 * Maps a line of an esbuild bundle to the module it came from: esbuild writes a
 * `// path/to/module.ts` comment before each module when it does not minify.
 */
function moduleLines(bundle: string): (line: number) => string {
  const starts: { line: number; file: string }[] = [];
  bundle.split('\n').forEach((text, i) => {
    const m = /^\/\/ ((?:[\w@.-]+\/)+[\w.-]+\.(?:ts|js|cjs|mjs))$/.exec(text);
    if (m?.[1]) starts.push({ line: i, file: m[1] });
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = starts[mid];
      if (!s) break;
      if (s.line <= line) {
        found = s.file;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** Summarises the newest .cpuprofile in `dir`; `bundle` maps bundle lines to modules. */
export function summariseProfile(
  dir: string,
  bundle: string,
  top = 15
): ProfileSummary {
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .at(-1);
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = profileSchema.parse(
    JSON.parse(readFileSync(join(dir, file), 'utf8'))
  );
  const moduleOf = moduleLines(readFileSync(bundle, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes)
    for (const c of n.children ?? []) parent.set(c, n.id);
  const where = (id: number): { file: string; fn: string } => {
    const cf = nodes.get(id)?.callFrame;
    if (!cf) return { file: '?', fn: '?' };
    const fileName = cf.url.endsWith(bundle.split('/').at(-1) ?? '\0')
      ? moduleOf(cf.lineNumber)
      : cf.url === ''
        ? `(${cf.functionName || 'native'})`
        : cf.url.replace(/^node:/, 'node:');
    return {
      file: fileName,
      fn: `${cf.functionName || '(anonymous)'} ${fileName}`,
    };
  };
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFile = new Map<string, number>();
  const bySelf = new Map<string, number>();
  const byTotal = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    total += us;
    const w = where(id);
    byFile.set(w.file, (byFile.get(w.file) ?? 0) + us);
    bySelf.set(w.fn, (bySelf.get(w.fn) ?? 0) + us);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const fn = where(x).fn;
      if (seen.has(fn)) continue;
      seen.add(fn);
      byTotal.set(fn, (byTotal.get(fn) ?? 0) + us);
    }
  }
  const rank = <K extends string>(m: Map<string, number>, key: K) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          ({
            [key]: k,
            ms: Math.round(us / 1000),
            share: Math.round((1000 * us) / Math.max(1, total)) / 10,
          }) as Record<K, string> & { ms: number; share: number }
      );
  return {
    totalMs: Math.round(total / 1000),
    byFile: rank(byFile, 'file'),
    bySelf: rank(bySelf, 'fn'),
    byTotal: rank(byTotal, 'fn'),
  };
}

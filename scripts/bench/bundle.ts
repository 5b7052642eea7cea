import { join } from 'node:path';
import { build } from 'esbuild';

/** The benchmark's child processes, bundled. */
export interface ChildBundles {
  audit: string;
  rawHead: string;
  seedRegistry: string;
  latencyProxy: string;
}

/**
 * Bundles the children with esbuild, as the Lambda is bundled, so that the audit's peak RSS is
 * not inflated by a TypeScript loader (tsx alone adds ~45 MiB to a Node process).
 */
export async function bundleChildren(outDir: string): Promise<ChildBundles> {
  const here = __dirname;
  await build({
    entryPoints: {
      'audit-child': join(here, 'audit-child.ts'),
      'raw-head-child': join(here, 'raw-head-child.ts'),
      'seed-registry-child': join(here, 'seed-registry-child.ts'),
      'latency-proxy-child': join(here, 'latency-proxy-child.ts'),
    },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return {
    audit: join(outDir, 'audit-child.js'),
    rawHead: join(outDir, 'raw-head-child.js'),
    seedRegistry: join(outDir, 'seed-registry-child.js'),
    latencyProxy: join(outDir, 'latency-proxy-child.js'),
  };
}

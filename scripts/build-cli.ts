import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** The repository's root. */
const ROOT = resolve(__dirname, '..');

/** Where `npm run build:cli` (and `npm ci`, through `prepare`) writes the bundle. */
export const DEFAULT_CLI_BUNDLE = join(ROOT, 'dist', 'harbor-dr.cjs');

/** The lab's entry, as lambdas/cli/commands/lab.ts requires it. */
const LAB_REQUEST = /^(\.\.\/)+lab\/index$/;
const LAB_ENTRY = join(ROOT, 'lab', 'index.ts');

/**
 * The lab stays out of the bundle: `harbor-dr lab` loads its TypeScript through tsx when it
 * runs (the lab and its devDependencies are large, and only the demo needs them). The path is
 * relative to the bundle, resolved at run time; tsx is resolved from the lab's directory.
 */
function labOutsideTheBundle(outfile: string): Plugin {
  const fromBundle = relative(dirname(outfile), LAB_ENTRY).replace(/\\/g, '/');
  return {
    name: 'lab-outside-the-bundle',
    setup(b) {
      b.onResolve({ filter: LAB_REQUEST }, () => ({
        path: 'lab',
        namespace: 'harbor-dr-lab',
      }));
      b.onLoad({ filter: /.*/, namespace: 'harbor-dr-lab' }, () => ({
        loader: 'js',
        contents: [
          "const { createRequire } = require('node:module');",
          "const { join } = require('node:path');",
          `const labEntry = join(__dirname, ${JSON.stringify(fromBundle)});`,
          'const load = createRequire(labEntry);',
          "load('tsx/cjs/api').register();",
          'module.exports = load(labEntry);',
        ].join('\n'),
      }));
    },
  };
}

/** What a bundle was built from: bin/harbor-dr-cli.js runs it only while none is newer. */
export interface BundleInputs {
  /** The repository's files (not node_modules) bundled, relative to the bundle's directory. */
  inputs: string[];
}

/** The file beside a bundle that lists its inputs. */
export function inputsFileOf(bundle: string): string {
  return bundle.replace(/\.cjs$/, '.inputs.json');
}

/**
 * Bundles the `harbor-dr` command (bin/cli.ts) with esbuild, as the Lambdas are bundled: one
 * CommonJS file for Node 20.19+, so that a start does not compile TypeScript. The commands'
 * modules stay lazily initialised (lambdas/cli/program.ts requires them when they run).
 */
export async function buildCli(
  outfile: string = DEFAULT_CLI_BUNDLE
): Promise<{ bundle: string; inputs: string[] }> {
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [join(ROOT, 'bin', 'cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    banner: {
      js: '// Built by `npm run build:cli` from bin/cli.ts: do not edit (bin/harbor-dr-cli.js runs it).',
    },
    plugins: [labOutsideTheBundle(outfile)],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes('node_modules/') && !p.includes(':'))
    .map((p) =>
      relative(dirname(outfile), resolve(process.cwd(), p)).replace(/\\/g, '/')
    )
    .sort();
  const manifest: BundleInputs = { inputs };
  writeFileSync(
    inputsFileOf(outfile),
    `${JSON.stringify(manifest, null, 2)}\n`
  );
  return { bundle: outfile, inputs };
}

if (require.main === module) {
  const out = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_CLI_BUNDLE;
  buildCli(out).then(
    ({ bundle, inputs }) => {
      process.stdout.write(
        `harbor-dr bundled: ${relative(process.cwd(), bundle)} (${inputs.length.toString()} source files)\n`
      );
    },
    (err: unknown) => {
      process.stderr.write(`build:cli failed: ${String(err)}\n`);
      process.exitCode = 1;
    }
  );
}

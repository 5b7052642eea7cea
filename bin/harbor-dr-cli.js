#!/usr/bin/env -S node --max-semi-space-size=16
// The young generation is bounded (16 MiB semi-spaces) because V8 sizes it from the machine's
// memory: on a 24 GB machine a 100,000-tag audit grew it to 128 MiB and peaked at 305 MiB of
// RSS, with the bound at 225 MiB for 7% more CPU (`npm run bench`, README "Benchmark"). The
// benchmark runs its audit with these same flags (scripts/bench/exec.ts reads this line).
// The `harbor-dr` command. It runs the esbuild bundle dist/harbor-dr.cjs that `npm ci` builds
// (the `prepare` script; `npm run build:cli` rebuilds it), which starts in a fraction of a
// second. Without the bundle, or when a source file it was built from is newer (an edited
// checkout), it compiles the TypeScript at each start through tsx instead (1-2 s): the same
// command, only slower, so a stale bundle never runs old code.
const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const BUNDLE = join(__dirname, '..', 'dist', 'harbor-dr.cjs');

/**
 * Which entry runs: the bundle when it exists and none of the files it lists as its inputs
 * (dist/harbor-dr.inputs.json, relative to the bundle) is newer or gone; else tsx.
 * @returns {{ entry: 'bundle' | 'tsx', reason: string }}
 */
function chooseEntry(bundle = BUNDLE) {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return { entry: 'tsx', reason: 'no bundle (npm run build:cli builds it)' };
  }
  let inputs;
  try {
    inputs = JSON.parse(
      readFileSync(bundle.replace(/\.cjs$/, '.inputs.json'), 'utf8')
    ).inputs;
  } catch {
    return { entry: 'tsx', reason: 'the bundle lists no inputs' };
  }
  if (!Array.isArray(inputs) || inputs.length === 0) {
    return { entry: 'tsx', reason: 'the bundle lists no inputs' };
  }
  const dir = join(bundle, '..');
  for (const input of inputs) {
    let changed;
    try {
      changed = statSync(join(dir, String(input))).mtimeMs;
    } catch {
      return { entry: 'tsx', reason: `${String(input)} is gone` };
    }
    if (changed > built) {
      return {
        entry: 'tsx',
        reason: `${String(input)} is newer than the bundle`,
      };
    }
  }
  return { entry: 'bundle', reason: 'up to date' };
}

if (require.main === module) {
  // HARBOR_DR_ENTRY=tsx runs the TypeScript even with a bundle (the start-up bench compares both).
  const { entry, reason } =
    process.env.HARBOR_DR_ENTRY === 'tsx'
      ? { entry: 'tsx', reason: 'HARBOR_DR_ENTRY=tsx' }
      : chooseEntry();
  if (process.env.HARBOR_DR_SHOW_ENTRY === '1') {
    const flags = process.execArgv.join(' ');
    process.stderr.write(
      `harbor-dr: runs ${entry === 'bundle' ? 'the bundle' : 'the TypeScript through tsx'} (${reason})${flags === '' ? '' : `, node ${flags}`}\n`
    );
  }
  if (entry === 'bundle') {
    // Node 22.1+ keeps the bundle's compiled code on disk (in the OS's temp dir) between
    // starts: about half a start's CPU time. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
    require('node:module').enableCompileCache?.();
    require(BUNDLE);
  } else {
    require('tsx/cjs/api').register();
    require('./cli.ts');
  }
}

module.exports = { chooseEntry };

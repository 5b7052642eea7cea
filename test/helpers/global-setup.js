// jest globalSetup: the tests run on Node.js 24 (require-node-24.js), and the `harbor-dr`
// command they start runs the esbuild bundle dist/harbor-dr.cjs, as operators run it. `npm ci`
// builds the bundle (the `prepare` script); when it is missing or older than a source file
// (an edited checkout), it is rebuilt here, once, before any test starts it.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const requireNode24 = require('./require-node-24');

const ROOT = join(__dirname, '..', '..');

module.exports = function globalSetup() {
  requireNode24();
  const { chooseEntry } = require(join(ROOT, 'bin', 'harbor-dr-cli.js'));
  if (chooseEntry().entry === 'bundle') return;
  const build = spawnSync(
    process.execPath,
    [require.resolve('tsx/cli'), join(ROOT, 'scripts', 'build-cli.ts')],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 }
  );
  const { entry, reason } = chooseEntry();
  if (build.status !== 0 || entry !== 'bundle') {
    throw new Error(
      `npm run build:cli failed (${reason}): ${build.stderr || build.stdout}`
    );
  }
};

import { spawnSync } from 'node:child_process';
import { version } from '../../../package.json';

// The installed command, as operators run it: `npx harbor-dr ...` through the bin shim.
function harborDr(...args: string[]) {
  return node('bin/harbor-dr-cli.js', ...args);
}

function node(...args: string[]) {
  return spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

// Preloaded: loading anything under lab/ (or bcryptjs) fails the process.
const FORBID_LAB = ['-r', './test/integration/cli/forbid-lab.js'];

describe('the harbor-dr command', () => {
  it('validates examples/minimal.json', () => {
    const run = harborDr(
      'validate-config',
      '--config',
      'examples/minimal.json'
    );

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('examples/minimal.json: valid');
  }, 60_000);

  it.each([
    ['examples/harbor-dr.yaml', ['targets[1].caBundle']],
    [
      'examples/local.yaml',
      [
        'primary.credentials.env.username',
        'primary.credentials.env.password',
        'targets[1].credentials.file',
      ],
    ],
  ])(
    '%s passes the schema; only what this machine lacks is reported (files, variables)',
    (file, fields) => {
      const run = spawnSync(
        process.execPath,
        ['bin/harbor-dr-cli.js', 'validate-config', '-c', file, '--json'],
        {
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, HARBOR_USERNAME: '', HARBOR_PASSWORD: '' },
        }
      );

      expect(run.stderr).toBe('');
      expect(run.status).toBe(3);
      const out = JSON.parse(run.stdout) as { problems: { field: string }[] };
      expect(out.problems.map((p) => p.field)).toEqual(fields);
    },
    60_000
  );

  it('exits 3 and names the field on a broken config', () => {
    const run = harborDr(
      'validate-config',
      '-c',
      'test/infra/fixtures/bad-config.yaml'
    );

    expect(run.status).toBe(3);
    expect(run.stderr).toContain('targets[0].kind');
  }, 60_000);
});

describe('commands other than lab never load the lab', () => {
  it('the guard fails a process that loads the lab', () => {
    const run = node(
      ...FORBID_LAB,
      '-e',
      "require('tsx/cjs/api').register(); require('./lambdas/cli/commands/lab.ts').labCommand({ dir: '.lab', until: Promise.resolve() }, { out() {}, err() {} })"
    );

    expect(run.stderr).toContain('lab loaded: ');
    expect(run.status).not.toBe(0);
  }, 60_000);

  it.each([
    [['--version'], version],
    [['--help'], 'Usage: harbor-dr'],
    [['lab', '--help'], 'Usage: harbor-dr lab'],
    [['validate-config', '-c', 'examples/minimal.json'], 'valid'],
  ])(
    'harbor-dr %j',
    (args, shown) => {
      const run = node(...FORBID_LAB, 'bin/harbor-dr-cli.js', ...args);

      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(shown);
    },
    60_000
  );
});

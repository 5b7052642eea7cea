import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { version } from '../../../package.json';
import { buildCli } from '../../../scripts/build-cli';

// Preloaded: loading anything under lab/ (or bcryptjs) fails the process.
const FORBID_LAB = ['-r', './test/integration/cli/forbid-lab.js'];

// The bundle as `npm run build:cli` builds it, from the sources as they are now (jest's Node,
// process.execPath, is the Node 24 of node_modules).
describe('the bundled harbor-dr command (esbuild)', () => {
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'harbor-dr-bundle-'));
    ({ bundle } = await buildCli(join(dir, 'harbor-dr.cjs')));
  }, 120_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) =>
    spawnSync(process.execPath, [...FORBID_LAB, bundle, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('prints its version without loading the lab', () => {
    const out = run('--version');

    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout.trim()).toBe(version);
  }, 60_000);

  it('validates an example config without loading the lab', () => {
    const out = run('validate-config', '--config', 'examples/minimal.json');

    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('examples/minimal.json: valid');
  }, 60_000);

  it('names the field of a broken config (exit 3)', () => {
    const out = run(
      'validate-config',
      '-c',
      'test/infra/fixtures/bad-config.yaml'
    );

    expect(out.status).toBe(3);
    expect(out.stderr).toContain('targets[0].kind');
  }, 60_000);

  it('lists what it was built from: the sources, not node_modules', () => {
    const { inputs } = JSON.parse(
      readFileSync(join(dir, 'harbor-dr.inputs.json'), 'utf8')
    ) as { inputs: string[] };

    expect(inputs.some((p) => p.endsWith('lambdas/cli/program.ts'))).toBe(true);
    expect(inputs.some((p) => p.endsWith('bin/cli.ts'))).toBe(true);
    expect(inputs.filter((p) => p.includes('node_modules'))).toEqual([]);
    // The lab is loaded from its TypeScript when `harbor-dr lab` runs, never bundled.
    expect(inputs.filter((p) => /(^|\/)lab\//.test(p))).toEqual([]);
  });

  it('starts the lab (loaded through tsx when the command runs) and audits it over HTTP', async () => {
    const labDir = join(dir, 'lab');
    const lab = spawn(process.execPath, [bundle, 'lab', '--dir', labDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    lab.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    lab.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<number | null>((resolve) =>
      lab.once('exit', (code) => {
        resolve(code);
      })
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (out.includes('Ctrl-C stops the lab.')) {
            clearInterval(timer);
            resolve();
          } else if (lab.exitCode !== null) {
            clearInterval(timer);
            reject(new Error(`the lab exited: ${err}`));
          }
        }, 100);
      });
      const config = join(labDir, 'harbor-dr.yaml');
      expect(existsSync(config)).toBe(true);

      const audit = spawnSync(
        process.execPath,
        [bundle, 'audit', '--config', config, '--out', join(dir, 'reports')],
        { encoding: 'utf8', timeout: 120_000 }
      );

      expect(audit.stderr).toBe('');
      // The demo lab's scenario holds problems on purpose: exit 1, a report written.
      expect(audit.status).toBe(1);
      const report = /Report: (\S+\.json)/.exec(audit.stdout)?.[1];
      expect(report).toBeDefined();
      expect(
        (JSON.parse(readFileSync(report ?? '', 'utf8')) as { kind: string })
          .kind
      ).toBe('audit');
      // Where the human reports are: the Markdown and the HTML beside the JSON.
      const base = (report ?? '').replace(/\.json$/, '');
      expect(audit.stdout).toContain(
        `Report: ${base}.json\n        ${base}.md\n        ${base}.html\n`
      );
      expect(readFileSync(`${base}.html`, 'utf8')).toMatch(/^<!doctype html>/i);
    } finally {
      lab.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 180_000);
});

describe('bin/harbor-dr-cli.js', () => {
  it('runs the bundle that npm ci (prepare) or the tests\u2019 global setup built', () => {
    const run = spawnSync(
      process.execPath,
      ['bin/harbor-dr-cli.js', '--version'],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, HARBOR_DR_SHOW_ENTRY: '1' },
      }
    );

    expect(run.status).toBe(0);
    expect(run.stderr).toBe('harbor-dr: runs the bundle (up to date)\n');
    expect(run.stdout.trim()).toBe(version);
  }, 60_000);

  it('run as a program (its shebang), starts Node with the young generation bounded', () => {
    // npm links the bin and runs it through its shebang, as an operator's shell does.
    const run = spawnSync('bin/harbor-dr-cli.js', ['--version'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        HARBOR_DR_SHOW_ENTRY: '1',
      },
    });

    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe(
      'harbor-dr: runs the bundle (up to date), node --max-semi-space-size=16\n'
    );
    expect(run.stdout.trim()).toBe(version);
  }, 60_000);

  it('runs the TypeScript through tsx when asked (HARBOR_DR_ENTRY=tsx)', () => {
    const run = spawnSync(
      process.execPath,
      ['bin/harbor-dr-cli.js', '--version'],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          HARBOR_DR_SHOW_ENTRY: '1',
          HARBOR_DR_ENTRY: 'tsx',
        },
      }
    );

    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      'harbor-dr: runs the TypeScript through tsx (HARBOR_DR_ENTRY=tsx)\n'
    );
    expect(run.stdout.trim()).toBe(version);
  }, 60_000);
});

// Through tsx the packages load through Node's module loader, where a guard sees them; the
// bundle keeps the same lazy requires (esbuild defers a bundled module until it is required).
describe('each command loads only what it uses', () => {
  const run = (forbid: string, ...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '-r',
        './test/integration/cli/forbid-modules.js',
        'bin/harbor-dr-cli.js',
        ...args,
      ],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          HARBOR_DR_ENTRY: 'tsx',
          HARBOR_DR_FORBID: forbid,
        },
      }
    );

  it('--version: neither zod, YAML, the HTTP client nor the AWS SDK', () => {
    const out = run('zod,yaml,undici,@aws-sdk/', '--version');

    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
  }, 60_000);

  it('validate-config: neither the HTTP client nor the AWS SDK', () => {
    const out = run(
      'undici,@aws-sdk/',
      'validate-config',
      '-c',
      'examples/minimal.json'
    );

    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
  }, 60_000);

  it('the guard fails a command that loads them (audit loads the HTTP client)', () => {
    const out = run('undici', 'audit', '-c', 'examples/minimal.json');

    expect(out.stderr).toContain('forbidden module loaded: undici');
  }, 60_000);
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoLab, type Lab } from '../../../lab/index';
import { runCli } from '../../../lambdas/cli/program';
import { EXIT } from '../../../lambdas/cli/exit-codes';
import type { CliIo } from '../../../lambdas/cli/io';

// `harbor-dr audit` against the demo lab, with stderr a terminal or not (an injected flag):
// the progress line only on a terminal, nothing with --quiet, lines per shard with --verbose.
jest.setTimeout(120_000);

const CLEAR = '\r\x1b[K';

let lab: Lab;
let dir: string;
let config: string;

beforeAll(async () => {
  lab = await startDemoLab();
  dir = mkdtempSync(join(tmpdir(), 'harbor-dr-progress-'));
  config = lab.writeConfig(dir).configPath;
});

afterAll(async () => {
  await lab.stop();
});

function bufferIo(errIsTty: boolean): CliIo & {
  stdout: string;
  stderr: string;
} {
  const io = {
    stdout: '',
    stderr: '',
    env: {},
    errIsTty,
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

async function audit(
  errIsTty: boolean,
  ...flags: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo(errIsTty);
  const code = await runCli(
    ['audit', '-c', config, '-o', join(dir, 'reports'), ...flags],
    io,
    '1'
  );
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('harbor-dr audit progress', () => {
  it('is silent on stderr when it is not a terminal', async () => {
    const run = await audit(false);

    expect(run.code).toBe(EXIT.PROBLEMS);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Replication audit of harbor-primary');
  });

  it('redraws one line on a terminal and clears it before the result', async () => {
    const run = await audit(true);

    expect(run.code).toBe(EXIT.PROBLEMS);
    expect(run.stderr.startsWith(CLEAR)).toBe(true);
    expect(run.stderr.endsWith(CLEAR)).toBe(true);
    expect(run.stderr).not.toContain('\n');
    const lines = run.stderr.split(CLEAR).filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) {
      expect(l).toMatch(
        /^(planning|shards \d+\/6) \| \d+ requests? (\| [\d.]+\/s )?\| \d+s elapsed( \| (ETA|no shard done for) .+)?$/
      );
    }
    expect(run.stdout).toContain('Replication audit of harbor-primary');
  });

  it('shows nothing with --quiet, even on a terminal', async () => {
    const run = await audit(true, '--quiet');

    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Replication audit of harbor-primary');
  });

  it('--verbose: one line per shard and per target with its requests, on a terminal or not', async () => {
    const run = await audit(false, '--verbose');

    const lines = run.stderr.split('\n');
    expect(lines).toContain('  harbor-dr library: audited, 5 refs expected');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^harbor-dr: done, 3 shards, [1-9]\d* requests, audit verdict DEGRADED$/
      )
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^cluster-2: done, 1 shard, [1-9]\d* requests, audit verdict READY$/
      )
    );
  });

  it('refuses --quiet with --verbose', async () => {
    const run = await audit(false, '--quiet', '--verbose');

    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toContain(
      "option '-q, --quiet' cannot be used with option '--verbose'"
    );
  });

  it("names an UNKNOWN target's reasons once each in the summary (a wrong password)", async () => {
    const wrong = join(dir, 'wrong.json');
    writeFileSync(
      wrong,
      JSON.stringify({ username: 'harbor-dr-auditor', password: 'wr0ng-pass' })
    );
    const text = readFileSync(config, 'utf8').replace(
      join(dir, 'credentials', 'harbor-dr.json'),
      wrong
    );
    const wrongConfig = join(dir, 'wrong.yaml');
    writeFileSync(wrongConfig, text);
    const io = bufferIo(false);

    await runCli(
      ['audit', '-c', wrongConfig, '-o', join(dir, 'reports')],
      io,
      '1'
    );

    const why = io.stdout
      .split('\n')
      .find((l) => l.includes('unknown because:'));
    expect(why).toBeDefined();
    // The 401 of the target's findings, and the namespaces it could not list: once each.
    expect(why?.match(/HTTP 401/g)).toHaveLength(2);
    expect(why).toContain('(9 scopes)');
  });
});

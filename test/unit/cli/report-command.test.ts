import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { EXIT } from '../../../lambdas/cli/exit-codes';
import type { CliIo } from '../../../lambdas/cli/io';
import { runCli } from '../../../lambdas/cli/program';
import type { Report } from '../../../lambdas/core/report/schema';
import { report } from '../../helpers/report-fixture';

function bufferIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    env: {},
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

function run(hour: number, overrides: Partial<Report> = {}): Report {
  const hh = String(hour).padStart(2, '0');
  return report({
    runId: `20261129T${hh}0000000Z-r${hh}`,
    startedAt: `2026-11-29T${hh}:00:00.000Z`,
    finishedAt: `2026-11-29T${hh}:00:05.000Z`,
    ...overrides,
  });
}

describe('harbor-dr report', () => {
  let dir = '';
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'harbor-dr-report-'));
    const store = new LocalDirReportStore(dir);
    for (const r of [
      run(1),
      run(2),
      run(3, { verdict: 'DEGRADED' }),
      run(4, { kind: 'readiness', verdict: 'NOT_READY' }),
    ])
      await store.save(r, { markdown: '', html: '' });
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the newest report of either kind as HTML, with the runs of its kind before it', async () => {
    const io = bufferIo();

    const code = await runCli(['report', '--html', '--dir', dir], io, '1');

    expect(code).toBe(EXIT.OK);
    expect(io.stdout).toMatch(/^<!doctype html>/);
    expect(io.stdout).toContain('20261129T040000000Z-r04');
    expect(io.stdout).toContain('id="chart-exposure" data-runs="1"');
  });

  it('renders an earlier run of a kind with the history before it, to a file', async () => {
    const io = bufferIo();
    const file = join(dir, 'out.html');

    const code = await runCli(
      [
        'report',
        '--html',
        '--dir',
        dir,
        '--kind',
        'audit',
        '--run',
        '20261129T020000000Z-r02',
        '--output',
        file,
      ],
      io,
      '1'
    );

    expect(code).toBe(EXIT.OK);
    expect(io.stdout).toBe('');
    const page = readFileSync(file, 'utf8');
    expect(page).toContain('id="chart-exposure" data-runs="2"');
    expect(page).toContain('data-run="20261129T010000000Z-r01"');
    expect(page).not.toContain('data-run="20261129T030000000Z-r03"');
    expect(io.stderr).toContain('20261129T020000000Z-r02');
  });

  it('prints the Markdown of the newest audit without --html', async () => {
    const io = bufferIo();

    const code = await runCli(
      ['report', '--dir', dir, '--kind', 'audit'],
      io,
      '1'
    );

    expect(code).toBe(EXIT.OK);
    expect(io.stdout).toMatch(/^# Replication audit/);
    expect(io.stdout).toContain('DEGRADED');
  });

  it('exits 3 naming the directory when there is no such report', async () => {
    const io = bufferIo();

    const code = await runCli(
      ['report', '--dir', dir, '--run', '20261129T090000000Z-none'],
      io,
      '1'
    );

    expect(code).toBe(EXIT.USAGE);
    expect(io.stderr).toContain(
      `no audit or readiness report of run 20261129T090000000Z-none in ${dir}`
    );
  });
});

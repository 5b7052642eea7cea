import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { EXIT } from '../../../lambdas/cli/exit-codes';
import type { CliIo } from '../../../lambdas/cli/io';
import { runCli } from '../../../lambdas/cli/program';
import { makeRunId } from '../../../lambdas/core/report/layout';

function bufferIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

describe('harbor-dr audit: the run lease', () => {
  it('exits 2 with the holder named, and writes no report, while another run writing to the same --out holds the lease', async () => {
    // Arrange: a run started a minute ago holds the lease of this --out.
    const out = mkdtempSync(join(tmpdir(), 'harbor-dr-lease-'));
    const startedAt = new Date(Date.now() - 60_000);
    const holder = {
      runId: makeRunId(startedAt, 'aaaaaa'),
      kind: 'audit' as const,
      startedAt: startedAt.toISOString(),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const store = new LocalDirReportStore(out);
    await store.claim(holder);
    const io = bufferIo();

    // Act
    const code = await runCli(
      ['audit', '--config', 'examples/minimal.json', '--out', out, '--quiet'],
      io,
      '1.2.3'
    );

    // Assert
    expect(code).toBe(EXIT.INCOMPLETE);
    expect(io.stderr).toBe(
      `harbor-dr: skipped: another run ${holder.runId} (audit, started at ${holder.startedAt}) holds the lease until ${holder.expiresAt}\n`
    );
    expect(io.stdout).toBe('');
    expect(existsSync(join(out, 'audit'))).toBe(false);
    expect(readdirSync(join(out, 'runs-active'))).toEqual([
      `${holder.runId}.json`,
    ]);
  });
});

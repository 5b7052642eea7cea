import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMetricsFile } from '../../../lambdas/cli/metrics-file';
import { runCli } from '../../../lambdas/cli/program';
import { EXIT } from '../../../lambdas/cli/exit-codes';
import type { CliIo } from '../../../lambdas/cli/io';
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

describe('--metrics-file', () => {
  it('replaces the file whole through a temporary name the collector ignores (not *.prom), leaving nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-metrics-'));
    const path = join(dir, 'harbor-dr.prom');
    writeFileSync(path, 'old content\n');

    writeMetricsFile(path, report());

    expect(readdirSync(dir)).toEqual(['harbor-dr.prom']);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('harbor_dr_target_ready{target="cluster1"} 1');
    expect(text.endsWith('# EOF\n')).toBe(true);
  });

  it('leaves no temporary file behind when it cannot write', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-metrics-'));
    // The target path is a directory: the rename fails after the temp file was written.
    const path = join(dir, 'taken.prom');
    writeFileSync(join(dir, 'x'), '');
    mkdirSync(join(path, 'inside'), { recursive: true });

    expect(() => {
      writeMetricsFile(path, report());
    }).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['taken.prom', 'x']);
  });

  it('audit --metrics-file writes the run, with nothing unknown written as 0, when the primary cannot be reached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-metrics-'));
    const config = join(dir, 'c.yaml');
    writeFileSync(
      config,
      'primary: { name: p, url: "http://127.0.0.1:9" }\ntargets: [{ name: t1, url: "http://localhost:9", kind: distribution }]\n'
    );
    const metrics = join(dir, 'harbor-dr.prom');
    const io = bufferIo();

    const code = await runCli(
      [
        'audit',
        '-c',
        config,
        '-o',
        join(dir, 'reports'),
        '--no-retrigger',
        '--metrics-file',
        metrics,
      ],
      io,
      '1'
    );

    expect(code).toBe(EXIT.INCOMPLETE);
    expect(existsSync(metrics)).toBe(true);
    const samples = readFileSync(metrics, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(samples).toContainEqual(
      expect.stringMatching(
        /^harbor_dr_last_run_timestamp_seconds\{kind="audit"\} \d+(\.\d+)?$/
      )
    );
    expect(samples).toContain(
      'harbor_dr_target_verdict{target="t1",verdict="UNKNOWN"} 1'
    );
    expect(
      samples.filter((s) => s.endsWith(' 0') && !s.includes('_verdict{'))
    ).toEqual([]);
  }, 60_000);
});

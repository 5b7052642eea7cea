import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../lambdas/cli/program';
import { EXIT } from '../../../lambdas/cli/exit-codes';
import type { CliIo } from '../../../lambdas/cli/io';

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

function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-cli-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('harbor-dr CLI', () => {
  it('validates an example config and exits OK', async () => {
    const io = bufferIo();

    const code = await runCli(
      ['validate-config', '--config', 'examples/minimal.json'],
      io,
      '1.2.3'
    );

    expect(code).toBe(EXIT.OK);
    expect(io.stdout).toContain('examples/minimal.json: valid');
    expect(io.stdout).toContain('target   cluster1 (distribution)');
  });

  it('checks the files an example names on this machine: a missing CA bundle is the only problem of harbor-dr.yaml', async () => {
    const io = bufferIo();

    const code = await runCli(
      ['validate-config', '--config', 'examples/harbor-dr.yaml'],
      io,
      '1.2.3'
    );

    expect(code).toBe(EXIT.USAGE);
    expect(io.stderr).toBe(
      'harbor-dr: invalid configuration (examples/harbor-dr.yaml):\n  - targets[1].caBundle: /etc/ssl/private-ca.pem does not exist\n'
    );
  });

  it('prints the validated config as JSON on --json', async () => {
    const io = bufferIo();

    const code = await runCli(
      ['validate-config', '-c', 'examples/minimal.json', '--json'],
      io,
      '1.2.3'
    );

    expect(code).toBe(EXIT.OK);
    const out = JSON.parse(io.stdout) as {
      valid: boolean;
      config: { policies: string };
    };
    expect(out.valid).toBe(true);
    expect(out.config.policies).toBe('auto');
  });

  it('exits USAGE with the field named on a broken config', async () => {
    const path = writeTemp(
      'broken.yaml',
      'primary: { name: p, url: "https://h.example.com" }\ntargets:\n  - { name: a, url: "https://a.example.com", kind: harbor }\n  - { name: b, url: "registry:5000", kind: distribution }\n'
    );
    const io = bufferIo();

    const code = await runCli(['validate-config', '-c', path], io, '1.2.3');

    expect(code).toBe(EXIT.USAGE);
    expect(io.stderr).toContain('targets[1].url: must be an https or http URL');
    expect(io.stdout).toBe('');
  });

  it('exits USAGE when the file cannot be read', async () => {
    const io = bufferIo();

    const code = await runCli(
      ['validate-config', '-c', '/nonexistent/x.yaml'],
      io,
      '1.2.3'
    );

    expect(code).toBe(EXIT.USAGE);
    expect(io.stderr).toContain('cannot read the file');
  });

  it('exits USAGE on an unknown command or a missing option', async () => {
    expect(await runCli(['frobnicate'], bufferIo(), '1')).toBe(EXIT.USAGE);
    expect(await runCli(['validate-config'], bufferIo(), '1')).toBe(EXIT.USAGE);
  });

  it('prints --version and --help with the exit codes, and exits OK', async () => {
    const version = bufferIo();
    const help = bufferIo();

    expect(await runCli(['--version'], version, '9.8.7')).toBe(EXIT.OK);
    expect(await runCli(['--help'], help, '9.8.7')).toBe(EXIT.OK);

    expect(version.stdout.trim()).toBe('9.8.7');
    expect(help.stdout).toContain('validate-config');
    expect(help.stdout).toContain('2  incomplete');
  });

  it('gives audit and readiness the same run options, each with its own deadline and target help; only audit re-triggers', async () => {
    const audit = bufferIo();
    const readiness = bufferIo();

    expect(await runCli(['audit', '--help'], audit, '1')).toBe(EXIT.OK);
    expect(await runCli(['readiness', '--help'], readiness, '1')).toBe(EXIT.OK);

    const flags = (help: string): string[] =>
      [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1] ?? '');
    expect(flags(audit.stdout)).toEqual([
      '--config',
      '--out',
      '--json',
      '--target',
      '--concurrency',
      '--deadline-minutes',
      '--metrics-file',
      '--quiet',
      '--verbose',
      '--retrigger',
      '--no-retrigger',
      '--help',
    ]);
    expect(flags(readiness.stdout)).toEqual(
      flags(audit.stdout).filter((f) => !f.includes('retrigger'))
    );
    expect(audit.stdout).toContain('audit only these targets');
    expect(audit.stdout).toMatch(/as not audited\s+\(default: 14\)/);
    expect(readiness.stdout).toContain('check only these targets');
    expect(readiness.stdout).toMatch(/as not audited\s+\(default: 4\)/);
  });
});

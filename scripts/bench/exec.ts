import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a command; resolves with its stdout (rejects with stderr on a non-zero exit). */
export function run(
  binary: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err = (err + c).slice(-4000);
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else
        reject(
          new Error(`${binary} exited with ${String(code)}: ${err.trim()}`)
        );
    });
  });
}

/** Runs a bundled benchmark child with this Node; resolves with its stdout. */
export function runNode(
  script: string,
  args: readonly string[],
  opts: { cpuProfDir?: string; nodeFlags?: readonly string[] } = {}
): Promise<string> {
  const nodeArgs = [
    ...(opts.nodeFlags ?? []),
    ...(opts.cpuProfDir
      ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`]
      : []),
  ];
  return run(process.execPath, [...nodeArgs, script, ...args]);
}

const BIN = join(__dirname, '..', '..', 'bin', 'harbor-dr-cli.js');

/**
 * The Node.js flags `harbor-dr` starts with: its bin's shebang (`#!/usr/bin/env -S node
 * <flags>`). The audit child runs with them, so that its memory is the command's.
 */
export function cliNodeFlags(binText = readFileSync(BIN, 'utf8')): string[] {
  const first = binText.split('\n', 1)[0] ?? '';
  const match =
    /^#!\/usr\/bin\/env(?: -S)? node((?: --[a-z-]+(?:=\S+)?)*)\s*$/.exec(first);
  if (!match)
    throw new Error(
      `bin/harbor-dr-cli.js: expected a shebang '#!/usr/bin/env -S node [--flag=value ...]', not '${first}'`
    );
  return (match[1] ?? '').split(' ').filter((f) => f !== '');
}

/** A long-running benchmark child (the latency proxy): its first result line, its pid, a stop. */
export interface ServiceChild {
  pid: number;
  /** stdout up to the first result line. */
  ready: Promise<string>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts a bundled child that prints a result line when ready and runs until SIGTERM. */
export function startNode(
  script: string,
  args: readonly string[]
): ServiceChild {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('\n')) resolve(out);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err = (err + c).slice(-4000);
    });
    child.once('error', reject);
    void exited.then(() => {
      reject(new Error(`${script} exited before it was ready: ${err.trim()}`));
    });
  });
  ready.catch(() => undefined);
  return {
    pid: child.pid ?? -1,
    ready,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null)
        child.kill('SIGTERM');
      await exited;
    },
  };
}

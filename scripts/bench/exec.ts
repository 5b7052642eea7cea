import { spawn } from 'node:child_process';

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
  opts: { cpuProfDir?: string } = {}
): Promise<string> {
  const nodeArgs = opts.cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`]
    : [];
  return run(process.execPath, [...nodeArgs, script, ...args]);
}

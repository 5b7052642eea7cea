import { existsSync } from 'node:fs';
import { run } from './exec';
import { FULL_ACCEPT } from './refs';

/** A load generator's result for one URL. */
export interface ToolRate {
  tool: 'hey' | 'ab';
  binary: string;
  requests: number;
  /** Responses with status 200. */
  ok: number;
  requestsPerSecond: number;
}

/** Where a tool is installed, or undefined. */
export function findTool(name: string): string | undefined {
  return ['/usr/bin', '/usr/local/bin']
    .map((d) => `${d}/${name}`)
    .find((p) => existsSync(p));
}

/** Parses hey's summary: Requests/sec and the 200 count of the status distribution. */
export function parseHey(output: string): { rps: number; ok: number } {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output)?.[1];
  if (rps === undefined) throw new Error('hey printed no Requests/sec');
  const ok = /\[200\]\s+(\d+) responses/.exec(output)?.[1] ?? '0';
  return { rps: Number(rps), ok: Number(ok) };
}

/** Parses ab's summary: Requests per second, and completed minus failed and non-2xx. */
export function parseAb(output: string): { rps: number; ok: number } {
  const rps = /Requests per second:\s+([\d.]+)/.exec(output)?.[1];
  if (rps === undefined) throw new Error('ab printed no Requests per second');
  const num = (re: RegExp) => Number(re.exec(output)?.[1] ?? '0');
  const complete = num(/Complete requests:\s+(\d+)/);
  const failed = num(/Failed requests:\s+(\d+)/);
  const non2xx = num(/Non-2xx responses:\s+(\d+)/);
  return { rps: Number(rps), ok: complete - failed - non2xx };
}

/** `hey -m HEAD` with the full Accept list, keep-alive, `concurrency` workers, one URL. */
export async function heyHead(
  url: string,
  requests: number,
  concurrency: number
): Promise<ToolRate | undefined> {
  const binary = findTool('hey');
  if (!binary) return undefined;
  const out = await run(binary, [
    '-n',
    String(requests),
    '-c',
    String(concurrency),
    '-m',
    'HEAD',
    '-A',
    FULL_ACCEPT,
    url,
  ]);
  const r = parseHey(out);
  return {
    tool: 'hey',
    binary,
    requests,
    ok: r.ok,
    requestsPerSecond: r.rps,
  };
}

/** `ab -i -k` (HEAD, keep-alive) with the full Accept list, `concurrency` at a time, one URL. */
export async function abHead(
  url: string,
  requests: number,
  concurrency: number
): Promise<ToolRate | undefined> {
  const binary = findTool('ab');
  if (!binary) return undefined;
  const out = await run(binary, [
    '-q',
    '-i',
    '-k',
    '-n',
    String(requests),
    '-c',
    String(concurrency),
    '-H',
    `Accept: ${FULL_ACCEPT}`,
    url,
  ]);
  const r = parseAb(out);
  return {
    tool: 'ab',
    binary,
    requests,
    ok: r.ok,
    requestsPerSecond: r.rps,
  };
}

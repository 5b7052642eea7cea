/**
 * Benchmark child: the raw HEAD rate of a registry, the ceiling of a HEAD-based audit. One
 * undici Pool with `--concurrency` connections and as many loops in flight, a HEAD with the
 * full four-type Accept list per ref, the digest header checked against the expected one.
 * Prints one result line.
 *
 * undici closes the connection after every HEAD unless the request says `reset: false` (it
 * guards against servers that send a body with a HEAD answer), so `--mode keep-alive` (the
 * raw rate) and `--mode default` (what a client gets without it) differ.
 *
 * Usage: raw-head-child --url <registry> --refs <tsv: repository, tag, digest>
 *          [--mode keep-alive|default] [--limit <refs>] [--concurrency 8]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { ownCpuSeconds, peakRssMiB } from './proc';
import { printResult, type RawHeadResult } from './result-line';
import { FULL_ACCEPT, readRefs } from './refs';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      refs: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      mode: { type: 'string', default: 'keep-alive' },
      limit: { type: 'string' },
    },
  });
  if (!values.url || !values.refs)
    throw new Error('usage: --url <registry> --refs <file>');
  const all = readRefs(readFileSync(values.refs, 'utf8'));
  const refs = values.limit ? all.slice(0, Number(values.limit)) : all;
  const reset = values.mode === 'default' ? undefined : false;
  let connections = 0;
  const concurrency = Number(values.concurrency);
  const pool = new Pool(values.url, {
    connections: concurrency,
    keepAliveTimeout: 4_000,
  });
  pool.on('connect', () => {
    connections++;
  });
  let next = 0;
  let ok = 0;
  let digestMatches = 0;
  const cpuBefore = ownCpuSeconds();
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < refs.length) {
      const ref = refs[next++];
      if (!ref) continue;
      const res = await pool.request({
        method: 'HEAD',
        path: `/v2/${ref.repository}/manifests/${ref.tag}`,
        headers: { accept: FULL_ACCEPT },
        ...(reset === undefined ? {} : { reset }),
      });
      await res.body.dump();
      if (res.statusCode !== 200) continue;
      ok++;
      if (res.headers['docker-content-digest'] === ref.digest) digestMatches++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const out: RawHeadResult = {
    requests: refs.length,
    connections,
    ok,
    digestMatches,
    seconds,
    cpuSeconds: ownCpuSeconds() - cpuBefore,
    peakRssMiB: peakRssMiB(),
  };
  await pool.close();
  printResult(out);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

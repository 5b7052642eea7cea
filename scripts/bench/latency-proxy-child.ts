/**
 * Benchmark child: the latency proxy (latency-proxy.ts) in a process of its own, so that its
 * timers are not held up by the lab's work and its CPU is counted apart.
 *
 * Usage: latency-proxy-child --target <host:port> --rtt <ms> [--jitter <ms>] [--port <n>]
 * Prints one result line `{"port": …, "url": …}` and forwards until it is sent SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startLatencyProxy } from './latency-proxy';
import { printResult } from './result-line';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      rtt: { type: 'string' },
      jitter: { type: 'string', default: '0' },
      port: { type: 'string', default: '0' },
    },
  });
  const [host, port] = (values.target ?? '').split(':');
  if (!host || !port || values.rtt === undefined)
    throw new Error('usage: --target <host:port> --rtt <ms> [--jitter <ms>]');
  const proxy = await startLatencyProxy({
    targetHost: host,
    targetPort: Number(port),
    rttMs: Number(values.rtt),
    jitterMs: Number(values.jitter),
    port: Number(values.port),
  });
  process.once('SIGTERM', () => {
    void proxy.stop().then(() => process.exit(0));
  });
  printResult({ port: proxy.port, url: proxy.url });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

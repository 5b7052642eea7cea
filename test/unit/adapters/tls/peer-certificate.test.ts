import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { readPeerCertificate } from '../../../../lambdas/adapters/tls/peer-certificate';

// A TCP server that accepts and never answers the TLS handshake: only a timeout or the run's
// deadline ends the probe.
describe('readPeerCertificate against a silent endpoint', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let url: string;

  beforeAll(async () => {
    server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve)
    );
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port.toString()}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up when the run deadline aborts, long before its own timeout', async () => {
    const started = Date.now();
    await expect(
      readPeerCertificate(url, {
        timeoutMs: 60_000,
        signal: AbortSignal.timeout(100),
      })
    ).rejects.toThrow(
      `TLS handshake with ${new URL(url).host} given up: the run reached its deadline`
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('sends nothing when the deadline has already passed', async () => {
    const before = sockets.length;
    await expect(
      readPeerCertificate(url, { signal: AbortSignal.abort() })
    ).rejects.toThrow('the run reached its deadline');
    await new Promise((r) => setTimeout(r, 50));
    expect(sockets.length).toBe(before);
  });

  it('still ends at its own timeout without a signal', async () => {
    await expect(readPeerCertificate(url, { timeoutMs: 100 })).rejects.toThrow(
      'timed out'
    );
  });
});

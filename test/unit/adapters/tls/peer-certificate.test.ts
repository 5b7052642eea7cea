import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { readPeerCertificate } from '../../../../lambdas/adapters/tls/peer-certificate';

// TCP servers that accept and never answer the TLS handshake: only a timeout or the run's
// deadline ends the probe. One server per test, so that a connection accepted late by one
// test is never counted by another.
interface Silent {
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}

async function silentEndpoint(): Promise<Silent> {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port.toString()}`,
    connections: () => sockets.length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('readPeerCertificate against a silent endpoint', () => {
  it('gives up when the run deadline aborts, long before its own timeout', async () => {
    const silent = await silentEndpoint();
    const started = Date.now();
    await expect(
      readPeerCertificate(silent.url, {
        timeoutMs: 60_000,
        signal: AbortSignal.timeout(100),
      })
    ).rejects.toThrow(
      `TLS handshake with ${new URL(silent.url).host} given up: the run reached its deadline`
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    await silent.close();
  });

  it('dials nothing when the deadline has already passed', async () => {
    const silent = await silentEndpoint();
    await expect(
      readPeerCertificate(silent.url, { signal: AbortSignal.abort() })
    ).rejects.toThrow('the run reached its deadline');
    await new Promise((r) => setTimeout(r, 200));
    expect(silent.connections()).toBe(0);
    await silent.close();
  });

  it('still ends at its own timeout without a signal', async () => {
    const silent = await silentEndpoint();
    await expect(
      readPeerCertificate(silent.url, { timeoutMs: 100 })
    ).rejects.toThrow('timed out');
    await silent.close();
  });
});

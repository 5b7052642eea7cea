import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import {
  startLatencyProxy,
  type LatencyProxy,
} from '../../../scripts/bench/latency-proxy';

async function listen(server: {
  listen(port: number, host: string, cb: () => void): unknown;
  address(): unknown;
}): Promise<number> {
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  return (server.address() as AddressInfo).port;
}

describe('bench latency proxy', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  const echo = async (): Promise<number> => {
    const sockets = new Set<Socket>();
    const server = createServer({ allowHalfOpen: true }, (s) => {
      sockets.add(s);
      s.pipe(s);
    });
    const port = await listen(server);
    closers.push(
      () =>
        new Promise((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => {
            resolve();
          });
        })
    );
    return port;
  };

  const proxy = async (
    targetPort: number,
    rttMs: number,
    jitterMs = 0,
    random?: () => number
  ): Promise<LatencyProxy> => {
    const p = await startLatencyProxy({
      targetHost: '127.0.0.1',
      targetPort,
      rttMs,
      jitterMs,
      ...(random ? { random } : {}),
    });
    closers.push(() => p.stop());
    return p;
  };

  it('delays a round trip by the RTT', async () => {
    const p = await proxy(await echo(), 80);
    const socket = connect(p.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const started = performance.now();
    const back = new Promise<string>((resolve) =>
      socket.once('data', (c: Buffer) => {
        resolve(c.toString());
      })
    );
    socket.write('ping');
    expect(await back).toBe('ping');
    // Half the RTT each way; a timer can fire up to a millisecond early.
    expect(performance.now() - started).toBeGreaterThanOrEqual(78);
    socket.destroy();
  });

  it('keeps the order of the chunks of a connection whatever the jitter draws', async () => {
    // Each chunk's draw alternates between the longest and the shortest delay, so a later
    // chunk would overtake an earlier one if the proxy delivered each at its own time.
    let flip = 0;
    const p = await proxy(await echo(), 20, 15, () =>
      flip++ % 2 === 0 ? 1 : 0
    );
    const socket = connect(p.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const sent: string[] = [];
    let received = '';
    const done = new Promise<void>((resolve) => {
      socket.on('data', (c: Buffer) => {
        received += c.toString();
        if (received.length >= sent.join('').length && sent.length === 200)
          resolve();
      });
    });
    for (let i = 0; i < 200; i++) {
      const chunk = `<${i.toString()}>`;
      sent.push(chunk);
      socket.write(chunk);
      await new Promise((r) => setImmediate(r));
    }
    await done;
    expect(received).toBe(sent.join(''));
    socket.destroy();
  });

  it('carries HTTP keep-alive requests and a half-close, and counts connections', async () => {
    const server: Server = createHttpServer((_req, res) => {
      res.setHeader('docker-content-digest', `sha256:${'a'.repeat(64)}`);
      res.end('hello');
    });
    const port = await listen(server);
    closers.push(
      () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => {
            resolve();
          });
        })
    );
    const p = await proxy(port, 10, 2);
    const pool = new Pool(p.url, { connections: 1 });
    closers.push(() => pool.close());
    for (let i = 0; i < 3; i++) {
      const res = await pool.request({
        method: 'GET',
        path: '/v2/a/manifests/t',
      });
      expect(await res.body.text()).toBe('hello');
      expect(res.statusCode).toBe(200);
      expect(res.headers['docker-content-digest']).toBe(
        `sha256:${'a'.repeat(64)}`
      );
    }
    expect(p.connections()).toBe(1);
    // A client that ends its side first still gets the whole answer.
    const socket = connect(p.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    const closed = new Promise<void>((resolve) =>
      socket.once('close', () => {
        resolve();
      })
    );
    socket.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*hello$/);
  });
});

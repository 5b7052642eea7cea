/**
 * A TCP proxy that puts a network between the bench's clients and a loopback server: every
 * chunk is delivered RTT/2 ± jitter after it was read, in each direction, and never before
 * the chunk read before it on the same connection (order is kept, as TCP keeps it).
 * latency-proxy-child.ts runs it as a process of its own.
 *
 * Not modelled: the handshake's round trip (connections are kept alive), bandwidth, loss.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Options of {@link startLatencyProxy}. */
export interface LatencyProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Round-trip time added, in milliseconds (each direction gets half). */
  rttMs: number;
  /** Each chunk's one-way delay is RTT/2 plus a uniform draw in [-jitter, +jitter] ms. */
  jitterMs?: number;
  /** Port to listen on (127.0.0.1); default a free one. */
  port?: number;
  /** The random source of the jitter (tests make it deterministic). */
  random?: () => number;
}

/** A running proxy. */
export interface LatencyProxy {
  port: number;
  url: string;
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

// Reading pauses while this many bytes wait for their time, and resumes below a quarter.
const HIGH_WATER = 4 * 1024 * 1024;

/** One direction of one connection: chunks leave `src` and reach `dst` later, in order. */
class DelayedPipe {
  private readonly queue: { at: number; chunk: Buffer | null }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private queued = 0;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly delay: () => number
  ) {
    src.on('data', (chunk: Buffer) => {
      this.push(chunk);
    });
    src.on('end', () => {
      this.push(null);
    });
  }

  private push(chunk: Buffer | null): void {
    const at = Math.max(performance.now() + this.delay(), this.last);
    this.last = at;
    this.queue.push({ at, chunk });
    if (chunk) {
      this.queued += chunk.length;
      if (this.queued > HIGH_WATER) this.src.pause();
    }
    this.schedule();
  }

  private schedule(): void {
    const head = this.queue[0];
    if (this.timer !== undefined || head === undefined) return;
    const wait = Math.max(0, head.at - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    // A timer may fire a fraction of a millisecond early (libuv rounds to whole ms).
    const now = performance.now() + 0.5;
    for (
      let head = this.queue[0];
      head && head.at <= now;
      head = this.queue[0]
    ) {
      this.queue.shift();
      if (this.dst.destroyed) continue;
      if (head.chunk === null) {
        this.dst.end();
      } else {
        this.queued -= head.chunk.length;
        this.dst.write(head.chunk);
      }
    }
    if (this.queued < HIGH_WATER / 4 && this.src.isPaused()) this.src.resume();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }
}

/** Starts a proxy on 127.0.0.1 in front of `targetHost:targetPort`. */
export async function startLatencyProxy(
  opts: LatencyProxyOptions
): Promise<LatencyProxy> {
  if (!(opts.rttMs >= 0)) throw new Error('rttMs must be >= 0');
  const jitter = opts.jitterMs ?? 0;
  if (!(jitter >= 0)) throw new Error('jitterMs must be >= 0');
  const random = opts.random ?? Math.random;
  const oneWay = (): number =>
    Math.max(0, opts.rttMs / 2 + (random() * 2 - 1) * jitter);
  const sockets = new Set<Socket>();
  let accepted = 0;
  // Half-open sockets: a FIN travels through the delay like any chunk, not at once.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    accepted++;
    const upstream = connect({
      port: opts.targetPort,
      host: opts.targetHost,
      allowHalfOpen: true,
    });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    const pipes = [
      new DelayedPipe(client, upstream, oneWay),
      new DelayedPipe(upstream, client, oneWay),
    ];
    const close = (): void => {
      for (const p of pipes) p.stop();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // A reset on either side resets the other; a clean end travels through the pipes.
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => {
      if (upstream.writableEnded || upstream.destroyed) close();
    });
    upstream.on('close', () => {
      if (client.writableEnded || client.destroyed) close();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port.toString()}`,
    connections: () => accepted,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

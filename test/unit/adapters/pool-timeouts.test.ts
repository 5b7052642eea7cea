import { MockAgent } from 'undici';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import { UpstreamTimeoutError } from '../../../lambdas/core/errors';
import { startHttpFixture } from '../../helpers/http-fixture';
import type { HttpFixture } from '../../helpers/http-fixture';

// Issue 11: the deadline is one abort signal in every request and retry wait (problem 7);
// a timeout names the limit that fired (problem 9: "no complete answer within 60000 ms"
// was printed although undici's headers timeout fired).

/** A server that never answers `/stall` and answers anything else at once. */
async function stallingServer(): Promise<HttpFixture> {
  return startHttpFixture((_req, res, url) => {
    if (url.startsWith('/stall')) return; // never answers
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (err: unknown) => err
  );
}

describe('timeouts name the limit that fired', () => {
  let server: HttpFixture;
  let client: HttpClient;

  beforeEach(async () => {
    server = await stallingServer();
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('names undici headersTimeout, not the request deadline', async () => {
    client = createHttpClient({
      service: 'cluster1',
      baseUrl: server.url,
      headersTimeoutMs: 200,
      requestTimeoutMs: 60_000,
    });

    const err = await failure(
      client.request({ method: 'HEAD', path: '/stall' })
    );

    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect(err).toMatchObject({ timeout: 'headers', timeoutMs: 200 });
    expect((err as Error).message).toBe(
      'cluster1 HEAD /stall: no response headers within 200 ms (headersTimeout)'
    );
  });

  it('names the request timeout when that fires first', async () => {
    client = createHttpClient({
      service: 'cluster1',
      baseUrl: server.url,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 150,
    });

    const err = await failure(
      client.request({ method: 'GET', path: '/stall' })
    );

    expect(err).toMatchObject({ timeout: 'request', timeoutMs: 150 });
    expect((err as Error).message).toBe(
      'cluster1 GET /stall: no complete answer within 150 ms, retries included (request timeout)'
    );
  });
});

describe('the run deadline (the client signal)', () => {
  let server: HttpFixture;
  let client: HttpClient | undefined;

  beforeEach(async () => {
    server = await stallingServer();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await server.close();
  });

  it('aborts a request in flight at once, long before any other limit', async () => {
    const deadline = new AbortController();
    client = createHttpClient({
      service: 'cluster1',
      baseUrl: server.url,
      headersTimeoutMs: 30_000,
      requestTimeoutMs: 60_000,
      signal: deadline.signal,
    });
    const started = Date.now();
    setTimeout(() => {
      deadline.abort();
    }, 200);

    const err = await failure(
      client.request({ method: 'HEAD', path: '/stall' })
    );

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect(err).toMatchObject({ timeout: 'deadline', code: 'DEADLINE' });
    expect((err as Error).message).toBe(
      'cluster1 HEAD /stall: deadline reached: aborted in flight'
    );
  });

  it('sends nothing once the deadline has passed', async () => {
    client = createHttpClient({
      service: 'cluster1',
      baseUrl: server.url,
      signal: AbortSignal.abort(),
    });

    const err = await failure(client.request({ method: 'GET', path: '/ok' }));

    expect(err).toMatchObject({ timeout: 'deadline' });
    expect(server.requests).toHaveLength(0);
  });

  it('ends a Retry-After wait at the deadline, naming the failure it waited on', async () => {
    const agent = new MockAgent({ connections: 1 });
    agent.disableNetConnect();
    agent
      .get('https://r.example.com')
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(503, '', { headers: { 'retry-after': '30' } });
    client = createHttpClient({
      service: 'cluster1',
      baseUrl: 'https://r.example.com',
      dispatcherFor: (o) => agent.get(o),
      requestTimeoutMs: 120_000,
      signal: AbortSignal.timeout(200),
    });
    const started = Date.now();

    const err = await failure(client.request({ method: 'GET', path: '/v2/' }));

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toMatchObject({ timeout: 'deadline' });
    expect((err as Error).message).toBe(
      'cluster1 GET /v2/: deadline reached: aborted in flight (while waiting to retry after: HTTP 503)'
    );
    await client.close();
    client = undefined;
    await agent.close();
  });
});

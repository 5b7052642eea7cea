import { MockAgent } from 'undici';
import {
  createHttpClient,
  parseRetryAfter,
  retryDelayMs,
} from '../../../lambdas/adapters/http/pool';
import type { HttpClientOptions } from '../../../lambdas/adapters/http/pool';
import {
  AuthError,
  UpstreamHttpError,
  UpstreamTimeoutError,
} from '../../../lambdas/core/errors';

const ORIGIN = 'https://harbor.example.com';
const POLICY = {
  maxRetries: 3,
  minDelayMs: 200,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 30_000,
};

function setup(extra: Partial<HttpClientOptions> = {}) {
  const agent = new MockAgent({ connections: 1 });
  agent.disableNetConnect();
  const waits: number[] = [];
  const client = createHttpClient({
    service: 'harbor-primary',
    baseUrl: ORIGIN,
    dispatcherFor: (o) => agent.get(o),
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    ...extra,
  });
  return { pool: agent.get(ORIGIN), client, waits, agent };
}

describe('retry policy', () => {
  it('retries GET on 429/502/503/504 and honours Retry-After seconds', async () => {
    const { pool, client, waits } = setup();
    pool
      .intercept({ path: '/a', method: 'GET' })
      .reply(429, '', { headers: { 'retry-after': '3' } });
    pool.intercept({ path: '/a', method: 'GET' }).reply(502, '');
    pool.intercept({ path: '/a', method: 'GET' }).reply(504, '');
    pool.intercept({ path: '/a', method: 'GET' }).reply(200, 'ok');

    const res = await client.request({ method: 'GET', path: '/a' });

    expect(res.body.toString()).toBe('ok');
    // Retry-After 3 s + jitter, then exponential steps 400 and 800 with half jitter.
    expect(waits).toEqual([3_100, 300, 600]);
  });

  it('never retries POST or PUT', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: '/replication/executions', method: 'POST' })
      .reply(503, '');

    await expect(
      client.request({
        method: 'POST',
        path: '/replication/executions',
        body: '{}',
        accept: [201],
      })
    ).rejects.toMatchObject({ status: 503, method: 'POST' });
  });

  it('retries HEAD after a connection reset, then gives up with status 0', async () => {
    const { pool, client, waits } = setup();
    const reset = Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
    });
    pool
      .intercept({ path: '/v2/', method: 'HEAD' })
      .replyWithError(reset)
      .times(4);

    const err = await client
      .request({ method: 'HEAD', path: '/v2/' })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UpstreamHttpError);
    expect(err).toMatchObject({ status: 0, retryable: true });
    expect(waits).toHaveLength(3);
  });

  it('maps 401/403 to AuthError and other statuses to UpstreamHttpError without retrying', async () => {
    const { pool, client, waits } = setup();
    pool
      .intercept({ path: '/x', method: 'GET' })
      .reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'no' }] });
    pool
      .intercept({ path: '/y', method: 'GET' })
      .reply(404, { errors: [{ code: 'NOT_FOUND', message: 'gone' }] });

    await expect(
      client.request({ method: 'GET', path: '/x' })
    ).rejects.toBeInstanceOf(AuthError);
    await expect(
      client.request({ method: 'GET', path: '/y' })
    ).rejects.toMatchObject({
      status: 404,
      upstreamCode: 'NOT_FOUND',
      retryable: false,
      message: 'harbor-primary GET /y: HTTP 404 NOT_FOUND: gone',
    });
    expect(waits).toEqual([]);
  });

  it('stops at the per-request deadline with UpstreamTimeoutError', async () => {
    const { pool, client } = setup({ requestTimeoutMs: 50, sleep: undefined });
    pool
      .intercept({ path: '/slow', method: 'GET' })
      .reply(200, 'late')
      .delay(500);

    await expect(
      client.request({ method: 'GET', path: '/slow' })
    ).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });

  it('gives up with the last failure when Retry-After outlasts the deadline', async () => {
    const { pool, client } = setup({ requestTimeoutMs: 100, sleep: undefined });
    pool
      .intercept({ path: '/busy', method: 'GET' })
      .reply(503, '', { headers: { 'retry-after': '10' } });

    await expect(
      client.request({ method: 'GET', path: '/busy' })
    ).rejects.toMatchObject({ status: 503 });
  });
});

describe('parseRetryAfter / retryDelayMs', () => {
  it('reads delta-seconds and HTTP-dates', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('caps Retry-After and backoff, and spreads with jitter', () => {
    expect(retryDelayMs(1, POLICY, () => 0, 120_000)).toBe(30_000);
    expect(retryDelayMs(10, POLICY, () => 0)).toBe(1_000);
    expect(retryDelayMs(10, POLICY, () => 0.999)).toBe(1_999);
    expect(retryDelayMs(1, POLICY, () => 0)).toBe(100);
  });
});

import { rootCertificates } from 'node:tls';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import {
  AuthError,
  HarborDrError,
  isDeadline,
  UpstreamHttpError,
  UpstreamTimeoutError,
} from '../../core/errors';
import type { TimeoutKind, UpstreamRequestInfo } from '../../core/errors';
import type { BudgetLease } from './budget';
import type { AimdOptions } from '../../core/concurrency/aimd';
import { AdaptiveGate, type GateOutcome, type GatePermit } from './gate';
import { requestScope, type RequestScope } from './request-scope';

/** HTTP methods the adapters use. Only GET and HEAD are ever retried. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** When and how long to wait before retrying an idempotent request. */
export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  maxRetries: number;
  /** Base of the exponential backoff. @default 200 */
  minDelayMs: number;
  /** Cap of one backoff step. @default 2000 */
  maxDelayMs: number;
  /** Cap applied to a server's Retry-After. @default 30000 */
  maxRetryAfterMs: number;
}

/** Options of one upstream's client. Timeouts in milliseconds. */
export interface HttpClientOptions {
  /** The upstream's configured name, used in error messages. */
  service: string;
  /** The upstream's base URL; only its origin is used for the pool. */
  baseUrl: string;
  /** Pool size: at most this many requests in flight to the origin. @default 8 */
  connections?: number;
  /**
   * Adaptive concurrency (AIMD on latency, lambdas/core/concurrency/aimd.ts): requests to the
   * client's own origin wait for a place under the controller's limit, which grows from a
   * small start up to `max` (at most `connections`) while the latency stays near the best
   * seen, and halves on 429/503, timeouts or a latency blow-up. Absent: `connections` fixed.
   */
  adaptive?: AimdOptions;
  /** Told each time the adaptive limit changes. */
  onLimit?: (limit: number) => void;
  /** @default 4000 */
  keepAliveTimeoutMs?: number;
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** @default 10000 */
  headersTimeoutMs?: number;
  /** @default 30000 */
  bodyTimeoutMs?: number;
  /** Deadline of one logical request, retries and waits included. @default 60000 */
  requestTimeoutMs?: number;
  /**
   * The run's deadline: once aborted, every request of this client in flight is aborted,
   * every retry wait ends and no new request is sent; each fails with an
   * UpstreamTimeoutError whose `timeout` is `deadline`.
   */
  signal?: AbortSignal;
  /** Extra CA certificates (PEM text), trusted in addition to the system roots. */
  caBundle?: string;
  /** Skip TLS verification (Harbor's `insecure`). Off unless asked for. @default false */
  insecure?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Largest body read into memory. @default 64 MiB */
  maxBodyBytes?: number;
  /** Replaces the Pool per origin, e.g. an undici MockAgent in unit tests. */
  dispatcherFor?: (origin: string) => Dispatcher;
  /** Injected for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Injected for tests; returns [0, 1). */
  random?: () => number;
}

/** One logical request. */
export interface HttpRequest {
  method: HttpMethod;
  /** A path + query on the client's origin, or an absolute URL (another origin gets its own pool). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Statuses returned to the caller; any other status throws. @default [200] */
  accept?: readonly number[];
  /** The caller's deadline (e.g. the run's), combined with the per-request one. */
  signal?: AbortSignal;
  /** A listing's share of the run's memory budget: the body draws on it as it arrives. */
  lease?: BudgetLease;
}

/** A response whose body has been read completely. */
export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The path (or absolute URL) that was requested. */
  path: string;
}

/** A keep-alive client of one upstream with the project's retry, timeout and error policy. */
export interface HttpClient {
  readonly service: string;
  readonly origin: string;
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Closes every pool this client opened. */
  close(): Promise<void>;
}

const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 3,
  minDelayMs: 200,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 30_000,
};

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
// What the adaptive limit reads as "overloaded: send fewer".
const OVERLOAD_STATUSES = new Set([429, 503]);
const IDEMPOTENT = new Set<HttpMethod>(['GET', 'HEAD']);
// Transport failures where the request may simply be sent again on a fresh connection.
const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
// undici's own timeouts, by the limit that fired.
const TIMEOUT_CODES: ReadonlyMap<string, TimeoutKind> = new Map([
  ['UND_ERR_HEADERS_TIMEOUT', 'headers'],
  ['UND_ERR_BODY_TIMEOUT', 'body'],
  ['UND_ERR_CONNECT_TIMEOUT', 'connect'],
]);
const ERROR_BODY_LIMIT = 4_096;

/**
 * Parses Retry-After (delta-seconds or an HTTP-date) into milliseconds from `nowMs`.
 * @returns undefined when absent or unparsable
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  nowMs: number
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The wait before retry number `attempt` (1-based): exponential backoff with jitter
 * (half fixed, half random, so concurrent clients spread out), or the server's Retry-After
 * (capped) plus a little jitter.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number
): number {
  if (retryAfterMs !== undefined) {
    return (
      Math.min(retryAfterMs, policy.maxRetryAfterMs) +
      Math.floor(random() * policy.minDelayMs)
    );
  }
  const step = Math.min(
    policy.maxDelayMs,
    policy.minDelayMs * 2 ** (attempt - 1)
  );
  return Math.floor(step / 2 + random() * (step / 2));
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The first `errors[].code` / `message` of a Harbor or OCI error body. */
function upstreamErrorOf(body: Buffer): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    const errors = (parsed as { errors?: unknown }).errors;
    if (!Array.isArray(errors) || errors.length === 0) return {};
    const first = errors[0] as { code?: unknown; message?: unknown };
    return {
      code: typeof first.code === 'string' ? first.code : undefined,
      message:
        typeof first.message === 'string'
          ? first.message.slice(0, 200)
          : undefined,
    };
  } catch {
    return {};
  }
}

class ResponseTooLargeError extends Error {}

async function readBody(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  lease?: BudgetLease
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let drawn = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        throw new ResponseTooLargeError(
          `body larger than ${limit.toString()} bytes`
        );
      }
      lease?.take(chunk.length);
      drawn += chunk.length;
      chunks.push(chunk);
    }
  } catch (err) {
    body.destroy();
    // What this attempt drew goes with it (a retry draws again).
    lease?.give(drawn);
    throw err;
  }
  return Buffer.concat(chunks);
}

/** Creates the undici Pool options for one origin: keep-alive, timeouts, TLS. */
function poolOptions(opts: HttpClientOptions): Pool.Options {
  const ca = opts.caBundle ? [...rootCertificates, opts.caBundle] : undefined;
  return {
    connections: opts.connections ?? 8,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 4_000,
    headersTimeout: opts.headersTimeoutMs ?? 10_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 30_000,
    connect: {
      timeout: opts.connectTimeoutMs ?? 10_000,
      rejectUnauthorized: opts.insecure !== true,
      ...(ca ? { ca } : {}),
    },
  };
}

/**
 * Creates the client of one upstream: an undici Pool per origin, a per-request deadline,
 * retries with backoff and jitter for GET/HEAD only (429/502/503/504 and connection resets,
 * honouring Retry-After), and statuses mapped to typed errors (401/403 → AuthError,
 * others → UpstreamHttpError). Bodies are always consumed. No cookies are ever kept or sent.
 */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const origin = new URL(opts.baseUrl).origin;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const timeoutMs = opts.requestTimeoutMs ?? 60_000;
  const limits: Record<Exclude<TimeoutKind, 'deadline'>, number> = {
    connect: opts.connectTimeoutMs ?? 10_000,
    headers: opts.headersTimeoutMs ?? 10_000,
    body: opts.bodyTimeoutMs ?? 30_000,
    request: timeoutMs,
  };
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const dispatchers = new Map<string, Dispatcher>();
  const connections = opts.connections ?? 8;
  // Only the registry's own origin is gated (a token service elsewhere is not it).
  const gate = opts.adaptive
    ? new AdaptiveGate(
        {
          ...opts.adaptive,
          max: Math.min(opts.adaptive.max, connections),
        },
        opts.onLimit
      )
    : undefined;

  const dispatcherFor = (o: string): Dispatcher => {
    let d = dispatchers.get(o);
    if (!d) {
      d = opts.dispatcherFor
        ? opts.dispatcherFor(o)
        : new Pool(o, poolOptions(opts));
      dispatchers.set(o, d);
    }
    return d;
  };

  const send = async (
    req: HttpRequest,
    scope: RequestScope,
    runDeadlines: readonly AbortSignal[]
  ): Promise<HttpResponse> => {
    const absolute = /^https?:\/\//i.test(req.path);
    const url = absolute ? new URL(req.path) : undefined;
    const target = url ? url.origin : origin;
    const path = url ? `${url.pathname}${url.search}` : req.path;
    const info: UpstreamRequestInfo = {
      service: opts.service,
      method: req.method,
      path: absolute && target !== origin ? `${target}${path}` : path,
    };
    const accept = req.accept ?? [200];
    const { signal } = scope;
    const deadlineReached = (): boolean => runDeadlines.some((s) => s.aborted);
    const canRetry = IDEMPOTENT.has(req.method);
    const dispatcher = dispatcherFor(target);
    const timeoutError = (
      timeout: TimeoutKind,
      cause: unknown,
      detail?: string
    ): UpstreamTimeoutError =>
      new UpstreamTimeoutError({
        ...info,
        timeout,
        ...(timeout === 'deadline' ? {} : { timeoutMs: limits[timeout] }),
        ...(detail !== undefined ? { detail } : {}),
        cause,
      });

    for (let attempt = 0; ; attempt++) {
      // Past the run's deadline nothing new is sent.
      if (deadlineReached()) throw timeoutError('deadline', undefined);
      let failure: HarborDrError;
      let retryAfterMs: number | undefined;
      let permit: GatePermit | undefined;
      let shown: GateOutcome = { outcome: 'error' };
      try {
        if (gate && target === origin) permit = await gate.acquire(signal);
        const sent = performance.now();
        const res = await dispatcher.request({
          origin: target,
          method: req.method,
          path,
          headers: req.headers,
          body: req.body,
          signal,
          // undici closes the connection after every HEAD unless told otherwise (a guard
          // against servers that send a body with HEAD); registries do not, and an audit
          // is mostly HEADs: without this each one paid a new TCP connection.
          ...(req.method === 'HEAD' ? { reset: false } : {}),
        });
        shown = OVERLOAD_STATUSES.has(res.statusCode)
          ? { outcome: 'overload' }
          : { outcome: 'ok', latencyMs: performance.now() - sent };
        const headers = res.headers as HttpResponse['headers'];
        if (accept.includes(res.statusCode)) {
          const body =
            req.method === 'HEAD'
              ? (await res.body.dump(), Buffer.alloc(0))
              : await readBody(res.body, maxBody, req.lease);
          return { status: res.statusCode, headers, body, path: req.path };
        }
        const errorBody = await readBody(res.body, ERROR_BODY_LIMIT).catch(() =>
          Buffer.alloc(0)
        );
        const upstream = upstreamErrorOf(errorBody);
        if (res.statusCode === 401 || res.statusCode === 403) {
          throw new AuthError(
            opts.service,
            res.statusCode === 401
              ? `credentials rejected or missing (HTTP 401${upstream.code ? ` ${upstream.code}` : ''})`
              : `permission denied (HTTP 403${upstream.code ? ` ${upstream.code}` : ''})`,
            { status: res.statusCode, request: info }
          );
        }
        failure = new UpstreamHttpError({
          ...info,
          status: res.statusCode,
          upstreamCode: upstream.code,
          detail: upstream.message,
        });
        if (!RETRY_STATUSES.has(res.statusCode)) throw failure;
        retryAfterMs = parseRetryAfter(headers['retry-after'], Date.now());
      } catch (err) {
        if (err instanceof HarborDrError && !isDeadline(err)) throw err;
        // The run's deadline first: it aborts whatever else was about to fire.
        if (deadlineReached()) throw timeoutError('deadline', err);
        const code = errorCode(err);
        const fired = code === undefined ? undefined : TIMEOUT_CODES.get(code);
        // A request that timed out after it was sent: the registry is overloaded.
        if (permit && (scope.timedOut() || fired !== undefined)) {
          shown = { outcome: 'overload' };
        }
        if (scope.timedOut()) throw timeoutError('request', err);
        if (fired !== undefined) throw timeoutError(fired, err);
        failure = new UpstreamHttpError({
          ...info,
          status: 0,
          detail:
            err instanceof ResponseTooLargeError
              ? err.message
              : `connection failed (${code ?? 'unknown error'})`,
          cause: err,
        });
        if (code === undefined || !RESET_CODES.has(code)) throw failure;
      } finally {
        // Before any wait to retry: a waiting request holds no place in flight.
        permit?.release(shown);
      }
      if (!canRetry || attempt >= policy.maxRetries) throw failure;
      const wait = retryDelayMs(attempt + 1, policy, random, retryAfterMs);
      try {
        await sleep(wait, signal);
      } catch (err) {
        // The run's deadline ends the wait: named as such, with the failure that caused it.
        if (deadlineReached()) {
          throw timeoutError(
            'deadline',
            failure,
            `while waiting to retry after: ${failure.message.replace(`${describe(info)}: `, '')}`
          );
        }
        // The request's own limit ends it: the last real failure explains more.
        if (scope.timedOut()) throw failure;
        throw err;
      }
    }
  };

  const request = async (req: HttpRequest): Promise<HttpResponse> => {
    // The request's own limit, and the run's deadline (the client's and the caller's).
    const runDeadlines = [opts.signal, req.signal].filter(
      (s): s is AbortSignal => s !== undefined
    );
    const scope = requestScope(timeoutMs, runDeadlines);
    try {
      return await send(req, scope, runDeadlines);
    } finally {
      scope.release();
    }
  };

  return {
    service: opts.service,
    origin,
    request,
    async close() {
      const all = [...dispatchers.values()];
      dispatchers.clear();
      await Promise.all(all.map((d) => d.close()));
    },
  };
}

function describe(info: UpstreamRequestInfo): string {
  return `${info.service} ${info.method} ${info.path}`;
}

/** `Authorization: Basic …` for a username and password. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

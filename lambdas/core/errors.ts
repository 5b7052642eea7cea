/** Stable machine-readable codes for every error this project raises. */
export type HarborDrErrorCode =
  | 'CONFIG'
  | 'UPSTREAM_HTTP'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_SCHEMA'
  | 'AUTH'
  | 'CONFLICT'
  | 'DEADLINE'
  | 'INCOMPLETE_LISTING';

/** Base of the error taxonomy: a code, whether a retry could help, and an ES2022 cause. */
export class HarborDrError extends Error {
  readonly code: HarborDrErrorCode;
  readonly retryable: boolean;

  constructor(
    code: HarborDrErrorCode,
    message: string,
    options?: { retryable?: boolean; cause?: unknown }
  ) {
    super(message, { cause: options?.cause });
    this.name = 'HarborDrError';
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

/**
 * The configuration is invalid. `problems` holds one line per problem, each naming the
 * field path (`targets[1].url: must be an https or http URL`).
 */
export class ConfigError extends HarborDrError {
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[], cause?: unknown) {
    super(
      'CONFIG',
      `invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { cause }
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A REF of `harbor-dr explain` that is not one: bad usage, nothing ran. */
export class RefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefError';
  }
}

/** A narrowing guard for `catch (err: unknown)`. */
function isError(value: unknown): value is Error {
  return value instanceof Error;
}

/** Turns anything thrown into a one-line message. */
export function errorMessage(value: unknown): string {
  return isError(value) ? value.message : String(value);
}

/** Which upstream a request went to, for error messages (never with credentials). */
export interface UpstreamRequestInfo {
  /** The configured name of the upstream (`harbor-primary`, `cluster1-registry`). */
  service: string;
  method: string;
  /** Path and query, relative to the upstream's origin. */
  path: string;
}

function describeRequest(info: UpstreamRequestInfo): string {
  return `${info.service} ${info.method} ${info.path}`;
}

/**
 * An upstream answered with an unexpected status, or did not answer at all (`status` 0:
 * connection refused or reset). Retryable when the status is 5xx, 429 or 0.
 */
export class UpstreamHttpError extends HarborDrError {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The first `errors[].code` of a Harbor/OCI error body, when there was one. */
  readonly upstreamCode: string | undefined;

  constructor(
    info: UpstreamRequestInfo & {
      status: number;
      upstreamCode?: string;
      detail?: string;
      cause?: unknown;
    }
  ) {
    const what =
      info.status === 0 ? 'no response' : `HTTP ${info.status.toString()}`;
    const code = info.upstreamCode ? ` ${info.upstreamCode}` : '';
    const detail = info.detail ? `: ${info.detail}` : '';
    super(
      'UPSTREAM_HTTP',
      `${describeRequest(info)}: ${what}${code}${detail}`,
      {
        retryable:
          info.status === 0 || info.status === 429 || info.status >= 500,
        cause: info.cause,
      }
    );
    this.name = 'UpstreamHttpError';
    this.service = info.service;
    this.method = info.method;
    this.path = info.path;
    this.status = info.status;
    this.upstreamCode = info.upstreamCode;
  }
}

/**
 * Which limit ended a request: undici's connect, headers or body timeout, the request's own
 * deadline (retries and waits included), or the run's deadline (an abort signal).
 */
export type TimeoutKind =
  'connect' | 'headers' | 'body' | 'request' | 'deadline';

/** What the message says each limit is. */
const TIMEOUT_TEXT: Record<
  Exclude<TimeoutKind, 'deadline'>,
  (ms: string) => string
> = {
  connect: (ms) => `no connection within ${ms} ms (connectTimeout)`,
  headers: (ms) => `no response headers within ${ms} ms (headersTimeout)`,
  body: (ms) => `the body stalled for ${ms} ms (bodyTimeout)`,
  request: (ms) =>
    `no complete answer within ${ms} ms, retries included (request timeout)`,
};

/** Why work cut by the run's deadline is unknown, as reports say it. */
export const DEADLINE_IN_FLIGHT = 'deadline reached: aborted in flight';
/** Why work the run's deadline kept from starting is unknown. */
export const DEADLINE_NOT_STARTED = 'deadline reached: not audited';

/**
 * The run's deadline came: the reason of the run's abort signal, so that whatever it cuts
 * can tell it from any other failure.
 */
export class DeadlineError extends HarborDrError {
  constructor(message: string = DEADLINE_IN_FLIGHT) {
    super('DEADLINE', message, { retryable: false });
    this.name = 'DeadlineError';
  }
}

/**
 * An upstream did not answer in time. The message names the limit that fired (`timeout`):
 * a connect, headers or body timeout of the HTTP client, the request's own deadline, or the
 * run's deadline.
 */
export class UpstreamTimeoutError extends HarborDrError {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  /** The limit that fired. */
  readonly timeout: TimeoutKind;
  /** That limit, when it is a duration (not for the run's deadline). */
  readonly timeoutMs: number | undefined;

  constructor(
    info: UpstreamRequestInfo & {
      timeout: TimeoutKind;
      timeoutMs?: number;
      /** What had happened before (the last failure, when the deadline cut a retry wait). */
      detail?: string;
      cause?: unknown;
    }
  ) {
    const what =
      info.timeout === 'deadline'
        ? DEADLINE_IN_FLIGHT
        : TIMEOUT_TEXT[info.timeout](
            info.timeoutMs === undefined ? '?' : String(info.timeoutMs)
          );
    super(
      info.timeout === 'deadline' ? 'DEADLINE' : 'UPSTREAM_TIMEOUT',
      `${describeRequest(info)}: ${what}${info.detail ? ` (${info.detail})` : ''}`,
      { retryable: info.timeout !== 'deadline', cause: info.cause }
    );
    this.name = 'UpstreamTimeoutError';
    this.service = info.service;
    this.method = info.method;
    this.path = info.path;
    this.timeout = info.timeout;
    this.timeoutMs = info.timeoutMs;
  }
}

/** Whether an error (or anything in its cause chain) is the run's deadline. */
export function isDeadline(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && depth < 8; depth++) {
    if (e instanceof HarborDrError && e.code === 'DEADLINE') return true;
    e = isError(e) ? e.cause : undefined;
  }
  return false;
}

/**
 * An upstream answered 2xx with a body that is not what the contract says (not JSON,
 * truncated, a field missing or of another type). `problems` name the field paths
 * (`[3].tags[0].name: expected string`); upstream values are never echoed.
 */
export class UpstreamSchemaError extends HarborDrError {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly problems: readonly string[];

  constructor(
    info: UpstreamRequestInfo & { problems: readonly string[]; cause?: unknown }
  ) {
    super(
      'UPSTREAM_SCHEMA',
      `${describeRequest(info)}: unexpected response: ${info.problems.join('; ')}`,
      { retryable: false, cause: info.cause }
    );
    this.name = 'UpstreamSchemaError';
    this.service = info.service;
    this.method = info.method;
    this.path = info.path;
    this.problems = info.problems;
  }
}

/**
 * Credentials were rejected (401) or lack a permission (403), or could not be resolved.
 * Not retryable: the answer will not change without an operator. `status` is absent when
 * no request was involved (a missing secret).
 */
export class AuthError extends HarborDrError {
  readonly service: string;
  readonly status: number | undefined;

  constructor(
    service: string,
    message: string,
    options?: {
      status?: number;
      request?: UpstreamRequestInfo;
      cause?: unknown;
    }
  ) {
    const where = options?.request
      ? `${describeRequest(options.request)}: `
      : `${service}: `;
    super('AUTH', `${where}${message}`, {
      retryable: false,
      cause: options?.cause,
    });
    this.name = 'AuthError';
    this.service = service;
    this.status = options?.status;
  }
}

/**
 * A paginated listing could not be seen whole: the total changed while paging, a page came
 * back short, or the pagination links ended early or looped. Never returned as a partial
 * list; retryable, since the listing usually settles.
 */
export class IncompleteListingError extends HarborDrError {
  readonly service: string;
  readonly path: string;

  constructor(service: string, path: string, reason: string) {
    super(
      'INCOMPLETE_LISTING',
      `${service} GET ${path}: incomplete listing: ${reason}`,
      {
        retryable: true,
      }
    );
    this.name = 'IncompleteListingError';
    this.service = service;
    this.path = path;
  }
}

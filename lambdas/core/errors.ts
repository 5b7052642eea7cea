/** Stable machine-readable codes for every error this project raises. */
export type HarborDrErrorCode =
  | 'CONFIG'
  | 'UPSTREAM_HTTP'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_SCHEMA'
  | 'AUTH'
  | 'CONFLICT'
  | 'DEADLINE';

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

/** A narrowing guard for `catch (err: unknown)`. */
export function isError(value: unknown): value is Error {
  return value instanceof Error;
}

/** Turns anything thrown into a one-line message. */
export function errorMessage(value: unknown): string {
  return isError(value) ? value.message : String(value);
}

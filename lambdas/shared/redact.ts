import { HarborDrError } from '../core/errors';

/**
 * Defence in depth for logs: every secret value this process resolved (passwords, and the raw
 * text of a secret that could not be parsed) is registered here, and the logger scrubs every
 * string it prints of them. The first defence stays that no error carries a secret at all.
 */
const secrets = new Set<string>();

/** Shorter values are not scrubbed: replacing 1-3 characters everywhere would garble logs. */
const MIN_REDACTED_LENGTH = 4;

/** What a registered secret is replaced with. */
export const REDACTED = '***';

/** Registers a secret value: from now on {@link redact} removes it from any text. */
export function registerSecret(value: string): void {
  if (value.length < MIN_REDACTED_LENGTH) return;
  secrets.add(value);
  const trimmed = value.trim();
  if (trimmed !== value && trimmed.length >= MIN_REDACTED_LENGTH) {
    secrets.add(trimmed);
  }
}

/** The text with every registered secret replaced by `***` (longest first). */
export function redact(text: string): string {
  if (secrets.size === 0) return text;
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out;
}

/** An error as it may be logged: what it is, never what an upstream or a secret said. */
export interface SafeErrorDetail {
  name: string;
  code?: string;
  message: string;
  /** Stack frames only (the first line of a stack repeats the message). */
  stack?: string;
  /** The cause chain: names and codes; messages only of this project's own errors. */
  causes?: { name: string; code?: string; message?: string }[];
}

const MAX_CAUSES = 5;
const MAX_FRAMES = 12;

/**
 * Describes an error for a log without serializing its cause chain blindly. This project's
 * errors (HarborDrError) never quote upstream or secret values, so their messages are kept
 * (scrubbed). Other errors' messages may quote their input (JSON.parse quotes the text it
 * could not parse, a zod error its input): a cause keeps only its name and code, and a
 * SyntaxError's message is withheld even at the top.
 */
export function safeErrorDetail(err: unknown): SafeErrorDetail {
  if (!(err instanceof Error)) {
    return { name: typeof err, message: '(a non-Error value was thrown)' };
  }
  const ownMessage =
    err instanceof SyntaxError
      ? '(message withheld: it may quote the text that failed to parse)'
      : redact(err.message);
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, MAX_FRAMES)
    .map((l) => redact(l));
  const causes: NonNullable<SafeErrorDetail['causes']> = [];
  const seen = new Set<unknown>([err]);
  let cause: unknown = err.cause;
  while (
    cause !== undefined &&
    !seen.has(cause) &&
    causes.length < MAX_CAUSES
  ) {
    seen.add(cause);
    if (cause instanceof Error) {
      const code = codeOf(cause);
      causes.push({
        name: cause.name,
        ...(code ? { code } : {}),
        ...(cause instanceof HarborDrError
          ? { message: redact(cause.message) }
          : {}),
      });
      cause = cause.cause;
    } else {
      causes.push({ name: typeof cause });
      break;
    }
  }
  const code = codeOf(err);
  return {
    name: err.name,
    ...(code ? { code } : {}),
    message: ownMessage,
    ...(frames.length > 0 ? { stack: frames.join('\n') } : {}),
    ...(causes.length > 0 ? { causes } : {}),
  };
}

function codeOf(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)
    ? code
    : undefined;
}

/**
 * A JSON replacer for the logger: errors become {@link safeErrorDetail}, strings are
 * scrubbed of registered secrets.
 */
export function redactingReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return safeErrorDetail(value);
  if (typeof value === 'string') return redact(value);
  return value;
}

/**
 * An error to rethrow from a handler: the name and the scrubbed message of `err`, no stack
 * frames, no cause. What a handler throws reaches the runtime's log and, for a Step
 * Functions task, the execution's `Cause` (and from there the report): never the raw error.
 */
export function scrubbedError(err: unknown): Error {
  const detail = safeErrorDetail(err);
  const scrubbed = new Error(detail.message);
  scrubbed.name = detail.name;
  scrubbed.stack = `${detail.name}: ${detail.message}`;
  return scrubbed;
}

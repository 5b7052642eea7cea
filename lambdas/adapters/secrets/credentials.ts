import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
// Types only: the AWS SDK loads with the first secret read, not with the CLI's config checks.
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { AuthError, ConfigError } from '../../core/errors';
import type { CredentialsRef } from '../../shared/config';
import { formatPath } from '../../shared/config';
import { REDACTED, registerSecret } from '../../shared/redact';

/**
 * A username and password that cannot be printed: JSON.stringify, util.inspect,
 * console.log and string conversion show the password as `***`.
 */
export class Credentials {
  readonly username: string;
  readonly #password: string;

  constructor(username: string, password: string) {
    this.username = username;
    this.#password = password;
    // Whatever logs it by mistake, the logger scrubs it.
    registerSecret(password);
  }

  /** The secret itself; read it only to build an Authorization header. */
  get password(): string {
    return this.#password;
  }

  toJSON(): { username: string; password: string } {
    return { username: this.username, password: REDACTED };
  }

  toString(): string {
    return `Credentials(${this.username}, ${REDACTED})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The JSON shape of a credentials file and of a Secrets Manager secret. */
const credentialsDocumentSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
});

/** What a resolver may read from; injected so that tests need no AWS or real files. */
export interface CredentialSources {
  env?: Readonly<Record<string, string | undefined>>;
  readFile?: (path: string) => Promise<string>;
  secretsManager?: Pick<SecretsManagerClient, 'send'>;
}

/** Resolves a config's credentials reference to credentials. */
export type CredentialsResolver = (
  ref: CredentialsRef,
  /** The registry's configured name, for error messages. */
  owner: string
) => Promise<Credentials>;

/** What a credentials document must be, said by shape: its values are never quoted. */
export const EXPECTED_SHAPE =
  'is not a JSON object with "username" and "password" strings';

function describeDocumentProblems(error: z.ZodError): string[] {
  // Only field names: the values are secrets.
  return error.issues.map((i) =>
    i.path.length === 0
      ? `(root): ${EXPECTED_SHAPE}`
      : `${formatPath(i.path)}: ${i.input === undefined ? 'is required' : 'must be a non-empty string'}`
  );
}

/**
 * Creates a resolver with a per-cold-start cache of Secrets Manager secrets (the Lambda
 * keeps module state between warm invocations). Errors name the variable, file, field or
 * secret id, never a value.
 * @throws ConfigError for a missing variable, an unreadable or malformed file or secret
 * @throws AuthError when Secrets Manager refuses or does not have the secret
 */
export function createCredentialsResolver(
  sources: CredentialSources = {}
): CredentialsResolver {
  const env = sources.env ?? process.env;
  const read = sources.readFile ?? ((p: string) => readFile(p, 'utf8'));
  let sm = sources.secretsManager;
  const secretCache = new Map<string, Promise<Credentials>>();

  const fromSecret = async (
    secretId: string,
    owner: string
  ): Promise<Credentials> => {
    const sdk =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@aws-sdk/client-secrets-manager') as typeof SecretsManager;
    sm ??= new sdk.SecretsManagerClient({});
    let text: string | undefined;
    try {
      const out = await sm.send(
        new sdk.GetSecretValueCommand({ SecretId: secretId })
      );
      text = out.SecretString;
    } catch (err) {
      throw new AuthError(
        owner,
        `cannot read secret "${secretId}" from Secrets Manager (${err instanceof Error ? err.name : 'error'})`,
        { cause: err }
      );
    }
    if (text === undefined) {
      throw new ConfigError(`secret ${secretId}`, [
        'SecretString: is required (binary secrets are not supported)',
      ]);
    }
    return parseDocument(text, `secret ${secretId}`);
  };

  return async (ref, owner) => {
    if (ref.env) {
      const missing = [ref.env.username, ref.env.password].filter(
        (name) => (env[name] ?? '') === ''
      );
      if (missing.length > 0) {
        throw new ConfigError(
          `${owner} credentials`,
          missing.map((name) => `environment variable ${name}: is not set`)
        );
      }
      return new Credentials(
        env[ref.env.username] ?? '',
        env[ref.env.password] ?? ''
      );
    }
    if (ref.file !== undefined) {
      let text: string;
      try {
        text = await read(ref.file);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        throw new ConfigError(
          `${owner} credentials`,
          [
            `file ${ref.file}: cannot be read (${typeof code === 'string' ? code : 'error'})`,
          ],
          err
        );
      }
      return parseDocument(text, `file ${ref.file}`);
    }
    if (ref.secretId !== undefined) {
      const id = ref.secretId;
      let cached = secretCache.get(id);
      if (!cached) {
        cached = fromSecret(id, owner);
        secretCache.set(id, cached);
        // A failed lookup is not cached: the next run may succeed.
        cached.catch(() => secretCache.delete(id));
      }
      return cached;
    }
    throw new ConfigError(`${owner} credentials`, [
      'credentials: must name exactly one of secretId, env or file',
    ]);
  };
}

/** A credentials document read by shape: its username and password, or what is wrong. */
export type CredentialsDocument =
  | { ok: true; username: string; password: string }
  | {
      ok: false;
      /** The text is not JSON at all. */
      notJson: boolean;
      /** One line per problem, naming the field, never a value. */
      problems: string[];
    };

/**
 * Reads a credentials document (a credentials file, a Secrets Manager secret). What is wrong
 * is said by shape and field; never the text, nor a JSON.parse error (whose message quotes
 * the text), nor the zod error (it holds the inputs).
 */
export function readCredentialsDocument(text: string): CredentialsDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {
      ok: false,
      notJson: true,
      problems: [`(root): ${EXPECTED_SHAPE} (not valid JSON)`],
    };
  }
  // The inputs only decide "required" against "must be a non-empty string"; the error
  // itself is dropped here and never attached as a cause.
  const parsed = credentialsDocumentSchema.safeParse(raw, {
    reportInput: true,
  });
  return parsed.success
    ? { ok: true, ...parsed.data }
    : {
        ok: false,
        notJson: false,
        problems: describeDocumentProblems(parsed.error),
      };
}

/**
 * Parses a credentials document into credentials; errors name the source and the field.
 * The text is registered as a secret first, so that the logger scrubs it should it ever
 * reach a log.
 */
function parseDocument(text: string, source: string): Credentials {
  registerSecret(text);
  const doc = readCredentialsDocument(text);
  if (!doc.ok) throw new ConfigError(source, doc.problems);
  return new Credentials(doc.username, doc.password);
}

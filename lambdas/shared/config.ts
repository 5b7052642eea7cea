import { z } from 'zod';
import { ConfigError } from '../core/errors';
import { canonicalUrl } from '../core/harbor/urls';
import { TARGET_KINDS } from '../core/model';
import { closest, suggestion } from './suggest';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const name = z.string().regex(NAME_PATTERN, {
  error:
    'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
});

/**
 * An http(s) URL without credentials, a trailing slash, query or fragment. `user:password@`
 * would be printed into every report and log: credentials go in `credentials`, and the
 * error never echoes the URL.
 */
const registryUrl = z
  .url({ protocol: /^https?$/, error: 'must be an https or http URL' })
  .refine((u) => !hasUserInfo(u), {
    error:
      'must not carry credentials (user:password@); give them in `credentials`',
    abort: true,
  })
  .refine((u) => !u.includes('?') && !u.includes('#'), {
    error: 'must not carry a query or fragment',
  })
  .transform((u) => u.replace(/\/+$/, ''));

function hasUserInfo(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

const envName = z
  .string()
  .regex(ENV_NAME_PATTERN, { error: 'must be an environment variable name' });

/**
 * Where a registry's credentials come from. Exactly one source: a Secrets Manager secret
 * (in AWS), environment variables, or a JSON file (locally). Secret values never live in the
 * config itself. A secret and a file hold `{"username": "...", "password": "..."}`.
 */
export const credentialsRef = z
  .strictObject({
    secretId: z.string().min(1, { error: 'must not be empty' }).optional(),
    env: z.strictObject({ username: envName, password: envName }).optional(),
    file: z.string().min(1, { error: 'must not be empty' }).optional(),
  })
  .check((ctx) => {
    const given = (['secretId', 'env', 'file'] as const).filter(
      (k) => ctx.value[k] !== undefined
    );
    if (given.length !== 1) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `must name exactly one of secretId, env or file (found ${given.length === 0 ? 'none' : given.join(', ')})`,
      });
    }
  });

const tlsFields = {
  /** Verify the server's TLS certificate (Harbor's "Verify Remote Cert"). */
  verifyTls: z.boolean().default(true),
  /** A PEM bundle of extra CA certificates to trust, for private CAs. */
  caBundle: z.string().min(1).optional(),
};

/** How many requests the auditor keeps in flight to one registry (README: concurrency). */
const concurrencyFields = {
  /**
   * The cap: never more requests in flight to this registry. Unset: the run's concurrency
   * (`harbor-dr --concurrency`, 8 by default); with `adaptiveConcurrency`, 32 (or the run's
   * concurrency if higher).
   */
  maxConcurrency: z.int().min(1).max(256).optional(),
  /**
   * Adapt the requests in flight to the link and the registry (AIMD on latency): start at 2,
   * grow up to `maxConcurrency` while the latency stays within 1.5x the best seen, halve on
   * 429/503, timeouts or a latency above 3x the best. Off (unset): `maxConcurrency` fixed.
   */
  adaptiveConcurrency: z.boolean().optional(),
};

const primarySchema = z.strictObject({
  name,
  url: registryUrl,
  credentials: credentialsRef.optional(),
  /**
   * Least privilege: a separate account (e.g. a system robot with `replication create`)
   * used only to start and stop executions; `credentials` read everything else. Without
   * it, starts and stops use `credentials`.
   */
  operatorCredentials: credentialsRef.optional(),
  ...tlsFields,
  ...concurrencyFields,
  /**
   * Which bmatcuk/doublestar reads the replication filters: `auto` takes the one the
   * primary's release links (GET /systeminfo: v1.1.1 in 2.8.0–2.9.4 and 2.10.0–2.10.2, else
   * v1.3.4); a version forces it (for a primary that does not show its release).
   */
  doublestar: z
    .enum(['auto', 'v1.1.1', 'v1.3.4'], {
      error: 'must be "auto", "v1.1.1" or "v1.3.4"',
    })
    .default('auto'),
});

const targetSchema = z.strictObject({
  name,
  url: registryUrl,
  kind: z.enum(TARGET_KINDS, {
    error: `must be ${TARGET_KINDS.map((k) => `"${k}"`)
      .join(', ')
      .replace(/, ([^,]+)$/, ' or $1')}`,
  }),
  credentials: credentialsRef.optional(),
  ...tlsFields,
  ...concurrencyFields,
  /**
   * Hosts (`host` or `host:port`), besides the target's own, where its credentials may be
   * sent for a Bearer token (a registry whose token service lives elsewhere); https only.
   */
  tokenRealms: z
    .array(
      z
        .string()
        .regex(
          /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/,
          {
            error:
              'must be a host or host:port (no scheme, path or credentials)',
          }
        )
        .transform((h) => h.toLowerCase())
    )
    .max(20)
    .optional(),
  /**
   * Harbor targets: also check through `/v2/` that manifests Harbor's database lists really
   * exist in its storage (a HEAD each): none, a sample, or all of them.
   */
  verify: z
    .strictObject({
      manifests: z
        .enum(['none', 'sample', 'all'], {
          error: 'must be "none", "sample" or "all"',
        })
        .default('none'),
      sampleSize: z.int().min(1).max(10_000).default(50),
    })
    .prefault({}),
});

/**
 * Replication health (look-back window, stuck threshold) and the act step: re-triggering
 * policies and stopping stuck executions, both only when `enabled`.
 */
const retriggerSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    dryRun: z.boolean().default(false),
    maxPerRun: z.int().min(0).max(100).default(5),
    cooldownMinutes: z.int().min(0).max(10_080).default(60),
    /** After a start, wait within the run's deadline and observe the policy's refs again. */
    verify: z.boolean().default(false),
    /** Stop executions InProgress for longer than this; unset = never stop (the default). */
    stopStuckAfterMinutes: z.int().min(1).max(10_080).optional(),
    /** The health look-back window; unset = since the previous audit (24 h without one). */
    lookbackHours: z.int().min(1).max(8_760).optional(),
    /** An execution InProgress for longer is reported as stuck. */
    stuckAfterMinutes: z.int().min(1).max(10_080).default(180),
  })
  .check((ctx) => {
    const { stopStuckAfterMinutes, stuckAfterMinutes } = ctx.value;
    if (
      stopStuckAfterMinutes !== undefined &&
      stopStuckAfterMinutes < stuckAfterMinutes
    ) {
      ctx.issues.push({
        code: 'custom',
        input: stopStuckAfterMinutes,
        path: ['stopStuckAfterMinutes'],
        message: `must be at least stuckAfterMinutes (${stuckAfterMinutes.toString()}): only stuck executions are stopped`,
      });
    }
  });

const notifySchema = z.strictObject({
  on: z
    .enum(['always', 'change', 'problem'], {
      error: 'must be "always", "change" or "problem"',
    })
    .default('change'),
  /**
   * What a message's body is: `text` (for email and SQS) or `chat`, an Amazon Q Developer
   * in chat applications custom notification (JSON) for a topic mapped to a chat channel.
   */
  format: z
    .enum(['text', 'chat'], { error: 'must be "text" or "chat"' })
    .default('text'),
});

/** The retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
  2192, 2557, 2922, 3288, 3653,
] as const;

/** An EventBridge Scheduler expression: `cron(m h dom mon dow year)` or `rate(n unit)`. */
const scheduleExpression = z
  .string()
  .regex(
    /^(?:cron\((?:\S+\s+){5}\S+\)|rate\(\d+\s+(?:minute|minutes|hour|hours|day|days)\))$/,
    {
      error:
        'must be "cron(minutes hours day-of-month month day-of-week year)" or "rate(n unit)"',
    }
  );

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be an IANA time zone such as "UTC" or "Europe/Paris"' }
);

const scheduleSchema = z.strictObject({
  expression: scheduleExpression,
  timeZone: timeZone.default('UTC'),
});

const functionSizing = (timeoutSeconds: number) => ({
  memoryMiB: z.int().min(128).max(10_240).default(1024),
  timeoutSeconds: z
    .int()
    .min(10, { error: 'must be at least 10 seconds' })
    .max(900, { error: 'must be at most 900 seconds (the Lambda limit)' })
    .default(timeoutSeconds),
});

/**
 * How the stack deploys the functions. Read by the CDK app at synth time only; the
 * functions receive the rest of the configuration.
 */
const deploymentSchema = z.strictObject({
  audit: z
    .strictObject({
      /** Nightly at 02:00 UTC unless configured. */
      schedule: scheduleSchema.prefault({ expression: 'cron(0 2 * * ? *)' }),
      ...functionSizing(900),
      /**
       * Reserved concurrency of the audit function; unset (the default) reserves none, which
       * deploys on a new account (its limit of 10 leaves nothing to reserve). 1 makes
       * overlapping audits impossible where the account has room for it.
       */
      reservedConcurrency: z.int().min(1).max(1000).optional(),
    })
    .prefault({}),
  /**
   * How the nightly audit runs: `single`, one Lambda invocation (15 minutes at most), or
   * `distributed`, a Step Functions state machine (plan, a Distributed Map over the shards,
   * merge) that the schedule starts instead. Both write the same report.
   */
  mode: z
    .enum(['single', 'distributed'], {
      error: 'must be single or distributed',
    })
    .default('single'),
  /** The distributed audit (deployed when `mode` is `distributed`). */
  distributed: z
    .strictObject({
      /**
       * Shard functions running at once, all targets together: a bound per target too, since
       * at worst every running shard is the same target's (each holds at most 8 connections).
       */
      maxConcurrency: z.int().min(1).max(1000).default(5),
      /** A destination project expecting more refs is split into repository ranges. */
      maxRefsPerShard: z.int().min(1).max(10_000_000).default(20_000),
      /** The whole execution is stopped (and alarmed) after this long. */
      timeoutMinutes: z.int().min(5).max(1440).default(120),
      /** Each shard function's size and timeout. */
      ...functionSizing(900),
    })
    .prefault({}),
  readiness: z
    .strictObject({
      /** Readiness runs on demand; a schedule is optional. */
      schedule: scheduleSchema.optional(),
      ...functionSizing(300),
    })
    .prefault({}),
  reportRetentionDays: z.int().min(1).max(36_500).default(400),
  logRetentionDays: z
    .union(
      LOG_RETENTION_DAYS.map((d) => z.literal(d)),
      {
        error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      }
    )
    .default(90),
  logLevel: z
    .enum(['DEBUG', 'INFO', 'WARN', 'ERROR'], {
      error: 'must be DEBUG, INFO, WARN or ERROR',
    })
    .default('INFO'),
  /** Places the functions in a VPC, for a Harbor reachable only privately. */
  vpc: z
    .strictObject({
      subnetIds: z
        .array(
          z.string().regex(/^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, {
            error: 'must be a subnet id (subnet-...)',
          })
        )
        .min(1, { error: 'must list at least one subnet id' }),
      securityGroupIds: z
        .array(
          z.string().regex(/^sg-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, {
            error: 'must be a security group id (sg-...)',
          })
        )
        .min(1, { error: 'must list at least one security group id' }),
    })
    .optional(),
  /** A customer-managed KMS key for the topic; SNS's AWS-managed key otherwise. */
  topicKmsKeyArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, {
      error: 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    })
    .optional(),
});

/** The whole configuration file, as operators write it (YAML or JSON). */
export const configSchema = z
  .strictObject({
    primary: primarySchema,
    targets: z
      .array(targetSchema)
      .min(1, { error: 'must list at least one target' }),
    policies: z
      .union(
        [
          z.literal('auto'),
          z
            .array(z.string().min(1))
            .min(1, { error: 'must list at least one policy name' }),
        ],
        { error: 'must be "auto" or a list of replication policy names' }
      )
      .default('auto'),
    rpoObjectiveMinutes: z.int().positive().max(525_600).default(60),
    retrigger: retriggerSchema.prefault({}),
    notify: notifySchema.prefault({}),
    deployment: deploymentSchema.prefault({}),
  })
  .check((ctx) => {
    const { primary, targets } = ctx.value;
    // URLs compare in canonical form: `https://R.example.com:443/` is `https://r.example.com`.
    const primaryUrl = canonicalUrl(primary.url);
    const seenNames = new Map<string, number>();
    const seenUrls = new Map<string, number>();
    targets.forEach((t, i) => {
      const dupName = seenNames.get(t.name);
      if (dupName !== undefined) {
        ctx.issues.push({
          code: 'custom',
          input: t.name,
          path: ['targets', i, 'name'],
          message: `duplicates targets[${dupName}].name "${t.name}"`,
        });
      } else seenNames.set(t.name, i);
      const url = canonicalUrl(t.url);
      const dupUrl = seenUrls.get(url);
      if (dupUrl !== undefined) {
        ctx.issues.push({
          code: 'custom',
          input: t.url,
          path: ['targets', i, 'url'],
          message: `duplicates targets[${dupUrl}].url (both are ${url})`,
        });
      } else seenUrls.set(url, i);
      if (url === primaryUrl) {
        ctx.issues.push({
          code: 'custom',
          input: t.url,
          path: ['targets', i, 'url'],
          message: 'is the primary itself',
        });
      }
    });
  });

/** The validated configuration, with defaults applied. */
export type HarborDrConfig = z.output<typeof configSchema>;
/** A configured target registry. */
export type TargetConfig = HarborDrConfig['targets'][number];
/** A configured primary Harbor. */
export type PrimaryConfig = HarborDrConfig['primary'];
/** A reference to credentials (never the credentials themselves). */
export type CredentialsRef = z.output<typeof credentialsRef>;

/** Renders a zod issue path the way people write it: `targets[1].credentials.env`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** One line per problem, each naming its field. Values are never echoed: they may be secrets. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  /** The schema the issues come from: its valid fields are listed for an unknown one. */
  root?: z.core.$ZodType
): string[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const valid = root ? fieldsAt(root, issue.path) : [];
      const hints = issue.keys.flatMap((k) => {
        const near = closest(k, valid);
        return near === undefined ? [] : [{ k, near }];
      });
      const hint =
        hints.length === 0
          ? ''
          : `did you mean ${hints.map((h) => (issue.keys.length === 1 ? `"${h.near}"` : `"${h.near}" for "${h.k}"`)).join(', ')}? `;
      return `${formatPath(issue.path)}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${valid.length > 0 ? ` (${hint}valid fields: ${valid.join(', ')})` : ''}`;
    }
    if (
      issue.code === 'invalid_value' &&
      typeof issue.input === 'string' &&
      issue.values.every((v) => typeof v === 'string')
    ) {
      // Suggests a valid value; the value typed is never echoed.
      const near = closest(issue.input, issue.values);
      return `${formatPath(issue.path)}: ${issue.message}${near === undefined ? '' : ` (did you mean "${near}"?)`}`;
    }
    if (issue.code !== 'custom' && issue.input === undefined) {
      return `${formatPath(issue.path)}: is required`;
    }
    if (issue.code === 'invalid_type') {
      return `${formatPath(issue.path)}: must be ${article(issue.expected)}`;
    }
    return `${formatPath(issue.path)}: ${issue.message}`;
  });
}

/** The fields the schema allows at `path` (an object's keys), in schema order. */
function fieldsAt(
  root: z.core.$ZodType,
  path: readonly PropertyKey[]
): string[] {
  let schema: z.core.$ZodType | undefined = unwrap(root);
  for (const key of path) {
    if (!schema) return [];
    const def = schema._zod.def;
    if (def.type === 'object' && typeof key === 'string') {
      schema = unwrap((def as z.core.$ZodObjectDef).shape[key]);
    } else if (def.type === 'array' && typeof key === 'number') {
      schema = unwrap((def as z.core.$ZodArrayDef).element);
    } else return [];
  }
  if (schema?._zod.def.type !== 'object') return [];
  return Object.keys((schema._zod.def as z.core.$ZodObjectDef).shape);
}

/** Looks through optional, default, prefault and pipe wrappers to the schema they hold. */
function unwrap(
  schema: z.core.$ZodType | undefined
): z.core.$ZodType | undefined {
  let s = schema;
  for (let i = 0; s && i < 10; i++) {
    const def = s._zod.def as {
      type: string;
      innerType?: z.core.$ZodType;
      in?: z.core.$ZodType;
    };
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else break;
  }
  return s;
}

/** ` (did you mean "x"? configured targets: a, b)`: for a target name that is not configured. */
export function targetSuggestion(
  name: string,
  targets: readonly string[]
): string {
  return suggestion(name, targets, 'configured targets');
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a mapping';
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/**
 * Validates an already-parsed configuration document.
 * @param source where it came from, for the error message (a file path)
 * @throws ConfigError with one line per problem
 */
export function parseConfig(raw: unknown, source: string): HarborDrConfig {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    // Not the ZodError as a cause: it holds the inputs (a URL with a password).
    throw new ConfigError(
      source,
      describeIssues(result.error.issues, configSchema)
    );
  }
  return result.data;
}

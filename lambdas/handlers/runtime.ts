import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { S3ReportStore } from '../adapters/aws/s3-report-store';
import { readConfigObject } from '../adapters/aws/config-object';
import { SnsNotifier } from '../adapters/aws/sns-notifier';
import { createCredentialsResolver } from '../adapters/secrets/credentials';
import { ConfigError } from '../core/errors';
import {
  runEventSchema,
  workDeadline,
  type JobDeps,
  type RunEvent,
} from '../use-cases/job';
import { describeIssues, type HarborDrConfig } from '../shared/config';
import { ENV_KEYS } from '../shared/env-keys';
import { logger } from '../shared/observability';

const envSchema = z.object({
  [ENV_KEYS.configBucket]: z.string().min(1),
  [ENV_KEYS.configKey]: z.string().min(1),
  [ENV_KEYS.reportBucket]: z.string().min(1),
  [ENV_KEYS.topicArn]: z.string().min(1),
});

/** The variables the stack sets, validated. */
export type RuntimeEnv = z.infer<typeof envSchema>;

/** What a handler builds once per container: the config and the adapters. */
export interface Runtime {
  config: HarborDrConfig;
  deps: JobDeps;
}

/**
 * Validates the environment the stack sets. Runs at module scope, so that a bad deploy
 * fails at cold start.
 * @throws ConfigError naming the variable
 */
export function parseRuntimeEnv(
  env: Readonly<Record<string, string | undefined>>
): RuntimeEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError('environment', describeIssues(parsed.error.issues));
  }
  return parsed.data;
}

/**
 * Reads the configuration object the stack deployed and builds the adapters.
 * @throws ConfigError naming the object and the config field; AwsServiceError when the
 *   object cannot be read
 */
export async function loadRuntime(
  env: RuntimeEnv,
  s3: S3Client = new S3Client({})
): Promise<Runtime> {
  const config = await readConfigObject(
    s3,
    env[ENV_KEYS.configBucket],
    env[ENV_KEYS.configKey]
  );
  const store = new S3ReportStore(s3, { bucket: env[ENV_KEYS.reportBucket] });
  return {
    config,
    deps: {
      store,
      // The run lease's markers live beside the reports (reports/runs-active/).
      lease: store,
      notifier: new SnsNotifier(new SNSClient({}), env[ENV_KEYS.topicArn]),
      clock: { now: () => new Date() },
      resolveCredentials: createCredentialsResolver(),
      warn: (message, detail) => {
        logger.warn(message, detail ?? {});
      },
    },
  };
}

/**
 * The runtime of this container, read once and cached (a cold start reads the config
 * object; warm starts reuse it and the clients). A failed read is not cached: the next
 * invocation tries again. A config change deploys a new object key, hence new containers.
 */
export function cachedRuntime(
  load: () => Promise<Runtime>
): () => Promise<Runtime> {
  let pending: Promise<Runtime> | undefined;
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/**
 * Parses an event (a run's, a step's); `null` and `undefined` mean `{}`, unknown fields are
 * refused (a misspelt `target` must not silently audit everything).
 * @throws ConfigError naming the field
 */
export function parseEvent<T>(schema: z.ZodType<T>, event: unknown): T {
  const result = schema.safeParse(event ?? {}, { reportInput: true });
  if (!result.success) {
    throw new ConfigError('event', describeIssues(result.error.issues));
  }
  return result.data;
}

/**
 * Parses a run event (use-cases/job.ts runEventSchema).
 * @throws ConfigError naming the field
 */
export function parseRunEvent(event: unknown): RunEvent {
  return parseEvent(runEventSchema, event);
}

/** The config of one run: the event's dry run and re-trigger switches applied. */
export function configForRun(
  config: HarborDrConfig,
  event: RunEvent
): HarborDrConfig {
  return {
    ...config,
    retrigger: {
      ...config.retrigger,
      enabled: event.retrigger ?? config.retrigger.enabled,
      dryRun: config.retrigger.dryRun || event.dryRun === true,
    },
  };
}

/**
 * When work must stop so that the reports are still written before Lambda's timeout:
 * the remaining time less a reserve (a fifth of it, at most a minute; see workDeadline).
 */
export function deadlineFrom(
  remainingMs: number,
  now: Date = new Date()
): Date {
  return workDeadline(remainingMs, now);
}

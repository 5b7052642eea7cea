import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { S3ReportStore } from '../adapters/aws/s3-report-store';
import { SnsNotifier } from '../adapters/aws/sns-notifier';
import { createCredentialsResolver } from '../adapters/secrets/credentials';
import { ConfigError } from '../core/errors';
import { workDeadline } from '../use-cases/job';
import type { JobDeps } from '../use-cases/job';
import {
  describeIssues,
  parseConfig,
  type HarborDrConfig,
} from '../shared/config';
import { ENV_KEYS } from '../shared/env-keys';
import { logger } from '../shared/observability';

const envSchema = z.object({
  [ENV_KEYS.config]: z.string().min(1),
  [ENV_KEYS.reportBucket]: z.string().min(1),
  [ENV_KEYS.topicArn]: z.string().min(1),
});

/** What a handler builds once per container: the config and the adapters. */
export interface Runtime {
  config: HarborDrConfig;
  deps: JobDeps;
}

/**
 * Reads the environment the stack sets and builds the adapters. Runs at module scope, so
 * that a bad deploy fails at cold start and warm starts reuse the clients.
 * @throws ConfigError naming the variable or the config field
 */
export function loadRuntime(
  env: Readonly<Record<string, string | undefined>>
): Runtime {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError('environment', describeIssues(parsed.error.issues));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(parsed.data[ENV_KEYS.config]);
  } catch {
    // Not the JSON.parse error as a cause: its message quotes the text.
    throw new ConfigError(ENV_KEYS.config, ['(root): is not JSON']);
  }
  const config = parseConfig(raw, ENV_KEYS.config);
  return {
    config,
    deps: {
      store: new S3ReportStore(new S3Client({}), {
        bucket: parsed.data[ENV_KEYS.reportBucket],
      }),
      notifier: new SnsNotifier(
        new SNSClient({}),
        parsed.data[ENV_KEYS.topicArn]
      ),
      clock: { now: () => new Date() },
      resolveCredentials: createCredentialsResolver(),
      warn: (message, detail) => {
        logger.warn(message, detail ?? {});
      },
    },
  };
}

/**
 * The event of a run (the Scheduler sends `{}`; an on-demand invoke may narrow it).
 * Unknown fields are refused: a misspelt `target` must not silently audit everything.
 */
export const runEventSchema = z.strictObject({
  /** Only these targets (by configured name). */
  targets: z
    .array(z.string().min(1))
    .min(1, { error: 'must list at least one target name' })
    .optional(),
  /** Re-trigger decisions are made and reported but not carried out. */
  dryRun: z.boolean().optional(),
  /** Overrides the config's `retrigger.enabled` for this run. */
  retrigger: z.boolean().optional(),
});

/** A parsed run event. */
export type RunEvent = z.infer<typeof runEventSchema>;

/**
 * Parses a run event; `null` and `undefined` mean `{}`.
 * @throws ConfigError naming the field
 */
export function parseRunEvent(event: unknown): RunEvent {
  const result = runEventSchema.safeParse(event ?? {}, { reportInput: true });
  if (!result.success) {
    throw new ConfigError('event', describeIssues(result.error.issues));
  }
  return result.data;
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

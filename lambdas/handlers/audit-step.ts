import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { S3RunObjects } from '../adapters/aws/run-objects';
import { ConfigError } from '../core/errors';
import type { RunObjects } from '../use-cases/audit-distributed';
import { describeIssues } from '../shared/config';
import { ENV_KEYS } from '../shared/env-keys';
import { logger, metrics } from '../shared/observability';
import { safeErrorDetail, scrubbedError } from '../shared/redact';
import {
  cachedRuntime,
  deadlineFrom,
  loadRuntime,
  parseRuntimeEnv,
  type Runtime,
} from './runtime';

/** What a step of the distributed audit is handed. */
export interface StepContext {
  runtime: Runtime;
  /** The run's intermediate objects (the reports bucket, under runs/). */
  objects: RunObjects;
  /** When work stops, leaving time to store the step's result. */
  deadline: Date;
}

/**
 * A thin Lambda handler for one step of the distributed audit (plan, shard, merge): the
 * runtime (config object, adapters) is built once per container, the step runs within the
 * Lambda's remaining time, and its small result goes back to the state machine. An error is
 * logged (scrubbed) and thrown: the state machine retries, then records the failure.
 */
export function createStepHandler<R>(
  step: string,
  run: (event: unknown, context: StepContext) => Promise<R>
): (event: unknown, context: Context) => Promise<R> {
  const env = parseRuntimeEnv(process.env);
  const s3 = new S3Client({});
  const runtimeOnce = cachedRuntime(() => loadRuntime(env, s3));
  runtimeOnce().catch(() => undefined); // reported by the invocation that awaits it
  const objects = new S3RunObjects(s3, env[ENV_KEYS.reportBucket]);
  return async (event, context) => {
    logger.addContext(context);
    metrics.captureColdStartMetric();
    try {
      const runtime = await runtimeOnce();
      const result = await run(event, {
        runtime,
        objects,
        deadline: deadlineFrom(context.getRemainingTimeInMillis()),
      });
      logger.info(`audit ${step} completed`);
      return result;
    } catch (err) {
      logger.error(`audit ${step} failed`, { error: safeErrorDetail(err) });
      throw scrubbedError(err);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

/**
 * Parses a step's event (unknown fields refused).
 * @throws ConfigError naming the field
 */
export function parseStepEvent<T>(schema: z.ZodType<T>, event: unknown): T {
  const result = schema.safeParse(event ?? {}, { reportInput: true });
  if (!result.success) {
    throw new ConfigError('event', describeIssues(result.error.issues));
  }
  return result.data;
}

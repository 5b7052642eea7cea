import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { RunSkippedError } from '../use-cases/job';
import { logger, metrics } from '../shared/observability';
import { safeErrorDetail, scrubbedError } from '../shared/redact';
import {
  cachedRuntime,
  deadlineFrom,
  loadRuntime,
  parseRuntimeEnv,
  type Runtime,
  type RuntimeEnv,
} from './runtime';
import { summarizeSkipped, type SkippedRunSummary } from './summary';

/** What one invocation's body is handed. */
export interface Invocation {
  runtime: Runtime;
  /** The validated environment the stack set. */
  env: RuntimeEnv;
  /** The container's S3 client (the runtime's too). */
  s3: S3Client;
  /** When work stops, leaving time to store the result (the Lambda's remaining time less a reserve). */
  deadline: Date;
}

/**
 * The body every handler shares (a whole run's, or a distributed step's): the environment
 * is validated and the runtime (config object, adapters) read once per container, starting
 * at cold start; each invocation runs `run` within the Lambda's remaining time. A run that
 * yields the run lease (RunSkippedError) returns a skipped summary, never an error (Lambda
 * and Step Functions must not retry it); any other error is logged scrubbed and thrown
 * scrubbed (never its cause chain: it may quote upstream text or a secret).
 * @param name what the logs call it (`audit`, `readiness`, `audit plan`, ...)
 * @param kind the kind of report a skipped run would have written
 */
export function createHandler<R extends object>(
  name: string,
  kind: 'audit' | 'readiness',
  run: (event: unknown, invocation: Invocation) => Promise<R>
): (event: unknown, context: Context) => Promise<R | SkippedRunSummary> {
  // Module scope of the caller: a bad environment fails at cold start; the config object is
  // read once per container (starting now, during init) and warm starts reuse the clients.
  const env = parseRuntimeEnv(process.env);
  const s3 = new S3Client({});
  const runtimeOnce = cachedRuntime(() => loadRuntime(env, s3));
  runtimeOnce().catch(() => undefined); // reported by the invocation that awaits it
  return async (event, context) => {
    logger.addContext(context);
    metrics.captureColdStartMetric();
    try {
      const runtime = await runtimeOnce();
      const result = await run(event, {
        runtime,
        env,
        s3,
        deadline: deadlineFrom(context.getRemainingTimeInMillis()),
      });
      const detail: Record<string, unknown> = Object.assign({}, result);
      logger.info(`${name} completed`, detail);
      return result;
    } catch (err) {
      if (err instanceof RunSkippedError) {
        const skipped = summarizeSkipped(kind, err);
        logger.warn(`${name} ${skipped.message}`, { ...skipped });
        return skipped;
      }
      logger.error(`${name} failed`, { error: safeErrorDetail(err) });
      throw scrubbedError(err);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

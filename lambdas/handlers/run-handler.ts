import type { Context } from 'aws-lambda';
import { version } from '../../package.json';
import { RunSkippedError, type Job } from '../use-cases/job';
import { logger, metrics, recordReportMetrics } from '../shared/observability';
import { safeErrorDetail, scrubbedError } from '../shared/redact';
import {
  summarize,
  summarizeSkipped,
  type RunSummary,
  type SkippedRunSummary,
} from './summary';
import {
  cachedRuntime,
  configForRun,
  deadlineFrom,
  loadRuntime,
  parseRunEvent,
  parseRuntimeEnv,
} from './runtime';

/**
 * A thin Lambda handler for one use case: the runtime (config read from its S3 object,
 * clients) is built once per container, the event is validated, the job runs within the Lambda's remaining time, and a
 * small summary with the report's S3 location is returned. A run skipped because another
 * holds the run lease returns a skipped summary (never an error: Lambda must not retry it).
 */
export function createRunHandler(
  useCase: 'audit' | 'readiness',
  job: Job
): (
  event: unknown,
  context: Context
) => Promise<RunSummary | SkippedRunSummary> {
  // Module scope of the caller: a bad environment fails at cold start; the config object is
  // read once per container (starting now, during init) and warm starts reuse the clients.
  const env = parseRuntimeEnv(process.env);
  const runtimeOnce = cachedRuntime(() => loadRuntime(env));
  runtimeOnce().catch(() => undefined); // reported by the invocation that awaits it
  return async (event, context) => {
    logger.addContext(context);
    metrics.captureColdStartMetric();
    try {
      const runtime = await runtimeOnce();
      const input = parseRunEvent(event);
      const result = await job(runtime.deps, {
        config: configForRun(runtime.config, input),
        toolVersion: version,
        deadline: deadlineFrom(context.getRemainingTimeInMillis()),
        ...(input.targets ? { targets: input.targets } : {}),
      });
      recordReportMetrics(metrics, result.report);
      const summary = summarize(result);
      logger.info(`${useCase} completed`, { ...summary });
      return summary;
    } catch (err) {
      if (err instanceof RunSkippedError) {
        const skipped = summarizeSkipped(useCase, err);
        logger.warn(`${useCase} ${skipped.message}`, { ...skipped });
        return skipped;
      }
      // Never the error itself: its cause chain may quote upstream text or a secret.
      logger.error(`${useCase} failed`, { error: safeErrorDetail(err) });
      throw scrubbedError(err);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

import type { Context } from 'aws-lambda';
import { version } from '../../package.json';
import { runAuditJob, type JobResult } from '../jobs/audit-job';
import { logger, metrics, recordReportMetrics } from '../shared/observability';
import { summarize, type RunSummary } from './summary';
import {
  configForRun,
  deadlineFrom,
  loadRuntime,
  parseRunEvent,
} from './runtime';

// Module scope: a bad deploy fails at cold start; warm starts reuse the clients.
const runtime = loadRuntime(process.env);

/** The nightly (or on-demand) replication audit. */
export const handler = async (
  event: unknown,
  context: Context
): Promise<RunSummary> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const input = parseRunEvent(event);
    const result: JobResult = await runAuditJob(runtime.deps, {
      config: configForRun(runtime.config, input),
      toolVersion: version,
      deadline: deadlineFrom(context.getRemainingTimeInMillis()),
      ...(input.targets ? { targets: input.targets } : {}),
    });
    recordReportMetrics(metrics, result.report);
    const summary = summarize(result);
    logger.info('audit completed', { ...summary });
    return summary;
  } catch (err) {
    logger.error('audit failed', err as Error);
    throw err;
  } finally {
    metrics.publishStoredMetrics();
  }
};

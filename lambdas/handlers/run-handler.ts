import type { Context } from 'aws-lambda';
import { version } from '../../package.json';
import type { Job } from '../use-cases/job';
import { metrics, recordReportMetrics } from '../shared/observability';
import { summarize, type RunSummary, type SkippedRunSummary } from './summary';
import { configForRun, parseRunEvent } from './runtime';
import { createHandler } from './lambda-handler';

/**
 * A thin Lambda handler for one use case (createHandler: the runtime built once per
 * container, errors scrubbed): the event is validated, the job runs within the Lambda's
 * remaining time, and a small summary with the report's S3 location is returned. A run
 * skipped because another holds the run lease returns a skipped summary (never an error:
 * Lambda must not retry it).
 */
export function createRunHandler(
  useCase: 'audit' | 'readiness',
  job: Job
): (
  event: unknown,
  context: Context
) => Promise<RunSummary | SkippedRunSummary> {
  return createHandler(
    useCase,
    useCase,
    async (event, { runtime, deadline }) => {
      const input = parseRunEvent(event);
      const result = await job(runtime.deps, {
        config: configForRun(runtime.config, input),
        toolVersion: version,
        deadline,
        ...(input.targets ? { targets: input.targets } : {}),
      });
      recordReportMetrics(metrics, result.report);
      return summarize(result);
    }
  );
}

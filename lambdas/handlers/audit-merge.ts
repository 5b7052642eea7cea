import { version } from '../../package.json';
import {
  mergeAuditStep,
  mergeStepEventSchema,
} from '../use-cases/audit-distributed';
import { RunSkippedError } from '../use-cases/job';
import { logger, metrics, recordReportMetrics } from '../shared/observability';
import { createStepHandler, parseStepEvent } from './audit-step';
import { configForRun } from './runtime';
import { summarize, summarizeSkipped } from './summary';

/**
 * The distributed audit's merge step: the shards' partials and the plan become the report,
 * stored and notified as the single-Lambda audit does; a shard without a partial is UNKNOWN.
 * It takes the run lease (as every job does): while another run holds it, it is skipped.
 */
export const handler = createStepHandler('merge', async (event, step) => {
  const input = parseStepEvent(mergeStepEventSchema, event);
  let result;
  try {
    result = await mergeAuditStep(step.runtime.deps, step.objects, {
      config: step.runtime.config,
      configFor: (run) => configForRun(step.runtime.config, run),
      toolVersion: version,
      deadline: step.deadline,
      runId: input.runId,
    });
  } catch (err) {
    // Another run holds the lease: this run acts on nothing and reports nothing (its shards'
    // partials stay under runs/ until they expire); not an error, so no retry.
    if (err instanceof RunSkippedError) {
      logger.warn(`audit merge ${err.message}`, { runId: input.runId });
      return summarizeSkipped('audit', err);
    }
    throw err;
  }
  recordReportMetrics(metrics, result.report);
  return summarize(result);
});

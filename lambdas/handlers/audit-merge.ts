import { version } from '../../package.json';
import {
  mergeAuditStep,
  mergeStepEventSchema,
} from '../use-cases/audit-distributed';
import { metrics, recordReportMetrics } from '../shared/observability';
import { createStepHandler, parseStepEvent } from './audit-step';
import { configForRun } from './runtime';
import { summarize } from './summary';

/**
 * The distributed audit's merge step: the shards' partials and the plan become the report,
 * stored and notified as the single-Lambda audit does; a shard without a partial is UNKNOWN.
 */
export const handler = createStepHandler('merge', async (event, step) => {
  const input = parseStepEvent(mergeStepEventSchema, event);
  const result = await mergeAuditStep(step.runtime.deps, step.objects, {
    config: step.runtime.config,
    configFor: (run) => configForRun(step.runtime.config, run),
    toolVersion: version,
    deadline: step.deadline,
    runId: input.runId,
  });
  recordReportMetrics(metrics, result.report);
  return summarize(result);
});

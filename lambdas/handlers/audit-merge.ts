import { version } from '../../package.json';
import {
  mergeAuditStep,
  mergeStepEventSchema,
} from '../use-cases/audit-distributed';
import { metrics, recordReportMetrics } from '../shared/observability';
import { createStepHandler } from './audit-step';
import { configForRun, parseEvent } from './runtime';
import { summarize } from './summary';

/**
 * The distributed audit's merge step: the shards' partials and the plan become the report,
 * stored and notified as the single-Lambda audit does; a shard without a partial is UNKNOWN.
 * It takes the run lease (as every job does), with the plan's run id: while another run
 * holds it, it acts on nothing and reports nothing (its shards' partials stay under runs/
 * until they expire) and returns a skipped summary.
 */
export const handler = createStepHandler('merge', async (event, step) => {
  const input = parseEvent(mergeStepEventSchema, event);
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

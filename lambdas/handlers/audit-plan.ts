import { version } from '../../package.json';
import {
  planAuditStep,
  planStepEventSchema,
} from '../use-cases/audit-distributed';
import { createStepHandler } from './audit-step';
import { configForRun, parseEvent } from './runtime';

/**
 * The distributed audit's plan step: reads the primary once, stores the shards. While
 * another run holds the run lease it does nothing and returns a skipped summary: the state
 * machine then ends the execution (no shard, no merge).
 */
export const handler = createStepHandler('plan', (event, step) => {
  const input = parseEvent(planStepEventSchema, event);
  return planAuditStep(step.runtime.deps, step.objects, {
    config: configForRun(step.runtime.config, input.run),
    toolVersion: version,
    deadline: step.deadline,
    ...(input.run.targets ? { targets: input.run.targets } : {}),
    event: input.run,
    maxRefsPerShard: input.maxRefsPerShard,
  });
});

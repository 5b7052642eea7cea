import { version } from '../../package.json';
import {
  planAuditStep,
  planStepEventSchema,
} from '../use-cases/audit-distributed';
import { createStepHandler, parseStepEvent } from './audit-step';
import { configForRun } from './runtime';

/** The distributed audit's plan step: reads the primary once, stores the shards. */
export const handler = createStepHandler('plan', (event, step) => {
  const input = parseStepEvent(planStepEventSchema, event);
  return planAuditStep(step.runtime.deps, step.objects, {
    config: configForRun(step.runtime.config, input.run),
    toolVersion: version,
    deadline: step.deadline,
    ...(input.run.targets ? { targets: input.run.targets } : {}),
    event: input.run,
    maxRefsPerShard: input.maxRefsPerShard,
  });
});

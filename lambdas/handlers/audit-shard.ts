import { version } from '../../package.json';
import {
  auditShardStep,
  shardStepEventSchema,
} from '../use-cases/audit-distributed';
import { createStepHandler } from './audit-step';
import { parseEvent } from './runtime';

/**
 * The distributed audit's shard step: observes and diffs one shard, stores its partial; or,
 * from the state machine's Catch, stores why the shard failed after its retries.
 */
export const handler = createStepHandler('shard', (event, step) => {
  const input = parseEvent(shardStepEventSchema, event);
  return auditShardStep(step.runtime.deps, step.objects, {
    config: step.runtime.config,
    toolVersion: version,
    deadline: step.deadline,
    runId: input.runId,
    shard: input.shard,
    ...(input.failure ? { failure: input.failure } : {}),
  });
});

import type { Context } from 'aws-lambda';
import { S3RunObjects } from '../adapters/aws/run-objects';
import type { RunObjects } from '../use-cases/audit-distributed';
import { ENV_KEYS } from '../shared/env-keys';
import { createHandler, type Invocation } from './lambda-handler';
import type { SkippedRunSummary } from './summary';

/** What a step of the distributed audit is handed. */
export interface StepContext extends Invocation {
  /** The run's intermediate objects (the reports bucket, under runs/). */
  objects: RunObjects;
}

/**
 * A thin Lambda handler for one step of the distributed audit (plan, shard, merge), with the
 * body every handler shares (createHandler): its small result goes back to the state
 * machine; a step that yields the run lease returns a skipped summary; an error is logged
 * (scrubbed) and thrown: the state machine retries, then records the failure.
 */
export function createStepHandler<R extends object>(
  step: 'plan' | 'shard' | 'merge',
  run: (event: unknown, context: StepContext) => Promise<R>
): (event: unknown, context: Context) => Promise<R | SkippedRunSummary> {
  let objects: RunObjects | undefined;
  return createHandler(`audit ${step}`, 'audit', (event, invocation) => {
    objects ??= new S3RunObjects(
      invocation.s3,
      invocation.env[ENV_KEYS.reportBucket]
    );
    return run(event, { ...invocation, objects });
  });
}

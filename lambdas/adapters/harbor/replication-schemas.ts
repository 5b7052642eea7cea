import { z } from 'zod';

// Shapes of Harbor API v2.0 replication execution and task responses
// (shared/reference/harbor-v2.0-swagger.yaml: ReplicationExecution, ReplicationTask), only the
// fields the health check reads. z.object strips unknown keys; go-swagger omits empty strings
// and zero times, hence the optionals.

const optionalTime = z.string().nullish();
const count = z.number().int().nonnegative().nullish();

/** Execution statuses (harbor-semantics §4: no other value occurs). */
const executionStatusSchema = z.enum([
  'InProgress',
  'Succeed',
  'Failed',
  'Stopped',
]);

/** ReplicationExecution. */
export const replicationExecutionSchema = z.object({
  id: z.number().int(),
  policy_id: z.number().int(),
  status: executionStatusSchema,
  status_text: z.string().nullish(),
  trigger: z.string().nullish(),
  start_time: optionalTime,
  end_time: optionalTime,
  total: count,
  failed: count,
  succeed: count,
  in_progress: count,
  stopped: count,
});
export type HarborExecutionResp = z.infer<typeof replicationExecutionSchema>;

/** Task statuses (Scheduled and Running both read `InProgress`). */
const taskStatusSchema = z.enum([
  'Pending',
  'InProgress',
  'Succeed',
  'Failed',
  'Stopped',
]);

/** ReplicationTask. */
export const replicationTaskSchema = z.object({
  id: z.number().int(),
  execution_id: z.number().int(),
  status: taskStatusSchema,
  operation: z.string().nullish(),
  src_resource: z.string().nullish(),
  dst_resource: z.string().nullish(),
  start_time: optionalTime,
  end_time: optionalTime,
});
export type HarborTaskResp = z.infer<typeof replicationTaskSchema>;

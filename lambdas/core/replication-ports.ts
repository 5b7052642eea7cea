/**
 * Ports and domain types of replication health and re-triggering (harbor-semantics §4):
 * executions, tasks and their logs, read with the read credential; starting and stopping
 * executions, possibly with a separate operator credential.
 */

/** Harbor's execution statuses, as the API spells them. */
export type ExecutionStatus = 'InProgress' | 'Succeed' | 'Failed' | 'Stopped';

/** One replication execution (Harbor API: ReplicationExecution). */
export interface ReplicationExecution {
  id: number;
  policyId: number;
  status: ExecutionStatus;
  /** Harbor always sends it; often empty. */
  statusText: string;
  /** `manual`, `scheduled` or `event_based`. */
  trigger: string;
  /** ISO 8601; absent when Harbor sent none (or its zero time). */
  startTime?: string;
  endTime?: string;
  total: number;
  failed: number;
  succeed: number;
  inProgress: number;
  stopped: number;
}

/** Task statuses, as the API spells them. */
export type TaskStatus =
  'Pending' | 'InProgress' | 'Succeed' | 'Failed' | 'Stopped';

/** One task of an execution: one repository (Harbor API: ReplicationTask). */
export interface ReplicationTask {
  id: number;
  executionId: number;
  status: TaskStatus;
  /** `copy`, `deletion` or `tag deletion`. */
  operation: string;
  /** `"<repo> [<n> item(s) in total]"`. */
  srcResource: string;
  dstResource: string;
  startTime?: string;
  endTime?: string;
}

/** Which executions of a policy to list. */
export interface ExecutionQuery {
  status?: ExecutionStatus;
  trigger?: 'manual' | 'scheduled' | 'event_based';
  /**
   * Newest first; listing stops at the first execution that started before this time
   * (that one is still returned, so the latest execution is always known).
   */
  since?: Date;
  /** At most this many rows (newest first). */
  limit?: number;
}

/**
 * The read side of a Harbor's replication executions. Methods throw a HarborDrError when the
 * answer could not be obtained.
 */
export interface HarborReplicationApi {
  /** Executions of a policy, newest first. */
  listExecutions(
    policyId: number,
    query?: ExecutionQuery
  ): Promise<ReplicationExecution[]>;
  getExecution(id: number): Promise<ReplicationExecution>;
  /** Tasks of an execution, optionally of one status. */
  listTasks(
    executionId: number,
    status?: TaskStatus
  ): Promise<ReplicationTask[]>;
  /** The task's log, as plain text. */
  getTaskLog(executionId: number, taskId: number): Promise<string>;
}

/** What a POST /replication/executions answered. Never retried. */
export type StartExecutionResult =
  | { outcome: 'started'; executionId?: number }
  /** 401/403: the credential lacks the `replication create` permission. */
  | { outcome: 'permission-denied'; detail: string }
  /** 412: the policy is disabled; 404: it is gone; 400/409: refused. */
  | {
      outcome: 'rejected';
      status: number;
      detail: string;
    };

/** What a PUT /replication/executions/{id} (stop) answered. */
export type StopExecutionResult =
  | { outcome: 'stopped' }
  | { outcome: 'permission-denied'; detail: string }
  | { outcome: 'rejected'; status: number; detail: string };

/**
 * The write side: starting and stopping executions. Expected refusals are values; anything
 * else (5xx, no answer) throws, and a start that threw may or may not have happened.
 */
export interface HarborReplicationControl {
  startExecution(policyId: number): Promise<StartExecutionResult>;
  stopExecution(executionId: number): Promise<StopExecutionResult>;
}

/** The replication side of one Harbor (the primary, or a Harbor target for pull mode). */
export interface ReplicationEndpoint {
  read: HarborReplicationApi;
  control: HarborReplicationControl;
}

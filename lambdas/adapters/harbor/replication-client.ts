import { z } from 'zod';
import { UpstreamSchemaError } from '../../core/errors';
import type {
  ExecutionQuery,
  HarborReplicationApi,
  HarborReplicationControl,
  ReplicationExecution,
  ReplicationTask,
  StartExecutionResult,
  StopExecutionResult,
  TaskStatus,
} from '../../core/ports';
import type { HttpResponse } from '../http/pool';
import { HarborRest } from './harbor-rest';
import type { HarborRestOptions } from './harbor-rest';
import {
  replicationExecutionSchema,
  replicationTaskSchema,
} from './replication-schemas';
import type {
  HarborExecutionResp,
  HarborTaskResp,
} from './replication-schemas';

/** Options of a replication client. */
export interface ReplicationClientOptions extends HarborRestOptions {
  /** Pages read at most per listing, a bound on event-based policies' histories. @default 20 */
  maxPages?: number;
}

const REFUSALS = [400, 401, 403, 404, 409, 412];
// Go's zero time and anything before 1971 mean "not set".
const EPOCH_FLOOR = Date.UTC(1971, 0, 1);

function timeOf(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms < EPOCH_FLOOR) return undefined;
  return new Date(ms).toISOString();
}

function toExecution(e: HarborExecutionResp): ReplicationExecution {
  const startTime = timeOf(e.start_time);
  const endTime = timeOf(e.end_time);
  return {
    id: e.id,
    policyId: e.policy_id,
    status: e.status,
    statusText: e.status_text ?? '',
    trigger: e.trigger ?? '',
    ...(startTime ? { startTime } : {}),
    ...(endTime ? { endTime } : {}),
    total: e.total ?? 0,
    failed: e.failed ?? 0,
    succeed: e.succeed ?? 0,
    inProgress: e.in_progress ?? 0,
    stopped: e.stopped ?? 0,
  };
}

function toTask(t: HarborTaskResp): ReplicationTask {
  const startTime = timeOf(t.start_time);
  const endTime = timeOf(t.end_time);
  return {
    id: t.id,
    executionId: t.execution_id,
    status: t.status,
    operation: t.operation ?? '',
    srcResource: t.src_resource ?? '',
    dstResource: t.dst_resource ?? '',
    ...(startTime ? { startTime } : {}),
    ...(endTime ? { endTime } : {}),
  };
}

/** The first `errors[].message` of a Harbor error body, for the report (never a secret). */
function refusalDetail(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.body.toString('utf8')) as {
      errors?: { code?: unknown; message?: unknown }[];
    };
    const first = body.errors?.[0];
    const code = typeof first?.code === 'string' ? first.code : '';
    const message =
      typeof first?.message === 'string' ? first.message.slice(0, 200) : '';
    return [`HTTP ${res.status.toString()}`, code, message]
      .filter((p) => p !== '')
      .join(' ');
  } catch {
    return `HTTP ${res.status.toString()}`;
  }
}

/**
 * Harbor's replication executions, tasks and logs (harbor-semantics §4), and starting and
 * stopping executions, over {@link HarborRest}. POST and PUT are never retried (the HTTP
 * client retries GET and HEAD only): a start that got no answer may have happened.
 *
 * Listings page by explicit page numbers, not HarborRest.listAll: executions are read
 * newest first and stop early at `since` or `limit`, and both listings are bounded by
 * `maxPages` rather than required complete.
 */
export class HarborReplicationClient
  implements HarborReplicationApi, HarborReplicationControl
{
  private readonly rest: HarborRest;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(opts: ReplicationClientOptions) {
    this.rest = new HarborRest(opts);
    this.pageSize = this.rest.pageSize;
    this.maxPages = Math.max(1, opts.maxPages ?? 20);
  }

  /**
   * Pages newest first with explicit page numbers and stops early at `since` or `limit`:
   * rows shifting while executions start can only repeat a row (de-duplicated), and the
   * newest rows, the ones the health check needs, are read first.
   */
  async listExecutions(
    policyId: number,
    query: ExecutionQuery = {}
  ): Promise<ReplicationExecution[]> {
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const pageSize = Math.min(this.pageSize, Math.max(1, limit));
    const sinceMs = query.since?.getTime();
    const seen = new Set<number>();
    const out: ReplicationExecution[] = [];
    for (let page = 1; page <= this.maxPages; page++) {
      const params = new URLSearchParams({
        policy_id: String(policyId),
        sort: '-start_time,-id',
        page: String(page),
        page_size: String(pageSize),
      });
      if (query.status) params.set('status', query.status);
      if (query.trigger) params.set('trigger', query.trigger);
      const res = await this.rest.get(
        `/replication/executions?${params.toString()}`
      );
      const rows = this.rest.parse(res, z.array(replicationExecutionSchema));
      let reachedSince = false;
      for (const row of rows) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        const e = toExecution(row);
        out.push(e);
        if (out.length >= limit) return out;
        if (
          sinceMs !== undefined &&
          e.startTime !== undefined &&
          Date.parse(e.startTime) < sinceMs
        )
          reachedSince = true;
      }
      const total = Number(res.headers['x-total-count']);
      if (
        reachedSince ||
        rows.length < pageSize ||
        (Number.isFinite(total) && page * pageSize >= total)
      )
        return out;
    }
    return out;
  }

  async getExecution(id: number): Promise<ReplicationExecution> {
    const res = await this.rest.get(`/replication/executions/${id.toString()}`);
    return toExecution(this.rest.parse(res, replicationExecutionSchema));
  }

  async listTasks(
    executionId: number,
    status?: TaskStatus
  ): Promise<ReplicationTask[]> {
    const out: ReplicationTask[] = [];
    const seen = new Set<number>();
    for (let page = 1; page <= this.maxPages; page++) {
      const params = new URLSearchParams({
        sort: 'id',
        page: String(page),
        page_size: String(this.pageSize),
      });
      if (status) params.set('status', status);
      const res = await this.rest.get(
        `/replication/executions/${executionId.toString()}/tasks?${params.toString()}`
      );
      const rows = this.rest.parse(res, z.array(replicationTaskSchema));
      for (const row of rows) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        out.push(toTask(row));
      }
      const total = Number(res.headers['x-total-count']);
      if (
        rows.length < this.pageSize ||
        (Number.isFinite(total) && out.length >= total)
      )
        break;
    }
    return out;
  }

  async getTaskLog(executionId: number, taskId: number): Promise<string> {
    const res = await this.rest.get(
      `/replication/executions/${executionId.toString()}/tasks/${taskId.toString()}/log`,
      [200],
      { accept: 'text/plain' }
    );
    return res.body.toString('utf8');
  }

  async startExecution(policyId: number): Promise<StartExecutionResult> {
    const res = await this.rest.write(
      'POST',
      '/replication/executions',
      [201, ...REFUSALS],
      { policy_id: policyId }
    );
    if (res.status === 201) {
      const location = res.headers.location;
      const text = Array.isArray(location) ? location[0] : location;
      const match = /\/replication\/executions\/(\d+)\/?$/.exec(text ?? '');
      if (text !== undefined && !match) {
        throw new UpstreamSchemaError({
          service: this.rest.http.service,
          method: 'POST',
          path: res.path,
          problems: ['Location: does not name a replication execution'],
        });
      }
      return match?.[1] !== undefined
        ? { outcome: 'started', executionId: Number(match[1]) }
        : { outcome: 'started' };
    }
    return this.refusal(res);
  }

  async stopExecution(executionId: number): Promise<StopExecutionResult> {
    const res = await this.rest.write(
      'PUT',
      `/replication/executions/${executionId.toString()}`,
      [200, ...REFUSALS]
    );
    if (res.status === 200) return { outcome: 'stopped' };
    return this.refusal(res);
  }

  private refusal(
    res: HttpResponse
  ):
    | { outcome: 'permission-denied'; detail: string }
    | { outcome: 'rejected'; status: number; detail: string } {
    const detail = refusalDetail(res);
    if (res.status === 401 || res.status === 403) {
      return { outcome: 'permission-denied', detail };
    }
    return { outcome: 'rejected', status: res.status, detail };
  }
}

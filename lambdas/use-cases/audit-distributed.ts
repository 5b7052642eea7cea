/**
 * The distributed audit's three jobs (plan, shard, merge), each one Lambda invocation of the
 * state machine, with the intermediate data in an object store under `runs/<runId>/`:
 * - plan.json: the plan (the run's event, policies, expected sets, shard list);
 * - shards/<id>.json: one shard's expected refs and diff context;
 * - shards.json: the shard list as a JSON array (the Distributed Map's item reader);
 * - partials/<id>.json: one shard's outcome (its partial result, or why it failed).
 *
 * The plan peeks at the run lease (another run holding it: the execution ends skipped before
 * any work); the merge takes it, with the plan's run id (one id per run: the report's, the
 * objects', the lease marker's).
 */
import { z } from 'zod';
import { diffContextFor } from '../core/inventory/diff';
import type { DiffContext } from '../core/inventory/diff';
import { errorMessage } from '../core/errors';
import type { ExpectedRef } from '../core/model';
import {
  collisionCandidateSchema,
  digestSchema,
  findingSourceSchema,
  policyRefSchema,
} from '../core/report/schema';
import type { AuditPlan } from './audit';
import { planAudit } from './audit';
import { mergeAudit } from './audit-merge';
import {
  auditShard,
  expectedByShard,
  parseOutcome,
  storedOutcome,
} from './audit-shards';
import type { ShardOutcome, ShardRef } from './audit-shards';
import {
  actSettings,
  newRunId,
  peekLease,
  runEventSchema,
  runJob,
  startRun,
} from './job';
import type { JobDeps, JobInput, JobResult, RunEvent } from './job';
import { mapWithConcurrency } from './limit';

/** Where a distributed run keeps its intermediate objects (JSON). */
export interface RunObjects {
  /** Where the objects are (the bucket), for the state machine's item reader. */
  readonly location: string;
  put(key: string, value: unknown): Promise<void>;
  /** The object's JSON, or undefined when there is none. */
  get(key: string): Promise<unknown>;
  /**
   * The keys under a prefix. The merge lists the partials rather than asking for each: S3
   * answers a missing key with AccessDenied, not NoSuchKey, to a caller that may not list
   * it. Absent (a directory): a missing object reads as undefined, and is asked for.
   */
  list?(prefix: string): Promise<string[]>;
}

/** Bumped when a stored plan or shard changes shape: a step never reads another version. */
export const RUN_OBJECTS_VERSION = 1;

/** The keys of a run's objects. */
export const runKeys = {
  prefix: (runId: string) => `runs/${runId}/`,
  plan: (runId: string) => `runs/${runId}/plan.json`,
  shardList: (runId: string) => `runs/${runId}/shards.json`,
  shard: (runId: string, id: string) => `runs/${runId}/shards/${id}.json`,
  partials: (runId: string) => `runs/${runId}/partials/`,
  partial: (runId: string, id: string) => `runs/${runId}/partials/${id}.json`,
};

/** One item of the shard list (what the Distributed Map hands each child). */
export interface ShardItem {
  shard: string;
  target: string;
}

/** What the plan step returns to the state machine (small: no payload limit is near). */
export interface PlanStepResult {
  /**
   * Always false here; the state machine's Choice reads it. A plan that yields to another run
   * throws RunSkippedError, which its handler returns as a skipped summary (`skipped: true`).
   */
  skipped: false;
  runId: string;
  /** Where the shard list is, for the item reader. */
  bucket: string;
  shardList: string;
  shards: number;
}

const runIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
  error: 'must be a run id (letters, digits, . _ -)',
});
const shardIdSchema = z.string().regex(/^\d{4,}$/, {
  error: 'must be a shard id (digits)',
});

const shardRefSchema = z.strictObject({
  id: shardIdSchema,
  target: z.string().min(1),
  project: z.string(),
  from: z.string().optional(),
  to: z.string().optional(),
});

const expectedRefSchema: z.ZodType<ExpectedRef> = z.strictObject({
  target: z.string(),
  repository: z.string(),
  reference: z.string(),
  byDigest: z.boolean(),
  digest: digestSchema,
  manifestMediaType: z.string(),
  childDigests: z.array(digestSchema),
  source: findingSourceSchema,
  policy: policyRefSchema,
  unknownReason: z.string().optional(),
  cannotRun: z.string().optional(),
  collision: z.array(collisionCandidateSchema).optional(),
});

/** Written by this code's plan step: the envelope and its lists are checked, the rest trusted. */
const objectOf = <T>() =>
  z.custom<T>((v) => typeof v === 'object' && v !== null, {
    error: 'must be an object',
  });

const storedPlanSchema = z.strictObject({
  version: z.literal(RUN_OBJECTS_VERSION),
  event: runEventSchema,
  plan: z.strictObject({
    runId: runIdSchema,
    startedAt: z.string(),
    planned: objectOf<AuditPlan['planned']>(),
    shards: z.array(shardRefSchema),
  }),
});

const storedShardSchema = z.strictObject({
  version: z.literal(RUN_OBJECTS_VERSION),
  runId: runIdSchema,
  shard: shardRefSchema,
  expected: z.array(expectedRefSchema),
  context: objectOf<DiffContext>(),
});

/** The plan step's input: the run's event and how large a shard may be. */
export const planStepEventSchema = z.strictObject({
  run: runEventSchema.prefault({}),
  maxRefsPerShard: z.int().min(1),
});

/** The shard step's input: a shard to audit, or the failure to record for it. */
export const shardStepEventSchema = z.strictObject({
  runId: runIdSchema,
  shard: shardIdSchema,
  /** Set by the state machine's Catch: the shard failed after its retries. */
  failure: z
    .object({ Error: z.string(), Cause: z.string().optional() })
    .optional(),
});

/** The merge step's input. */
export const mergeStepEventSchema = z.strictObject({ runId: runIdSchema });

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(
    `${what} does not fit its schema: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`
  );
}

/** Reads a run's stored plan and the event it was made for. */
export async function readPlan(
  objects: RunObjects,
  runId: string
): Promise<{ plan: AuditPlan; event: RunEvent }> {
  const key = runKeys.plan(runId);
  const value = await objects.get(key);
  if (value === undefined) throw new Error(`${key} does not exist`);
  const stored = parseWith(storedPlanSchema, value, key);
  return { plan: stored.plan, event: stored.event };
}

/** Interleaves the shards of the targets, so that running shards spread over the targets. */
export function interleaveByTarget(shards: readonly ShardRef[]): ShardItem[] {
  const byTarget = new Map<string, ShardRef[]>();
  for (const s of shards) {
    const list = byTarget.get(s.target);
    if (list) list.push(s);
    else byTarget.set(s.target, [s]);
  }
  const lists = [...byTarget.values()];
  const out: ShardItem[] = [];
  for (let i = 0; out.length < shards.length; i++) {
    for (const list of lists) {
      const s = list[i];
      if (s) out.push({ shard: s.id, target: s.target });
    }
  }
  return out;
}

/**
 * The plan step: peeks at the run lease, reads the primary once, stores the plan, each
 * shard's expected refs and the shard list.
 * @throws RunSkippedError when another run holds the run lease (nothing read or written)
 */
export async function planAuditStep(
  deps: Pick<JobDeps, 'clock' | 'resolveCredentials' | 'lease' | 'warn'>,
  objects: RunObjects,
  input: JobInput & { event: RunEvent; maxRefsPerShard: number }
): Promise<PlanStepResult> {
  const runId = input.runId ?? newRunId(deps.clock);
  await peekLease(deps, runId);
  const { settings, clients, stop } = await startRun(deps, input, runId);
  let plan: AuditPlan;
  try {
    plan = await planAudit(
      { primary: clients.primary, targets: clients.targets, clock: deps.clock },
      { ...settings, maxRefsPerShard: input.maxRefsPerShard }
    );
  } finally {
    stop();
    await clients.close();
  }
  for (const targetPlan of plan.planned.plan.targets) {
    const shards = plan.shards.filter((s) => s.target === targetPlan.target);
    if (shards.length === 0) continue;
    const full = diffContextFor(plan.planned.plan, targetPlan.target);
    // The primary's index is read only by deletion rules (orphans): without any, each shard
    // object is spared a copy of it (it grows with every tag of the primary).
    const context: DiffContext =
      full.deletionRules.length > 0
        ? full
        : {
            ...full,
            primary: {
              projectListComplete: full.primary.projectListComplete,
              projects: [],
            },
          };
    const expected = expectedByShard(targetPlan, shards);
    await mapWithConcurrency(shards, 8, (shard) =>
      objects.put(runKeys.shard(runId, shard.id), {
        version: RUN_OBJECTS_VERSION,
        runId,
        shard,
        expected: expected.get(shard.id) ?? [],
        context,
      })
    );
  }
  await objects.put(runKeys.plan(runId), {
    version: RUN_OBJECTS_VERSION,
    event: input.event,
    plan,
  });
  // Last: the state machine reads the list only once everything it names is there.
  await objects.put(runKeys.shardList(runId), interleaveByTarget(plan.shards));
  return {
    skipped: false,
    runId,
    bucket: objects.location,
    shardList: runKeys.shardList(runId),
    shards: plan.shards.length,
  };
}

/** The longest failure cause kept in a partial (the state machine's Cause can be large). */
const MAX_CAUSE = 500;

/**
 * What a shard's failure says in the report: the error's type and message from the state
 * machine's Catch. A Lambda error's Cause is JSON with its stack trace (`trace`): the report
 * and the notification carry the message only, never the frames, cut to MAX_CAUSE.
 */
export function failureReason(failure: {
  Error: string;
  Cause?: string;
}): string {
  const cause = failure.Cause?.trim();
  if (!cause) return failure.Error;
  let message = cause.split('\n')[0] ?? '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null) {
      const m = (parsed as { errorMessage?: unknown }).errorMessage;
      message = typeof m === 'string' ? (m.split('\n')[0] ?? '') : '';
    }
  } catch {
    // Not JSON (a service error's Cause is text): its first line.
  }
  return message === ''
    ? failure.Error
    : `${failure.Error}: ${message.slice(0, MAX_CAUSE)}`;
}

/**
 * The shard step: audits one shard (its target only) and stores its partial; or, called by
 * the state machine's Catch, stores why the shard failed after its retries.
 */
export async function auditShardStep(
  deps: Pick<JobDeps, 'clock' | 'resolveCredentials'>,
  objects: RunObjects,
  input: Omit<JobInput, 'targets'> & {
    runId: string;
    shard: string;
    /** The state machine's Catch output: the error's name and cause. */
    failure?: { Error: string; Cause?: string };
  }
): Promise<{ shard: string; status: string }> {
  const partialKey = runKeys.partial(input.runId, input.shard);
  if (input.failure) {
    const failed = failureReason(input.failure);
    await objects.put(
      partialKey,
      storedOutcome({ shard: input.shard, failed })
    );
    return { shard: input.shard, status: 'failed' };
  }
  const key = runKeys.shard(input.runId, input.shard);
  const value = await objects.get(key);
  if (value === undefined) throw new Error(`${key} does not exist`);
  const task = parseWith(storedShardSchema, value, key);
  const { settings, clients, stop } = await startRun(
    deps,
    { ...input, targets: [task.shard.target] },
    input.runId
  );
  let outcome: ShardOutcome;
  try {
    const target = clients.targets.find((t) => t.name === task.shard.target);
    if (!target)
      throw new Error(`target ${task.shard.target} is not configured`);
    outcome = await auditShard(
      target,
      task.shard,
      task.expected,
      task.context,
      {
        clock: deps.clock,
        concurrency: settings.concurrency,
        deadline: settings.deadline,
        ...(settings.signal ? { signal: settings.signal } : {}),
      }
    );
  } finally {
    stop();
    await clients.close();
  }
  await objects.put(partialKey, storedOutcome(outcome));
  return { shard: input.shard, status: outcome.status.status };
}

/**
 * Reads every shard's outcome; one that is absent (not listed, or gone) is left out (the
 * merge reports it UNKNOWN: no partial result), one that cannot be read or parsed is a
 * failure with that reason; so is every shard when the partials cannot be listed.
 */
export async function readOutcomes(
  objects: RunObjects,
  plan: AuditPlan,
  concurrency = 16
): Promise<Map<string, ShardOutcome>> {
  const outcomes = new Map<string, ShardOutcome>();
  let listed: Set<string> | undefined;
  if (objects.list) {
    try {
      listed = new Set(await objects.list(runKeys.partials(plan.runId)));
    } catch (err) {
      const failed = `the partial results could not be listed: ${errorMessage(err)}`;
      for (const shard of plan.shards) {
        outcomes.set(shard.id, { shard: shard.id, failed });
      }
      return outcomes;
    }
  }
  await mapWithConcurrency(plan.shards, concurrency, async (shard) => {
    const key = runKeys.partial(plan.runId, shard.id);
    if (listed && !listed.has(key)) return;
    try {
      const value = await objects.get(key);
      if (value === undefined) return;
      const outcome = parseOutcome(value);
      if (outcome.shard !== shard.id) {
        throw new Error(`${key} holds shard ${outcome.shard}`);
      }
      outcomes.set(shard.id, outcome);
    } catch (err) {
      outcomes.set(shard.id, {
        shard: shard.id,
        failed: `its partial result could not be read: ${errorMessage(err)}`,
      });
    }
  });
  return outcomes;
}

/**
 * The merge step: the plan and the shards' outcomes become the report, stored and notified
 * exactly as the single-Lambda audit does (runJob: it takes the run lease), with the plan's
 * run id (the report's and the lease marker's).
 * @throws RunSkippedError when another run holds the run lease
 */
export async function mergeAuditStep(
  deps: JobDeps,
  objects: RunObjects,
  input: Omit<JobInput, 'targets'> & {
    runId: string;
    /** The config of the run once its event is applied (dry run, re-trigger). */
    configFor?: (event: RunEvent) => JobInput['config'];
  }
): Promise<JobResult> {
  const { plan, event } = await readPlan(objects, input.runId);
  const outcomes = await readOutcomes(objects, plan);
  const config = input.configFor ? input.configFor(event) : input.config;
  return runJob(
    deps,
    {
      ...input,
      config,
      runId: plan.runId,
      ...(event.targets ? { targets: event.targets } : {}),
    },
    {
      kind: 'audit',
      history: ['audit'],
      historyWarning:
        'earlier reports could not be read; cooldowns use Harbor only',
      run: ({ clients, settings, history, actsHeld }) =>
        mergeAudit(
          {
            primary: clients.primary,
            targets: clients.targets,
            clock: deps.clock,
            replication: { ...clients.replication, history },
          },
          {
            ...settings,
            replication: actSettings(config.retrigger, { actsHeld }),
            history,
          },
          plan,
          outcomes
        ),
    }
  );
}

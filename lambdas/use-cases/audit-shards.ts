/**
 * The shard step of an audit, callable on its own: which shards a plan has (a target's
 * destination project, large ones split by repository ranges), the expected refs of one,
 * and its audit (observe + diff) into a partial result that serializes to JSON. The
 * single-process audit runs these in a loop; the distributed one runs each in its own Lambda.
 */
import { z } from 'zod';
import { diffShard, orphansPossibleIn } from '../core/inventory/diff';
import type { DiffContext } from '../core/inventory/diff';
import { inShard, type ShardRef } from '../core/inventory/plan/shards';
import {
  DEADLINE_IN_FLIGHT,
  DEADLINE_NOT_STARTED,
  errorMessage,
  isDeadline,
} from '../core/errors';
import type { ExpectedRef, UnobservedRepository } from '../core/model';
import type { Clock, ObservedRepository, TargetObserver } from '../core/ports';
import { findingSchema, shardStatusSchema } from '../core/report/schema';
import type { Finding, ShardCause, ShardStatus } from '../core/report/schema';
import { mapWithConcurrency } from './limit';

// The shard maths is core's (core/inventory/plan/shards); the distributed audit and the
// merge read these two from here.
export { expectedByShard, type ShardRef } from '../core/inventory/plan/shards';

/** The partial result of one shard: its status and every finding (synced ones too). */
export interface ShardPartial {
  shard: string;
  status: ShardStatus;
  /** Every finding of the shard, synced included (counts and delays need them). */
  findings: Finding[];
}

/**
 * A shard that produced no result: its function failed after its retries (the state
 * machine records why), or it never ran. Its scope is UNKNOWN with this reason.
 */
export interface ShardFailure {
  shard: string;
  failed: string;
}

/** What the merge gets of a shard. */
export type ShardOutcome = ShardPartial | ShardFailure;

/** Bumped when a partial's shape changes: a merge never reads another version's partials. */
const SHARD_PARTIAL_VERSION = 1;

const partialSchema = z.strictObject({
  version: z.literal(SHARD_PARTIAL_VERSION),
  shard: z.string().min(1),
  status: shardStatusSchema,
  findings: z.array(findingSchema),
});
const failureSchema = z.strictObject({
  version: z.literal(SHARD_PARTIAL_VERSION),
  shard: z.string().min(1),
  failed: z.string().min(1),
});

/** The stored form of an outcome (a partial or a recorded failure), validated when read back. */
export function storedOutcome(
  outcome: ShardOutcome
): z.input<typeof partialSchema> | z.input<typeof failureSchema> {
  return { version: SHARD_PARTIAL_VERSION, ...outcome };
}

/**
 * Reads a stored outcome back.
 * @throws Error naming the field that does not fit (the caller reports the shard UNKNOWN)
 */
export function parseOutcome(value: unknown): ShardOutcome {
  // The shape is told by its `failed` field, so that an error names the field at fault.
  const failure =
    typeof value === 'object' && value !== null && 'failed' in value;
  const parsed = failure
    ? failureSchema.safeParse(value)
    : partialSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `partial result does not fit its schema: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`
    );
  }
  const data = parsed.data;
  return 'failed' in data
    ? { shard: data.shard, failed: data.failed }
    : { shard: data.shard, status: data.status, findings: data.findings };
}

export function isFailure(outcome: ShardOutcome): outcome is ShardFailure {
  return 'failed' in outcome;
}

/** A target as one shard's audit reaches it. */
export interface ShardTarget {
  observer: TargetObserver;
  /** Why the target cannot be reached at all: the shard is UNKNOWN with this reason. */
  unavailable?: string;
}

/** What one shard's audit needs of the run. */
export interface ShardRun {
  clock: Clock;
  /** Calls in flight per upstream (the HTTP pools' size). */
  concurrency: number;
  /** Nothing starts after it. */
  deadline: Date;
  /** The run's deadline as an abort signal. */
  signal?: AbortSignal;
}

/** The partial of a shard that was never started (the run's deadline came first). */
export function notAudited(
  shard: ShardRef,
  expected: readonly ExpectedRef[],
  context: DiffContext
): ShardPartial {
  return {
    shard: shard.id,
    status: {
      project: shard.project,
      status: 'not-audited',
      reason: DEADLINE_NOT_STARTED,
    },
    findings: diffShard(expected, { unknown: DEADLINE_NOT_STARTED }, context),
  };
}

/** The partial of a shard whose function failed, or that never ran: UNKNOWN, with why. */
export function failedShard(
  shard: ShardRef,
  expected: readonly ExpectedRef[],
  context: DiffContext,
  reason: string
): ShardPartial {
  return {
    shard: shard.id,
    status: { project: shard.project, status: 'unknown', reason },
    findings: diffShard(expected, { unknown: reason }, context),
  };
}

/** How every reason of work cut by the deadline starts. */
const DEADLINE_REACHED = 'deadline reached';

/**
 * Audits one shard: observes its repositories on the target (the expected ones and whatever
 * else the target holds in its range of the project) and diffs them against the expected
 * refs. Nothing here throws for an upstream failure: what could not be seen is unknown.
 */
export async function auditShard(
  target: ShardTarget,
  shard: ShardRef,
  expected: readonly ExpectedRef[],
  context: DiffContext,
  run: ShardRun
): Promise<ShardPartial> {
  if (target.unavailable !== undefined) {
    return failedShard(shard, expected, context, target.unavailable);
  }
  if (run.clock.now() >= run.deadline || run.signal?.aborted === true) {
    return notAudited(shard, expected, context);
  }
  const { observation, namespaceError, cutByDeadline } = await observeShard(
    target.observer,
    shard,
    expected,
    run,
    orphansPossibleIn(context, shard.project)
  );
  const unseen = observation.filter(
    (r): r is UnobservedRepository => 'reason' in r
  );
  const causes: ShardCause[] = [
    ...(cutByDeadline
      ? [{ kind: 'deadline' as const, text: DEADLINE_IN_FLIGHT }]
      : []),
    ...(unseen.length > 0
      ? [
          {
            kind: 'repositories' as const,
            text: `${unseen.length} repositories could not be observed: ${unseen
              .slice(0, 3)
              .map((u) => `${u.repository} (${u.reason})`)
              .join('; ')}`,
          },
        ]
      : []),
    ...(namespaceError
      ? [
          {
            kind: 'namespace' as const,
            text: `its repositories could not be listed (${namespaceError}): repositories deleted on the primary are unseen`,
          },
        ]
      : []),
  ];
  const status: ShardStatus =
    causes.length === 0
      ? { project: shard.project, status: 'audited' }
      : {
          project: shard.project,
          status: 'unknown',
          reason: causes.map((c) => c.text).join('; '),
          causes,
        };
  return {
    shard: shard.id,
    status,
    findings: diffShard(expected, observation, context),
  };
}

/**
 * Observes a shard: the expected repositories plus whatever else the target holds in the
 * shard's range of the namespace. When the shard as a whole cannot be observed, each
 * repository is tried alone, so that one unreadable repository leaves only itself unknown.
 */
async function observeShard(
  observer: TargetObserver,
  shard: ShardRef,
  expected: readonly ExpectedRef[],
  run: ShardRun,
  /** A deletion-replicating policy feeds the project: a target that cannot list it hides orphans. */
  orphansPossible: boolean
): Promise<{
  observation: (ObservedRepository | UnobservedRepository)[];
  /** Why the namespace could not be listed: repositories nobody expects went unseen. */
  namespaceError?: string;
  /** The run's deadline cut the observation: what it left unseen is unknown. */
  cutByDeadline?: boolean;
}> {
  const repositories = new Set(expected.map((r) => r.repository));
  let namespaceError: string | undefined;
  try {
    const listed = await observer.listNamespace(shard.project);
    if (listed === null && orphansPossible) {
      namespaceError =
        'the target does not list its repositories (a registry without a catalog: /v2/_catalog refused or absent)';
    }
    for (const repo of listed ?? []) {
      if (inShard(repo, shard)) repositories.add(repo);
    }
  } catch (err) {
    // Expected repositories are still observed below; whole repositories deleted on the
    // primary (orphans) cannot be seen, so the shard is not fully audited.
    namespaceError = errorMessage(err);
  }
  const repos = [...repositories].sort();
  const cut = (): boolean => run.signal?.aborted === true;
  const withNote = (
    observation: (ObservedRepository | UnobservedRepository)[]
  ) => ({
    observation,
    ...(namespaceError ? { namespaceError } : {}),
    ...(observation.some(
      (r) => 'reason' in r && r.reason.startsWith(DEADLINE_REACHED)
    )
      ? { cutByDeadline: true }
      : {}),
  });
  try {
    return withNote(await observer.observe(repos, expected));
  } catch (err) {
    // Cut by the run's deadline: trying each repository alone would only fail again.
    if (cut() || isDeadline(err)) {
      return withNote(
        repos.map((repository) => ({
          repository,
          reason: `${DEADLINE_IN_FLIGHT}: ${errorMessage(err)}`,
        }))
      );
    }
    const byRepo = groupBy(expected, (r) => r.repository);
    const perRepo = await mapWithConcurrency(
      repos,
      Math.max(1, Math.floor(run.concurrency / 4)),
      async (repo): Promise<ObservedRepository | UnobservedRepository> => {
        try {
          const [one] = await observer.observe([repo], byRepo.get(repo) ?? []);
          return one ?? { repository: repo, exists: false, refs: [] };
        } catch (err) {
          return {
            repository: repo,
            reason: isDeadline(err)
              ? `${DEADLINE_IN_FLIGHT}: ${errorMessage(err)}`
              : errorMessage(err),
          };
        }
      },
      {
        signal: run.signal,
        skipped: (repository) => ({
          repository,
          reason: DEADLINE_NOT_STARTED,
        }),
      }
    );
    return withNote(perRepo);
  }
}

function groupBy<T>(
  items: readonly T[],
  key: (item: T) => string
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

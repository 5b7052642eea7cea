import { diffContextFor } from '../core/inventory/diff';
import { asPushEquivalent, selectPolicies } from '../core/inventory/discover';
import type { PolicyAssignment } from '../core/inventory/discover';
import { errorMessage } from '../core/errors';
import type { ReplicationDeps } from './replication';
import type { ReplicationSettings } from '../core/replication/settings';
import { inventoryProjects, resolveProjects } from './inventory';
import type { ProjectScope } from './inventory';
import { mapShardsTelling, tell, type ProgressListener } from './progress';
import type {
  ProjectInventory,
  ReplicationPolicy,
  TargetKind,
  TargetTraits,
} from '../core/model';
import { planExpected, policyScope } from '../core/inventory/plan';
import { resolveMatching } from '../core/inventory/plan/matching';
import type {
  DoublestarSetting,
  ReleaseReading,
} from '../core/inventory/plan/matching';
import type { PlanResult, PlanTarget } from '../core/inventory/plan/types';
import type { Clock, HarborApi, TargetObserver } from '../core/ports';
import type { Matching, Report, ScopeError } from '../core/report/schema';
import { mergeAudit } from './audit-merge';
import {
  expectedByShard,
  shardRefsOf,
  type ShardRef,
} from '../core/inventory/plan/shards';
import { auditShard, notAudited } from './audit-shards';
import type { ShardOutcome } from './audit-shards';

/** A target as the audit reaches it. */
export interface AuditTarget {
  name: string;
  kind: TargetKind;
  url: string;
  traits: TargetTraits;
  /** Harbor targets: the target's own API (pull-mode policies, proxy-cache projects). */
  harbor?: HarborApi;
  observer: TargetObserver;
  /**
   * Why the target cannot be reached at all (its credentials could not be read): every
   * scope of it is UNKNOWN with this reason, and the rest of the run goes on.
   */
  unavailable?: string;
}

/** The ports of an audit. */
export interface AuditDeps {
  primary: HarborApi;
  targets: readonly AuditTarget[];
  clock: Clock;
  /** Replication health and re-triggering; absent = the replication section stays empty. */
  replication?: ReplicationDeps;
}

/** What one audit run is asked to do. */
export interface AuditInput {
  runId: string;
  toolVersion: string;
  primary: { name: string; url: string };
  policies: 'auto' | readonly string[];
  rpoObjectiveMinutes: number;
  /** Calls in flight per upstream (equal to the HTTP pools' size). */
  concurrency: number;
  /** Work not started by then is reported as not audited, never as fine. */
  deadline: Date;
  /**
   * The run's deadline as an abort signal (the HTTP clients hold it too): once aborted, no
   * shard is started and work in flight ends as unknown. @default the `deadline` check only
   */
  signal?: AbortSignal;
  /**
   * Earlier reports (any kind, newest first): plain registries keep no push times, so their
   * replication delays come from when a run first saw each ref. @default none
   */
  history?: readonly Report[];
  /** The config's `retrigger` section (health thresholds and the act step). */
  replication?: ReplicationSettings;
  /**
   * The config's `primary.doublestar`: which doublestar reads the filters; `auto` asks the
   * primary's release (one GET /systeminfo). @default auto
   */
  doublestar?: DoublestarSetting;
  /** The primary's release when the caller has read it already (readiness): no second read. */
  primaryRelease?: ReleaseReading;
  /** Told as the work is planned and as shards and targets finish (the CLI's progress). */
  onProgress?: ProgressListener;
  /**
   * A destination project expecting more refs is split into shards of whole repositories
   * of at most this many refs (the distributed audit's unit of work). @default no split
   */
  maxRefsPerShard?: number;
}

/** What discovery and planning learned, before any target is observed. */
export interface PlannedRun {
  plan: PlanResult;
  assignments: PolicyAssignment[];
  /** Warnings of discovery (disabled policies, unreadable target policies...). */
  warnings: string[];
  /** Problems that leave the whole run, or a policy, partly unseen. */
  errors: ScopeError[];
  inventories: ProjectInventory[];
}

/**
 * Discovers the policies in scope, lists the primary and computes the expected set.
 *
 * Primary course:
 * 1. check the primary's credentials (Harbor treats rejected ones as anonymous);
 * 2. list the primary's policies, and each Harbor target's (for pull mode);
 * 3. read the primary's release: its doublestar decides what the filters match (unless
 *    the config forces one; unreadable: v1.3.4, said in a warning);
 * 4. select the policies in scope and bind each to its target;
 * 5. list the source projects those policies read;
 * 6. plan the expected set per target.
 */
export async function planRun(
  deps: AuditDeps,
  input: AuditInput
): Promise<PlannedRun> {
  const errors: ScopeError[] = [];
  const warnings: string[] = [];
  const now = () => deps.clock.now();
  const emptyPlan = (): PlannedRun => ({
    plan: planExpected({
      bindings: [],
      targets: planTargets(deps, new Map()),
      inventories: [],
    }),
    assignments: [],
    warnings,
    errors,
    inventories: [],
  });

  let primaryPolicies: ReplicationPolicy[];
  try {
    const identity = await deps.primary.whoAmI();
    if (identity.kind === 'anonymous') {
      errors.push({
        scope: 'primary',
        message:
          'the credentials were rejected (Harbor treats them as anonymous): nothing can be audited',
      });
      return emptyPlan();
    }
    primaryPolicies = await deps.primary.listPolicies();
  } catch (err) {
    errors.push({
      scope: 'primary',
      message: `replication policies could not be read: ${errorMessage(err)}`,
    });
    return emptyPlan();
  }
  const matching = await readMatching(
    deps.primary,
    input.doublestar ?? 'auto',
    input.primaryRelease
  );
  if (matching.source === 'default') warnings.push(`filters: ${matching.note}`);

  const targetPolicies = new Map<string, ReplicationPolicy[]>();
  const proxyCache = new Map<string, string[]>();
  for (const t of deps.targets) {
    if (!t.harbor) continue;
    try {
      targetPolicies.set(t.name, await t.harbor.listPolicies());
    } catch (err) {
      warnings.push(
        `${t.name}: its own (pull-mode) policies could not be read: ${errorMessage(err)}`
      );
    }
    try {
      const projects = await t.harbor.listProjects();
      proxyCache.set(
        t.name,
        projects.filter((p) => p.registryId > 0).map((p) => p.name)
      );
    } catch (err) {
      warnings.push(
        `${t.name}: proxy-cache projects could not be read: ${errorMessage(err)}`
      );
    }
  }

  const selection = selectPolicies({
    primaryUrl: input.primary.url,
    targets: deps.targets,
    selector: input.policies,
    primaryPolicies,
    targetPolicies,
  });
  warnings.push(...selection.warnings);
  errors.push(
    ...selection.errors.map((message) => ({ scope: 'policies', message }))
  );
  const bindings = selection.assignments.map((a) => ({
    policy: asPushEquivalent(
      a,
      deps.targets.find((t) => t.name === a.target)?.url ?? ''
    ),
    target: a.target,
  }));
  // A target that no policy reaches would read "0 of 0 synced": usually its configured URL
  // is not the one the primary's registry endpoint uses. That is unseen, not fine.
  const endpoints = [
    ...new Set(
      primaryPolicies.flatMap((p) =>
        p.destRegistry ? [p.destRegistry.url] : []
      )
    ),
  ];
  for (const t of deps.targets) {
    if (bindings.some((b) => b.target === t.name)) continue;
    errors.push({
      scope: t.name,
      message: `no policy in scope replicates to ${t.url}: nothing could be audited; the target's url must equal a registry endpoint of the primary (${endpoints.length > 0 ? endpoints.join(', ') : 'none'})`,
    });
  }

  const scope = projectScopeOf(bindings.map((b) => b.policy));
  let inventories: ProjectInventory[] = [];
  let projectListError: ScopeError | undefined;
  try {
    const resolved = await resolveProjects(deps.primary, scope);
    inventories = await inventoryProjects(deps.primary, resolved.projects, {
      concurrency: input.concurrency,
      deadline: input.deadline,
      ...(input.signal ? { signal: input.signal } : {}),
      now,
      scopePrefix: 'primary',
    });
  } catch (err) {
    projectListError = {
      scope: 'primary',
      message: `projects could not be listed: ${errorMessage(err)}`,
    };
    errors.push(projectListError);
  }
  for (const inv of inventories) if (!inv.complete) errors.push(inv.error);

  const plan = planExpected({
    bindings,
    targets: planTargets(deps, proxyCache),
    inventories,
    matching,
    ...(projectListError ? { projectListError } : {}),
  });
  return {
    plan,
    assignments: selection.assignments,
    warnings,
    errors,
    inventories,
  };
}

/**
 * The plan of an audit, as its shards and its merge need it: plain data, so that it can be
 * stored between the steps of a distributed run (JSON) as well as passed along in process.
 */
export interface AuditPlan {
  runId: string;
  /** When the run started (ISO 8601): the report's `startedAt`. */
  startedAt: string;
  /** What discovery and planning learned (the primary's inventories are not kept). */
  planned: Omit<PlannedRun, 'inventories'>;
  /** Every shard of the run, target by target. */
  shards: ShardRef[];
}

/**
 * The plan step: reads the primary once (planRun) and lists the run's shards, large
 * projects split by repository ranges (`maxRefsPerShard`).
 */
export async function planAudit(
  deps: AuditDeps,
  input: AuditInput
): Promise<AuditPlan> {
  const startedAt = deps.clock.now();
  const { plan, assignments, warnings, errors } = await planRun(deps, input);
  // The primary's inventories are not kept (planRun's caller drops them here), nor its
  // index when no deletion rule reads it: at 100,000 refs each is tens of MiB held until
  // the report is written.
  const planned = {
    plan: withoutUnreadIndex(plan),
    assignments,
    warnings,
    errors,
  };
  return {
    runId: input.runId,
    startedAt: startedAt.toISOString(),
    planned,
    shards: shardRefsOf(planned.plan, input.maxRefsPerShard),
  };
}

/**
 * Runs a whole inventory audit in this process and returns its report: the same three
 * steps as the distributed audit (plan, shards, merge), the shards run here.
 *
 * Primary course:
 * 1. plan the run (see planRun) and list its shards (target, destination project);
 * 2. observe each shard, within the deadline, and diff it against the expected set;
 * 3. merge: assess each target (counts, exposure, delays, verdict), replication health and
 *    the act step, and assemble the report (see mergeAudit).
 */
export async function runAudit(
  deps: AuditDeps,
  input: AuditInput
): Promise<Report> {
  const plan = await planAudit(deps, input);
  tell(input.onProgress, {
    kind: 'planned',
    targets: plan.planned.plan.targets.map((p) => ({
      target: p.target,
      shards: plan.shards.filter((s) => s.target === p.target).length,
    })),
  });
  const outcomes = await auditShardsInProcess(deps, input, plan);
  return mergeAudit(deps, input, plan, outcomes);
}

/**
 * The plan without the primary's index when no target has a deletion rule: only the orphan
 * check of deletion rules reads it (see target-refs.ts), and it holds every tag and digest
 * of the primary.
 */
function withoutUnreadIndex(plan: PlanResult): PlanResult {
  if (plan.targets.some((t) => t.deletionRules.length > 0)) return plan;
  return {
    ...plan,
    primary: {
      projectListComplete: plan.primary.projectListComplete,
      projects: [],
    },
  };
}

/** The shards of a plan, target by target, a few at a time per target, in this process. */
async function auditShardsInProcess(
  deps: AuditDeps,
  input: AuditInput,
  plan: AuditPlan
): Promise<Map<string, ShardOutcome>> {
  const outcomes = new Map<string, ShardOutcome>();
  const run = {
    clock: deps.clock,
    concurrency: input.concurrency,
    deadline: input.deadline,
    ...(input.signal ? { signal: input.signal } : {}),
  };
  for (const target of deps.targets) {
    const targetPlan = plan.planned.plan.targets.find(
      (p) => p.target === target.name
    );
    if (!targetPlan) continue;
    const context = diffContextFor(plan.planned.plan, target.name);
    const shards = plan.shards.filter((s) => s.target === target.name);
    const expected = expectedByShard(targetPlan, shards);
    const work = shards.map((shard) => ({
      shard,
      project: shard.project,
      expected: expected.get(shard.id) ?? [],
    }));
    const results = await mapShardsTelling(input.onProgress, target.name)(
      work,
      Math.max(1, Math.floor(input.concurrency / 4)),
      (w) => auditShard(target, w.shard, w.expected, context, run),
      {
        signal: input.signal,
        skipped: (w) => notAudited(w.shard, w.expected, context),
      }
    );
    for (const r of results) outcomes.set(r.shard, r);
  }
  return outcomes;
}

/**
 * The run's doublestar (audit, plan, explain): the config's, or the primary's release's; that
 * release is `known` when the caller read it already, else one GET /systeminfo here.
 */
export async function readMatching(
  primary: HarborApi,
  setting: DoublestarSetting,
  known?: ReleaseReading
): Promise<Matching> {
  if (setting !== 'auto') return resolveMatching(setting);
  if (known !== undefined) return resolveMatching('auto', known);
  try {
    return resolveMatching('auto', {
      harborVersion: await primary.harborVersion(),
    });
  } catch (err) {
    return resolveMatching('auto', { error: errorMessage(err) });
  }
}

function projectScopeOf(policies: readonly ReplicationPolicy[]): ProjectScope {
  const names = new Set<string>();
  for (const p of policies) {
    const scope = policyScope(p);
    if (scope.kind === 'all') return { all: true };
    for (const n of scope.names) names.add(n);
  }
  return { all: false, names };
}

function planTargets(
  deps: AuditDeps,
  proxyCache: ReadonlyMap<string, string[]>
): PlanTarget[] {
  return deps.targets.map((t) => ({
    name: t.name,
    kind: t.kind,
    traits: t.traits,
    ...(proxyCache.has(t.name)
      ? { proxyCacheProjects: proxyCache.get(t.name) }
      : {}),
  }));
}

import { countFindings } from '../core/inventory/counts';
import {
  diffContextFor,
  diffShard,
  orphansPossibleIn,
} from '../core/inventory/diff';
import { unplaceableFindings } from '../core/inventory/cannot-run';
import { selectPolicies } from '../core/inventory/discover';
import type { PolicyAssignment } from '../core/inventory/discover';
import {
  DEADLINE_IN_FLIGHT,
  DEADLINE_NOT_STARTED,
  errorMessage,
  isDeadline,
} from '../core/errors';
import { assessReplication } from './replication';
import type { ReplicationDeps } from './replication';
import type { ReplicationSettings } from '../core/replication/settings';
import { inventoryProjects, resolveProjects } from './inventory';
import type { ProjectScope } from './inventory';
import { mapWithConcurrency } from './limit';
import { mapShardsTelling, tell, type ProgressListener } from './progress';
import type {
  ExpectedRef,
  ProjectInventory,
  ReplicationPolicy,
  TargetKind,
  TargetTraits,
  UnobservedRepository,
} from '../core/model';
import { planExpected, policyScope } from '../core/inventory/plan';
import { resolveMatching } from '../core/inventory/plan/matching';
import type {
  DoublestarSetting,
  ReleaseReading,
} from '../core/inventory/plan/matching';
import { projectOf, shardsOf } from '../core/inventory/plan/shards';
import type {
  PlanResult,
  PlanTarget,
  TargetPlan,
} from '../core/inventory/plan/types';
import type {
  Clock,
  HarborApi,
  ObservedRepository,
  TargetObserver,
} from '../core/ports';
import { REPORT_SCHEMA_VERSION } from '../core/report/schema';
import type {
  Finding,
  Matching,
  PolicyReport,
  Report,
  ScopeError,
  ShardStatus,
  TargetReport,
} from '../core/report/schema';
import { delayDistribution, estimateExposure } from '../core/inventory/rpo';
import { firstSeenDelays, previousObservation } from '../core/inventory/trend';
import { auditVerdict, worstVerdict } from '../core/readiness/verdict';

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

const DEADLINE_REASON = DEADLINE_NOT_STARTED;
/** How every reason of work cut by the deadline starts. */
const DEADLINE_REACHED = 'deadline reached';

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
    policy: asPushEquivalent(a, deps.targets),
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
 * Runs a whole inventory audit and returns its report.
 *
 * Primary course:
 * 1. plan the run (see planRun);
 * 2. per target, split the expected set into shards (destination projects);
 * 3. observe each shard, within the deadline, and diff it against the expected set;
 * 4. assess each target (counts, exposure, delays, verdict) and assemble the report.
 */
export async function runAudit(
  deps: AuditDeps,
  input: AuditInput
): Promise<Report> {
  const startedAt = deps.clock.now();
  const planned = await planRun(deps, input);
  if (input.onProgress) {
    tell(input.onProgress, {
      kind: 'planned',
      targets: planned.plan.targets.map((p) => ({
        target: p.target,
        shards: shardWork(p).length,
      })),
    });
  }
  const targets: TargetReport[] = [];
  for (const target of deps.targets) {
    targets.push(await auditTarget(deps, input, planned, target));
  }
  // Replication health and the act step (re-trigger), once every target's findings are known.
  if (deps.replication && input.replication) {
    await assessReplication(
      {
        deps: deps.replication,
        settings: input.replication,
        clock: deps.clock,
        deadline: input.deadline,
        ...(input.signal ? { signal: input.signal } : {}),
        concurrency: input.concurrency,
        assignments: planned.assignments,
        plan: planned.plan,
        targets: deps.targets,
      },
      targets
    );
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: input.runId,
    kind: 'audit',
    startedAt: startedAt.toISOString(),
    finishedAt: deps.clock.now().toISOString(),
    tool: { name: 'harbor-dr-auditor', version: input.toolVersion },
    primary: { name: input.primary.name, url: input.primary.url },
    verdict: worstVerdict(targets.map((t) => t.verdict)),
    policies: policyReports(planned),
    targets,
    errors: planned.errors,
    ...(planned.plan.matching ? { matching: planned.plan.matching } : {}),
  };
}

/** The run's doublestar: the config's, or the primary's release's (one GET /systeminfo). */
async function readMatching(
  primary: HarborApi,
  setting: DoublestarSetting,
  known: ReleaseReading | undefined
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

async function auditTarget(
  deps: AuditDeps,
  input: AuditInput,
  planned: PlannedRun,
  target: AuditTarget
): Promise<TargetReport> {
  const plan = planned.plan.targets.find((p) => p.target === target.name);
  const errors: ScopeError[] = [];
  // A run-level failure (no policies, no primary) leaves every target unseen.
  for (const e of planned.errors) {
    if (['primary', 'policies', target.name].includes(e.scope)) errors.push(e);
  }
  if (target.unavailable !== undefined) {
    errors.push({ scope: target.name, message: target.unavailable });
  }
  const findings: Finding[] = [];
  const shards: ShardStatus[] = [];
  if (plan) {
    errors.push(...scopeErrorsOf(plan));
    const context = diffContextFor(planned.plan, target.name);
    const work = shardWork(plan);
    const notAudited = (shard: {
      project: string;
      expected: ExpectedRef[];
    }): { status: ShardStatus; findings: Finding[] } => ({
      status: {
        project: shard.project,
        status: 'not-audited',
        reason: DEADLINE_REASON,
      },
      findings: diffShard(
        shard.expected,
        { unknown: DEADLINE_REASON },
        context
      ),
    });
    const results = await mapShardsTelling(input.onProgress, target.name)(
      work,
      Math.max(1, Math.floor(input.concurrency / 4)),
      async ({ project, expected }) => {
        if (target.unavailable !== undefined) {
          return {
            status: {
              project,
              status: 'unknown',
              reason: target.unavailable,
            } satisfies ShardStatus,
            findings: diffShard(
              expected,
              { unknown: target.unavailable },
              context
            ),
          };
        }
        if (deps.clock.now() >= input.deadline) {
          return notAudited({ project, expected });
        }
        const { observation, namespaceError, cutByDeadline } =
          await observeShard(
            target,
            project,
            expected,
            input,
            orphansPossibleIn(context, project)
          );
        const unseen = observation.filter(
          (r): r is UnobservedRepository => 'reason' in r
        );
        const reasons = [
          ...(cutByDeadline ? [DEADLINE_IN_FLIGHT] : []),
          ...(unseen.length > 0
            ? [
                `${unseen.length} repositories could not be observed: ${unseen
                  .slice(0, 3)
                  .map((u) => `${u.repository} (${u.reason})`)
                  .join('; ')}`,
              ]
            : []),
          ...(namespaceError
            ? [
                `its repositories could not be listed (${namespaceError}): repositories deleted on the primary are unseen`,
              ]
            : []),
        ];
        const status: ShardStatus =
          reasons.length === 0
            ? { project, status: 'audited' }
            : { project, status: 'unknown', reason: reasons.join('; ') };
        return { status, findings: diffShard(expected, observation, context) };
      },
      { signal: input.signal, skipped: notAudited }
    );
    for (const r of results) {
      shards.push(r.status);
      // One by one: a spread of a shard's findings overflows the stack past ~100,000.
      for (const f of r.findings) findings.push(f);
    }
    // Refs of a policy that cannot run and that have no destination name: missing.
    findings.push(...unplaceableFindings(plan.unplaceable));
  }

  const counts = countFindings(findings);
  const now = deps.clock.now();
  const unseenScopes =
    errors.length + shards.filter((s) => s.status !== 'audited').length;
  // Unseen refs or scopes leave the exposure unknown (null), never a false 0.
  const exposure = estimateExposure(findings, now, unseenScopes);
  // Plain registries keep no push times: delays come from first-seen times across runs.
  const firstSeen = target.traits.firstSeenDelays;
  const delays = delayDistribution(
    firstSeen
      ? firstSeenDelays(
          findings,
          previousObservation(input.history, target.name),
          now
        )
      : replicationDelays(findings)
  );
  const objectiveSeconds = input.rpoObjectiveMinutes * 60;
  const verdict = auditVerdict({
    counts,
    unseenScopes,
    // What the seen refs prove: a breach they show is NOT_READY even when others are unseen
    // (which alone makes the verdict UNKNOWN).
    exposureSeconds: exposure.seconds ?? exposure.atLeastSeconds,
    objectiveSeconds,
    policyErrors: plan?.policyErrors.length ?? 0,
  });
  tell(input.onProgress, {
    kind: 'target',
    target: target.name,
    verdict,
    shards,
    errors,
  });
  return {
    name: target.name,
    kind: target.kind,
    url: target.url,
    verdict,
    counts,
    findings: findings.filter((f) => f.state !== 'synced'),
    shards,
    rpo: {
      objectiveSeconds,
      estimateSeconds: exposure.seconds,
      oldestUnsyncedPushTime: exposure.oldestUnsyncedPushTime,
      p50DelaySeconds: delays.p50,
      p95DelaySeconds: delays.p95,
      maxDelaySeconds: delays.max,
      delayBasis: firstSeen ? 'first-seen' : 'push-time',
    },
    replication: { executions: [], failedTasks: [], retriggered: [] },
    drift: [],
    errors,
  };
}

/**
 * Observes a shard: the expected repositories plus whatever else the target holds in that
 * namespace. When the shard as a whole cannot be observed, each repository is tried alone,
 * so that one unreadable repository leaves only itself unknown.
 */
async function observeShard(
  target: AuditTarget,
  project: string,
  expected: readonly ExpectedRef[],
  input: AuditInput,
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
    const listed = await target.observer.listNamespace(project);
    if (listed === null && orphansPossible) {
      namespaceError =
        'the target does not list its repositories (a registry without a catalog: /v2/_catalog refused or absent)';
    }
    for (const repo of listed ?? []) repositories.add(repo);
  } catch (err) {
    // Expected repositories are still observed below; whole repositories deleted on the
    // primary (orphans) cannot be seen, so the shard is not fully audited.
    namespaceError = errorMessage(err);
  }
  const repos = [...repositories].sort();
  const cut = (): boolean => input.signal?.aborted === true;
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
    return withNote(await target.observer.observe(repos, expected));
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
      Math.max(1, Math.floor(input.concurrency / 4)),
      async (repo): Promise<ObservedRepository | UnobservedRepository> => {
        try {
          const [one] = await target.observer.observe(
            [repo],
            byRepo.get(repo) ?? []
          );
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
        signal: input.signal,
        skipped: (repository) => ({
          repository,
          reason: DEADLINE_REASON,
        }),
      }
    );
    return withNote(perRepo);
  }
}

/** Shards with their expected refs, plus the destination projects of deletion rules. */
function shardWork(
  plan: TargetPlan
): { project: string; expected: ExpectedRef[] }[] {
  const work = shardsOf(plan).map((s) => ({
    project: s.shard.project,
    expected: s.expected,
  }));
  const known = new Set(work.map((w) => w.project));
  for (const rule of plan.deletionRules) {
    for (const { destination } of rule.sources) {
      const project = projectOf(destination);
      if (known.has(project)) continue;
      known.add(project);
      work.push({ project, expected: [] });
    }
  }
  return work;
}

function scopeErrorsOf(plan: TargetPlan): ScopeError[] {
  return plan.unknownScopes.map((u) => ({
    scope: `${plan.target}/${u.destinationPrefix || '*'}`,
    message: `policy ${u.policy}: ${u.reason}`,
  }));
}

/** Seconds between the source push and the replica's push, for refs that arrived. */
function replicationDelays(findings: readonly Finding[]): number[] {
  const delays: number[] = [];
  for (const f of findings) {
    if (f.state !== 'synced' || !f.observedPushTime || !f.source?.pushTime)
      continue;
    const delay =
      (Date.parse(f.observedPushTime) - Date.parse(f.source.pushTime)) / 1000;
    if (Number.isFinite(delay)) delays.push(Math.max(0, delay));
  }
  return delays;
}

function policyReports(planned: PlannedRun): PolicyReport[] {
  const byPolicy = new Map<string, PolicyReport>();
  for (const a of planned.assignments) {
    const key = `${a.mode}:${a.target}:${a.policy.id}`;
    const targetPlan = planned.plan.targets.find((t) => t.target === a.target);
    const expected = [
      ...(targetPlan?.expected ?? []),
      ...(targetPlan?.unplaceable ?? []),
    ].filter((r) => r.policy.id === a.policy.id).length;
    byPolicy.set(key, {
      id: a.policy.id,
      name: a.policy.name,
      targets: [a.target],
      expected,
      warnings: (targetPlan?.warnings ?? [])
        .filter((w) => w.policy === a.policy.name)
        .map((w) => w.message),
      errors: (targetPlan?.policyErrors ?? [])
        .filter((e) => e.policy.id === a.policy.id)
        .map((e) =>
          e.repository ? `${e.repository}: ${e.message}` : e.message
        ),
    });
  }
  return [...byPolicy.values()];
}

/** A pull policy on a Harbor target behaves as a push from the primary to that target. */
function asPushEquivalent(
  assignment: PolicyAssignment,
  targets: readonly AuditTarget[]
): ReplicationPolicy {
  if (assignment.mode === 'push') return assignment.policy;
  const target = targets.find((t) => t.name === assignment.target);
  return {
    ...assignment.policy,
    srcRegistry: null,
    destRegistry: {
      id: -1,
      name: assignment.target,
      type: 'harbor',
      url: target?.url ?? '',
      insecure: false,
    },
  };
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

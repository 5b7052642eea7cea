/**
 * The expected set: what each policy should have put on each target (harbor-semantics
 * §5.8), computed from the primary's inventory with Harbor's own filter and naming rules.
 */
import {
  FilterError,
  filterRepositories,
  selectResources,
} from '../harbor/filters';
import type { SelectedArtifact, SelectedResource } from '../harbor/filters';
import {
  goPathClean,
  goPathJoin,
  pathTypeOf,
  replaceNamespace,
} from '../harbor/flatten';
import type { PathType } from '../harbor/flatten';
import type {
  ExpectedRef,
  ProjectInventory,
  ReplicationPolicy,
} from '../model';
import { isSpecificPathComponent } from '../harbor/pattern';
import type { DoublestarVersion } from '../harbor/pattern';
import { ExpectedSet, refsOf } from './plan/expected-set';
import { indexPrimary } from './plan/index-primary';
import { filterFailure } from './plan/policy-errors';
import type { BlockedResource } from './plan/policy-errors';
import type {
  DeletionRule,
  PlanInput,
  PlanResult,
  PlanTarget,
  PlanWarning,
  PolicyScope,
  TargetPlan,
} from './plan/types';
import { resolveMatching } from './plan/matching';
import { filterWarnings, warningsFor } from './plan/warnings';
import type { Matching } from '../report/schema';

/**
 * Which source projects Harbor lists for a policy (§5.2): the names of a "specific" first
 * component of the first name filter, trimmed; otherwise all. Harbor lists all projects
 * when none of the names exists, which adds nothing: the name filters still apply.
 */
export function policyScope(policy: ReplicationPolicy): PolicyScope {
  const first = policy.filters.find((f) => f.type === 'name');
  if (first === undefined || typeof first.value !== 'string') {
    return { kind: 'all' };
  }
  const component = first.value.split('/')[0] ?? '';
  const names = component === '' ? null : isSpecificPathComponent(component);
  if (names === null) return { kind: 'all' };
  return { kind: 'projects', names: [...new Set(names.map((n) => n.trim()))] };
}

function policyRef(p: ReplicationPolicy): ExpectedRef['policy'] {
  return { id: p.id, name: p.name, override: p.override, deletion: p.deletion };
}

function registryTypeOf(policy: ReplicationPolicy, target: PlanTarget): string {
  return policy.destRegistry?.type ?? target.traits.registryType;
}

/** Destination prefix that everything of `project` can land under. */
function destinationPrefix(
  policy: ReplicationPolicy,
  project: string | undefined
): string {
  const ns = policy.destNamespace;
  if (ns === '') return project === undefined ? '' : `${project}/`;
  const base = goPathClean(ns);
  if (project !== undefined && policy.destNamespaceReplaceCount === 0) {
    return `${goPathJoin(base, project)}/`;
  }
  return `${base}/`;
}

/**
 * Computes, per target, the refs that the bound policies must have produced there.
 *
 * Primary course:
 * 1. per binding: skip pull-mode policies and unknown targets (warnings);
 * 2. select the source projects (policyScope), apply the filters (filters.ts);
 * 3. map every repository to its destination (flatten.ts): an error fails the whole
 *    policy, except for event-based policies where each event fails on its own;
 * 4. skip destinations in proxy-cache projects; expect one ref per tag, or the digest;
 * 5. refs from incomplete projects carry `unknownReason`, and their destination area is
 *    an UnknownScope; different digests under one destination ref become a collision.
 */
export function planExpected(input: PlanInput): PlanResult {
  const targets = new Map(input.targets.map((t) => [t.name, t]));
  const plans = new Map<string, PlanEntry>();
  for (const t of input.targets) {
    plans.set(t.name, {
      plan: {
        target: t.name,
        kind: t.kind,
        traits: t.traits,
        expected: [],
        collisions: [],
        unknownScopes: [],
        policyErrors: [],
        unplaceable: [],
        deletionRules: [],
        warnings: [],
      },
      set: new ExpectedSet(),
      blocked: new ExpectedSet(),
    });
  }
  const globalWarnings: PlanWarning[] = [];
  const matching = input.matching ?? resolveMatching('auto');

  for (const { policy, target: targetName } of input.bindings) {
    const target = targets.get(targetName);
    const entry = plans.get(targetName);
    if (target === undefined || entry === undefined) {
      globalWarnings.push({
        code: 'unknown-target',
        target: targetName,
        policy: policy.name,
        message: `the policy is bound to ${JSON.stringify(targetName)}, which is not a configured target`,
      });
      continue;
    }
    planBinding(policy, target, input, matching, entry);
  }

  return {
    targets: [...plans.values()].map(({ plan, set, blocked }) => {
      set.addBlocked(blocked);
      const expected = set.list();
      return {
        ...plan,
        expected,
        collisions: expected.filter((r) => r.collision !== undefined),
      };
    }),
    warnings: globalWarnings,
    primary: indexPrimary(input.inventories, input.projectListError),
    matching,
  };
}

/** A target's plan while it is built; refs of policies that cannot run are kept apart. */
interface PlanEntry {
  plan: TargetPlan;
  set: ExpectedSet;
  blocked: ExpectedSet;
}

function planBinding(
  policy: ReplicationPolicy,
  target: PlanTarget,
  input: PlanInput,
  matching: Matching,
  entry: PlanEntry
): void {
  const { doublestar } = matching;
  const { plan, set } = entry;
  const ref = policyRef(policy);
  if (policy.srcRegistry !== null) {
    plan.warnings.push({
      code: 'pull-mode',
      target: target.name,
      policy: policy.name,
      message:
        'pull-mode policy (the primary is its destination): not audited against this target',
    });
    return;
  }
  const registryType = registryTypeOf(policy, target);
  const pathType = pathTypeOf(registryType);
  plan.warnings.push(...warningsFor(policy, target.name, registryType));

  const scope = policyScope(policy);
  const inScope = input.inventories.filter(
    (inv) => scope.kind === 'all' || scope.names.includes(inv.project)
  );
  if (scope.kind === 'all' && input.projectListError !== undefined) {
    plan.unknownScopes.push({
      target: target.name,
      policy: policy.name,
      destinationPrefix: destinationPrefix(policy, undefined),
      reason: input.projectListError.message,
    });
  }
  for (const inv of inScope) {
    if (!inv.complete) {
      plan.unknownScopes.push({
        target: target.name,
        policy: policy.name,
        sourceProject: inv.project,
        destinationPrefix: destinationPrefix(policy, inv.project),
        reason: inv.error.message,
      });
    }
  }

  const incomplete = new Map(
    inScope.flatMap((inv) =>
      inv.complete ? [] : [[inv.project, inv.error.message] as const]
    )
  );
  const eventBased = policy.trigger.type === 'event_based';
  const filterScope = { artifacts: inScope.flatMap((inv) => inv.artifacts) };
  plan.warnings.push(
    ...filterWarnings(policy, target.name, filterScope, matching)
  );
  // What Harbor cannot run is kept as `cannotRun` refs (plan/policy-errors.ts), never dropped.
  let resources: SelectedResource[];
  let blocked: BlockedResource[] = [];
  try {
    resources = selectResources(filterScope.artifacts, policy.filters, {
      doublestar,
    });
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    const failure = filterFailure({
      policy,
      policyRef: ref,
      target: target.name,
      artifacts: inScope.flatMap((inv) => inv.artifacts),
      error: err,
      prefixOf: (project) => destinationPrefix(policy, project),
      options: { doublestar },
    });
    plan.policyErrors.push(...failure.errors);
    plan.unknownScopes.push(...failure.unknownScopes);
    resources = failure.runnable;
    blocked = failure.blocked;
  }

  const mapped: {
    source: string;
    destination: string;
    artifacts: SelectedArtifact[];
    cannotRun?: string;
  }[] = [];
  for (const res of resources) {
    const dst = replaceNamespace(
      res.repository,
      policy.destNamespace,
      policy.destNamespaceReplaceCount,
      pathType
    );
    if (!dst.ok) {
      plan.policyErrors.push({
        target: target.name,
        policy: ref,
        kind: 'flattening',
        ...(eventBased ? { repository: res.repository } : {}),
        message: dst.error,
      });
      // A manual or scheduled execution stops at the first error and copies nothing.
      if (!eventBased) {
        blocked = resources.map((resource) => ({
          resource,
          reason: dst.error,
        }));
        mapped.length = 0;
        break;
      }
      blocked.push({ resource: res, reason: dst.error });
      continue;
    }
    mapped.push({
      source: res.repository,
      destination: dst.repository,
      artifacts: res.artifacts,
    });
  }

  for (const b of blocked) {
    const dst = replaceNamespace(
      b.resource.repository,
      policy.destNamespace,
      policy.destNamespaceReplaceCount,
      pathType
    );
    if (dst.ok) {
      mapped.push({
        source: b.resource.repository,
        destination: dst.repository,
        artifacts: b.resource.artifacts,
        cannotRun: b.reason,
      });
      continue;
    }
    // No destination name at all: listed under the source repository, never observed.
    const reason =
      dst.error === b.reason ? b.reason : `${b.reason}; ${dst.error}`;
    const unknownReason = incomplete.get(projectOfRepo(b.resource.repository));
    for (const selected of b.resource.artifacts) {
      for (const r of refsOf(
        selected,
        b.resource.repository,
        b.resource.repository,
        target.name,
        ref
      )) {
        plan.unplaceable.push({
          ...r,
          cannotRun: reason,
          ...(unknownReason === undefined ? {} : { unknownReason }),
        });
      }
    }
  }

  const proxyCache = new Set(
    registryType === 'harbor' ? (target.proxyCacheProjects ?? []) : []
  );
  const warnedProxy = new Set<string>();
  for (const m of mapped) {
    const project = m.destination.split('/')[0] ?? '';
    if (proxyCache.has(project)) {
      if (!warnedProxy.has(project)) {
        warnedProxy.add(project);
        plan.warnings.push({
          code: 'proxy-cache-destination',
          target: target.name,
          policy: policy.name,
          message: `destination project ${JSON.stringify(project)} is a proxy-cache project: Harbor skips these resources, nothing is replicated there`,
        });
      }
      continue;
    }
    const unknownReason = incomplete.get(projectOfRepo(m.source));
    const into = m.cannotRun === undefined ? set : entry.blocked;
    for (const selected of m.artifacts) {
      for (const r of refsOf(
        selected,
        m.source,
        m.destination,
        target.name,
        ref
      )) {
        into.add({
          ...r,
          ...(unknownReason === undefined ? {} : { unknownReason }),
          ...(m.cannotRun === undefined ? {} : { cannotRun: m.cannotRun }),
        });
      }
    }
  }

  if (policy.deletion && eventBased && policy.enabled) {
    plan.deletionRules.push(
      deletionRule(policy, ref, pathType, inScope, registryType, doublestar)
    );
  }
}

function projectOfRepo(repository: string): string {
  return repository.split('/')[0] ?? '';
}

function deletionRule(
  policy: ReplicationPolicy,
  ref: ExpectedRef['policy'],
  pathType: PathType,
  inScope: readonly ProjectInventory[],
  registryType: string,
  doublestar: DoublestarVersion
): DeletionRule {
  const repos = [
    ...new Set(
      inScope.flatMap((inv) => inv.artifacts.map((a) => a.repository))
    ),
  ];
  let reached: string[];
  try {
    reached = filterRepositories(repos, policy.filters, { doublestar });
  } catch {
    reached = [];
  }
  const sources: DeletionRule['sources'] = [];
  for (const source of reached) {
    const dst = replaceNamespace(
      source,
      policy.destNamespace,
      policy.destNamespaceReplaceCount,
      pathType
    );
    if (dst.ok) sources.push({ source, destination: dst.repository });
  }
  return {
    policy: ref,
    filters: policy.filters,
    destNamespace: policy.destNamespace,
    replaceCount: policy.destNamespaceReplaceCount,
    pathType,
    registryType,
    doublestar,
    sources,
  };
}

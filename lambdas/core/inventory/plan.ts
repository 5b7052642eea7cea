/**
 * The expected set: what each policy should have put on each target (harbor-semantics
 * §5.8), computed from the primary's inventory with Harbor's own filter and naming rules.
 */
import {
  FilterError,
  filterRepositories,
  selectResources,
} from '../harbor/filters';
import type { SelectedArtifact } from '../harbor/filters';
import {
  goPathClean,
  goPathJoin,
  pathTypeOf,
  replaceNamespace,
} from '../harbor/flatten';
import type { PathType } from '../harbor/flatten';
import type {
  ExpectedRef,
  HarborArtifact,
  PolicyFilter,
  ProjectInventory,
  ReplicationPolicy,
  Shard,
  TargetKind,
} from '../model';
import type { CollisionCandidate, ScopeError } from '../report/schema';
import { isSpecificPathComponent } from '../harbor/pattern';

/** Code-unit order: deterministic, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Which source projects a policy reads: a list of names, or every visible project. */
export type PolicyScope =
  { kind: 'all' } | { kind: 'projects'; names: string[] };

/** A configured target, as the plan needs it. */
export interface PlanTarget {
  name: string;
  kind: TargetKind;
  /** Harbor targets: names of proxy-cache projects (Harbor never replicates into them). */
  proxyCacheProjects?: string[];
}

/** A policy already mapped to the target that its destination registry is. */
export interface PolicyBinding {
  policy: ReplicationPolicy;
  target: string;
}

export interface PlanInput {
  bindings: readonly PolicyBinding[];
  targets: readonly PlanTarget[];
  /**
   * The primary's projects: one entry for every project that was listed (a project that
   * does not exist is simply absent; one that failed must be here with complete: false).
   */
  inventories: readonly ProjectInventory[];
  /** Set when the primary's project list itself could not be read completely. */
  projectListError?: ScopeError;
}

/** A destination area whose expected content is not fully known. */
export interface UnknownScope {
  target: string;
  policy: string;
  /** The source project that could not be listed; absent when the project list failed. */
  sourceProject?: string;
  /** Destination repositories starting with this prefix ('' = the whole target). */
  destinationPrefix: string;
  reason: string;
}

/** A policy that Harbor cannot run (the execution fails): it replicates nothing. */
export interface PolicyError {
  target: string;
  policy: ExpectedRef['policy'];
  kind: 'flattening' | 'filter';
  /** Set when only this source repository fails (event-based policies). */
  repository?: string;
  message: string;
}

export type PlanWarningCode =
  | 'disabled-policy'
  | 'event-label-filter'
  | 'deletion-unsupported'
  | 'deletion-without-events'
  | 'proxy-cache-destination'
  | 'pull-mode'
  | 'unknown-target';

/** Something the auditor cannot fix but the user must know. */
export interface PlanWarning {
  code: PlanWarningCode;
  target: string;
  policy: string;
  message: string;
}

/**
 * Where a deletion-replicating policy would have deleted: the diff calls a ref on the
 * target `orphaned` when such a rule covers it and the primary no longer holds it.
 */
export interface DeletionRule {
  policy: ExpectedRef['policy'];
  filters: PolicyFilter[];
  destNamespace: string;
  replaceCount: number;
  pathType: PathType;
  /** Every primary repository in the policy's reach and its destination. */
  sources: { source: string; destination: string }[];
}

/** What the primary holds, indexed for the orphan check. */
export interface PrimaryIndex {
  projectListComplete: boolean;
  projects: {
    name: string;
    complete: boolean;
    reason?: string;
    repositories: { name: string; tags: string[]; digests: string[] }[];
  }[];
}

/** The plan of one target. */
export interface TargetPlan {
  target: string;
  kind: TargetKind;
  /** One per destination (repository, reference); colliding ones carry `collision`. */
  expected: ExpectedRef[];
  /** The expected refs that carry a collision (also in `expected`). */
  collisions: ExpectedRef[];
  unknownScopes: UnknownScope[];
  policyErrors: PolicyError[];
  deletionRules: DeletionRule[];
  warnings: PlanWarning[];
}

export interface PlanResult {
  targets: TargetPlan[];
  /** Warnings about bindings to targets that are not configured. */
  warnings: PlanWarning[];
  primary: PrimaryIndex;
}

/** Registry adapters that implement tag deletion (`DeleteTag`). */
const TAG_DELETING_TYPES = new Set([
  'harbor',
  'aws-ecr',
  'azure-acr',
  'google-gcr',
  'volcengine-cr',
]);

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

/** Indexes the primary inventory (tags and every digest per repository). */
export function indexPrimary(
  inventories: readonly ProjectInventory[],
  projectListError?: ScopeError
): PrimaryIndex {
  return {
    projectListComplete: projectListError === undefined,
    projects: inventories.map((inv) => {
      const repos = new Map<
        string,
        { tags: Set<string>; digests: Set<string> }
      >();
      for (const a of inv.artifacts) {
        let r = repos.get(a.repository);
        if (!r) {
          r = { tags: new Set(), digests: new Set() };
          repos.set(a.repository, r);
        }
        for (const t of a.tags) r.tags.add(t.name);
        r.digests.add(a.digest);
        for (const c of a.childDigests) r.digests.add(c);
        for (const x of a.accessories) {
          r.digests.add(x.digest);
          for (const t of x.tags ?? []) r.tags.add(t);
        }
      }
      return {
        name: inv.project,
        complete: inv.complete,
        ...(inv.complete ? {} : { reason: inv.error.message }),
        repositories: [...repos].map(([name, r]) => ({
          name,
          tags: [...r.tags].sort(),
          digests: [...r.digests].sort(),
        })),
      };
    }),
  };
}

function policyRef(p: ReplicationPolicy): ExpectedRef['policy'] {
  return { id: p.id, name: p.name, override: p.override, deletion: p.deletion };
}

function registryTypeOf(policy: ReplicationPolicy, target: PlanTarget): string {
  return (
    policy.destRegistry?.type ??
    (target.kind === 'harbor' ? 'harbor' : 'docker-registry')
  );
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

function warningsFor(
  policy: ReplicationPolicy,
  target: string,
  registryType: string
): PlanWarning[] {
  const out: PlanWarning[] = [];
  const w = (code: PlanWarningCode, message: string) => {
    out.push({ code, target, policy: policy.name, message });
  };
  if (!policy.enabled) {
    w(
      'disabled-policy',
      'the policy is disabled: Harbor replicates nothing for it until it is enabled; its refs are still expected because the configuration lists it'
    );
  }
  const labels = policy.filters.some(
    (f) => f.type === 'label' && Array.isArray(f.value) && f.value.length > 0
  );
  if (policy.trigger.type === 'event_based' && labels) {
    w(
      'event-label-filter',
      'event-based rule with a label filter: a push event carries the labels present at push time, so labels added later never trigger replication (goharbor/harbor#11565)'
    );
  }
  if (policy.deletion && !TAG_DELETING_TYPES.has(registryType)) {
    w(
      'deletion-unsupported',
      `deletion is on but the ${registryType} adapter cannot delete tags: tag deletions fail ("the tag deletion isn't supported"), artifact deletions remove the manifest by digest`
    );
  }
  if (policy.deletion && policy.trigger.type !== 'event_based') {
    w(
      'deletion-without-events',
      `deletion is on but the trigger is ${policy.trigger.type}: Harbor replicates deletions only from events, so deleted content stays on the target`
    );
  }
  return out;
}

function refsOf(
  selected: SelectedArtifact,
  source: string,
  destination: string,
  target: string,
  policy: ExpectedRef['policy']
): ExpectedRef[] {
  const root: HarborArtifact = selected.root;
  const acc = selected.accessory;
  const base = {
    target,
    repository: destination,
    digest: selected.digest,
    manifestMediaType: acc
      ? (acc.manifestMediaType ?? '')
      : root.manifestMediaType,
    childDigests: acc ? [] : [...root.childDigests],
    policy,
  };
  const pushTime = acc ? (acc.pushTime ?? root.pushTime) : root.pushTime;
  const accessoryOf = acc
    ? { accessoryOf: { digest: acc.subjectDigest, type: acc.type } }
    : {};
  const timed = (t?: string) => (t === undefined ? {} : { pushTime: t });
  if (selected.tags.length === 0) {
    return [
      {
        ...base,
        reference: selected.digest,
        byDigest: true,
        source: {
          repository: source,
          reference: selected.digest,
          ...timed(pushTime),
          ...accessoryOf,
        },
      },
    ];
  }
  return selected.tags.map((tag) => ({
    ...base,
    reference: tag,
    byDigest: false,
    source: {
      repository: source,
      reference: tag,
      ...timed(
        acc
          ? pushTime
          : (root.tags.find((t) => t.name === tag)?.pushTime ?? pushTime)
      ),
      ...accessoryOf,
    },
  }));
}

/** Collects refs per target: first one wins, different digests become a collision. */
class ExpectedSet {
  private readonly refs = new Map<string, ExpectedRef>();

  add(ref: ExpectedRef): void {
    const key = `${ref.repository}\n${ref.reference}`;
    const first = this.refs.get(key);
    if (first === undefined) {
      this.refs.set(key, ref);
      return;
    }
    if (first.digest === ref.digest) {
      // Same content from two sources: only an unknown source can weaken it.
      if (
        first.unknownReason !== undefined &&
        ref.unknownReason === undefined
      ) {
        this.refs.set(key, {
          ...ref,
          ...(first.collision ? { collision: first.collision } : {}),
        });
      }
      return;
    }
    const candidate = (r: ExpectedRef): CollisionCandidate => ({
      digest: r.digest,
      source: r.source,
      policy: r.policy,
    });
    const candidates = first.collision ?? [candidate(first)];
    if (!candidates.some((c) => c.digest === ref.digest)) {
      candidates.push(candidate(ref));
    }
    first.collision = candidates;
  }

  list(): ExpectedRef[] {
    return [...this.refs.values()].sort(
      (a, b) =>
        compareText(a.repository, b.repository) ||
        compareText(a.reference, b.reference)
    );
  }
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
  const plans = new Map<string, { plan: TargetPlan; set: ExpectedSet }>();
  for (const t of input.targets) {
    plans.set(t.name, {
      plan: {
        target: t.name,
        kind: t.kind,
        expected: [],
        collisions: [],
        unknownScopes: [],
        policyErrors: [],
        deletionRules: [],
        warnings: [],
      },
      set: new ExpectedSet(),
    });
  }
  const globalWarnings: PlanWarning[] = [];

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
    planBinding(policy, target, input, entry);
  }

  return {
    targets: [...plans.values()].map(({ plan, set }) => {
      const expected = set.list();
      return {
        ...plan,
        expected,
        collisions: expected.filter((r) => r.collision !== undefined),
      };
    }),
    warnings: globalWarnings,
    primary: indexPrimary(input.inventories, input.projectListError),
  };
}

function planBinding(
  policy: ReplicationPolicy,
  target: PlanTarget,
  input: PlanInput,
  entry: { plan: TargetPlan; set: ExpectedSet }
): void {
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
  let resources;
  try {
    resources = selectResources(
      inScope.flatMap((inv) => inv.artifacts),
      policy.filters
    );
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    plan.policyErrors.push({
      target: target.name,
      policy: ref,
      kind: 'filter',
      message: err.message,
    });
    return;
  }

  const eventBased = policy.trigger.type === 'event_based';
  const mapped: {
    source: string;
    destination: string;
    artifacts: SelectedArtifact[];
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
      if (!eventBased) return;
      continue;
    }
    mapped.push({
      source: res.repository,
      destination: dst.repository,
      artifacts: res.artifacts,
    });
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
    const unknownReason = incomplete.get(m.source.split('/')[0] ?? '');
    for (const selected of m.artifacts) {
      for (const r of refsOf(
        selected,
        m.source,
        m.destination,
        target.name,
        ref
      )) {
        set.add(unknownReason === undefined ? r : { ...r, unknownReason });
      }
    }
  }

  if (policy.deletion && eventBased && policy.enabled) {
    plan.deletionRules.push(deletionRule(policy, ref, pathType, inScope));
  }
}

function deletionRule(
  policy: ReplicationPolicy,
  ref: ExpectedRef['policy'],
  pathType: PathType,
  inScope: readonly ProjectInventory[]
): DeletionRule {
  const repos = [
    ...new Set(
      inScope.flatMap((inv) => inv.artifacts.map((a) => a.repository))
    ),
  ];
  let reached: string[];
  try {
    reached = filterRepositories(repos, policy.filters);
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
    sources,
  };
}

/** The destination project (first path component) of a repository. */
export function projectOf(repository: string): string {
  return repository.split('/')[0] ?? '';
}

/** Splits a target's expected refs into shards (target, destination project). */
export function shardsOf(
  plan: TargetPlan
): { shard: Shard; expected: ExpectedRef[] }[] {
  const byProject = new Map<string, ExpectedRef[]>();
  for (const r of plan.expected) {
    const p = projectOf(r.repository);
    const list = byProject.get(p);
    if (list) list.push(r);
    else byProject.set(p, [r]);
  }
  return [...byProject]
    .sort(([a], [b]) => compareText(a, b))
    .map(([project, expected]) => ({
      shard: { target: plan.target, project },
      expected,
    }));
}

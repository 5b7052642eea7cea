/**
 * Compares a shard's expected refs with what the target holds: one finding per expected
 * ref, plus what the target holds and nobody expects (orphaned or unexpected).
 */
import type {
  ExpectedRef,
  ObservedRef,
  TargetTraits,
  UnobservedRepository,
} from '../model';
import type { Finding } from '../report/schema';
import { expectedEvidence, observedEvidence } from './evidence';
import { classifyExtra } from './target-refs';
import { cannotRunFinding } from './cannot-run';
import { compareText } from './order';
import { projectOf } from './plan/shards';
import type {
  DeletionRule,
  PlanResult,
  PrimaryIndex,
  UnknownScope,
} from './plan/types';
import type { ObservedRepository } from '../ports';

/** What the diff needs besides the two sides. */
export interface DiffContext {
  target: string;
  traits: TargetTraits;
  /** Destination areas whose expected content is not fully known (from the plan). */
  unknownScopes: readonly UnknownScope[];
  /** Deletion-replicating policies of this target (from the plan). */
  deletionRules: readonly DeletionRule[];
  primary: PrimaryIndex;
}

/** What was seen of a shard: per repository, or nothing at all (with the reason). */
export type ShardObservation =
  readonly (ObservedRepository | UnobservedRepository)[] | { unknown: string };

/**
 * Whether a deletion-replicating policy could have left orphans in `project` of the target.
 * Expected refs are checked one by one, but a repository deleted on the primary is found only
 * by listing the project's repositories: where this holds and the target cannot list them
 * (a registry without a catalog), the shard cannot be called audited.
 */
export function orphansPossibleIn(
  context: DiffContext,
  project: string
): boolean {
  return context.deletionRules.some(
    (rule) =>
      rule.sources.some((s) => projectOf(s.destination) === project) ||
      (rule.destNamespace !== '' && projectOf(rule.destNamespace) === project)
  );
}

/** The diff context of one target of a plan. */
export function diffContextFor(plan: PlanResult, target: string): DiffContext {
  const t = plan.targets.find((x) => x.target === target);
  if (t === undefined) throw new Error(`no plan for target ${target}`);
  return {
    target,
    traits: t.traits,
    unknownScopes: t.unknownScopes,
    deletionRules: t.deletionRules,
    primary: plan.primary,
  };
}

const NEVER_CONVERGES = 'override is off: this tag will never converge';
const WILL_CONVERGE =
  'override is on: the next replication run overwrites it (or a run is pending)';

function isUnobserved(
  r: ObservedRepository | UnobservedRepository
): r is UnobservedRepository {
  return 'reason' in r;
}

/** Everything observed in one repository, indexed. */
class RepoView {
  readonly tags = new Map<string, ObservedRef>();
  readonly digests = new Map<string, ObservedRef>();
  readonly children = new Set<string>();

  constructor(readonly repo: ObservedRepository) {
    for (const r of repo.refs) {
      if (!r.byDigest) this.tags.set(r.reference, r);
      if (!this.digests.has(r.digest)) this.digests.set(r.digest, r);
      for (const c of r.childDigests ?? []) this.children.add(c);
    }
  }

  holds(digest: string): boolean {
    return this.digests.has(digest) || this.children.has(digest);
  }
}

function describeCandidates(ref: ExpectedRef): string {
  const parts = (ref.collision ?? []).map(
    (c) =>
      `${c.digest} from ${c.source.repository}:${c.source.reference} (policy ${c.policy.name})`
  );
  return (
    `${parts.length.toString()} sources expect different digests here: ${parts.join('; ')}. ` +
    'With override on the last copy wins, with override off the first stays'
  );
}

/** The finding of an expected ref (of a policy that cannot run: see cannot-run.ts). */
function diffExpected(
  ref: ExpectedRef,
  view: RepoView | { reason: string } | undefined,
  traits: TargetTraits
): Finding {
  return cannotRunFinding(ref, diffRunnable(ref, view, traits));
}

function diffRunnable(
  ref: ExpectedRef,
  view: RepoView | { reason: string } | undefined,
  traits: TargetTraits
): Finding {
  const base = expectedEvidence(ref);
  if (ref.unknownReason !== undefined) {
    return {
      state: 'unknown',
      ...base,
      detail: `source not fully listed: ${ref.unknownReason}`,
    };
  }
  if (view === undefined) {
    return {
      state: 'unknown',
      ...base,
      detail: 'the repository was not observed',
    };
  }
  if ('reason' in view) {
    return {
      state: 'unknown',
      ...base,
      detail: `observation failed: ${view.reason}`,
    };
  }
  const observed = ref.byDigest
    ? view.digests.get(ref.digest)
    : view.tags.get(ref.reference);

  if (ref.collision !== undefined) {
    return {
      state: 'collision',
      ...base,
      ...(observed ? observedEvidence(observed) : {}),
      candidates: ref.collision,
      detail: describeCandidates(ref),
    };
  }

  if (observed === undefined) {
    const subject = ref.source.accessoryOf?.digest;
    if (view.repo.exists && subject !== undefined && view.holds(subject)) {
      return {
        state: 'accessory-missing',
        ...base,
        missingDigests: [ref.digest],
        detail: `the ${ref.source.accessoryOf?.type ?? 'accessory'} of ${subject} is absent while its subject is present`,
      };
    }
    return {
      state: 'missing',
      ...base,
      detail: view.repo.exists
        ? 'not on the target'
        : 'the repository does not exist on the target',
    };
  }

  if (observed.digest !== ref.digest) {
    return {
      state: 'digest-mismatch',
      ...base,
      ...observedEvidence(observed),
      detail: ref.policy.override ? WILL_CONVERGE : NEVER_CONVERGES,
    };
  }

  if (ref.childDigests.length > 0) {
    if (observed.childDigests === undefined) {
      return {
        state: 'unknown',
        ...base,
        ...observedEvidence(observed),
        detail: 'the index children were not observed',
      };
    }
    const present = new Set(observed.childDigests);
    const missing = ref.childDigests.filter((c) => !present.has(c)).sort();
    if (missing.length > 0) {
      return {
        state: 'index-children-missing',
        ...base,
        ...observedEvidence(observed),
        missingDigests: missing,
        detail:
          traits.indexChildren === 'references'
            ? `${missing.length.toString()} index children are not among the index's references on the target`
            : `${missing.length.toString()} index children are not served by the target`,
      };
    }
  }
  // The digests are equal: the finding keeps the plan's copy of the string, so that the
  // observed one goes with the observation (100,000 synced findings hold 8 MiB less).
  return {
    state: 'synced',
    ...base,
    ...observedEvidence(observed),
    observedDigest: ref.digest,
  };
}

function inUnknownScope(
  repository: string,
  scopes: readonly UnknownScope[]
): boolean {
  return scopes.some((s) => repository.startsWith(s.destinationPrefix));
}

function order(a: Finding, b: Finding): number {
  return (
    compareText(a.repository, b.repository) ||
    compareText(a.reference, b.reference) ||
    compareText(a.state, b.state)
  );
}

/**
 * One finding per expected ref (synced, missing, digest-mismatch, index-children-missing,
 * accessory-missing, collision, unknown), then the refs on the target that nobody expects
 * (orphaned when a deletion-replicating policy covers them, the primary lost them and Harbor
 * could have deleted them: not untagged GC leftovers, not tags on a target that cannot delete
 * tags; unexpected otherwise, unknown when that cannot be told). Never `synced` for a ref whose
 * repository was not observed or whose source was not fully listed.
 */
export function diffShard(
  expected: readonly ExpectedRef[],
  observed: ShardObservation,
  context: DiffContext
): Finding[] {
  if ('unknown' in observed) {
    return expected
      .map((ref): Finding => ({
        state: 'unknown',
        ...expectedEvidence(ref),
        detail: `observation failed: ${observed.unknown}`,
      }))
      .sort(order);
  }
  const views = new Map<string, RepoView | { reason: string }>();
  for (const r of observed) {
    views.set(
      r.repository,
      isUnobserved(r) ? { reason: r.reason } : new RepoView(r)
    );
  }

  const findings = expected.map((ref) =>
    diffExpected(ref, views.get(ref.repository), context.traits)
  );

  const expectedByRepo = new Map<
    string,
    { refs: Set<string>; digests: Set<string> }
  >();
  for (const ref of expected) {
    let e = expectedByRepo.get(ref.repository);
    if (!e) {
      e = { refs: new Set(), digests: new Set() };
      expectedByRepo.set(ref.repository, e);
    }
    e.refs.add(ref.reference);
    e.digests.add(ref.digest);
    for (const c of ref.childDigests) e.digests.add(c);
    for (const c of ref.collision ?? []) e.digests.add(c.digest);
  }
  for (const r of observed) {
    if (isUnobserved(r) || !r.exists) continue;
    if (inUnknownScope(r.repository, context.unknownScopes)) continue;
    const e = expectedByRepo.get(r.repository);
    for (const o of r.refs) {
      if (!o.byDigest && e?.refs.has(o.reference)) continue;
      // A bare digest that some expected ref (tag, child, accessory) accounts for.
      if (o.byDigest && e?.digests.has(o.digest)) continue;
      findings.push(classifyExtra(o, r.repository, context));
    }
  }
  return findings.sort(order);
}

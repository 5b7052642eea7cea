/** What the plan takes and gives: its input, the expected set per target and the gaps in it. */
import type { PathType } from '../../harbor/flatten';
import type { DoublestarVersion } from '../../harbor/pattern';
import type {
  ExpectedRef,
  PolicyFilter,
  ProjectInventory,
  ReplicationPolicy,
  TargetKind,
  TargetTraits,
} from '../../model';
import type { Matching, ScopeError } from '../../report/schema';

/** Which source projects a policy reads: a list of names, or every visible project. */
export type PolicyScope =
  { kind: 'all' } | { kind: 'projects'; names: string[] };

/** A configured target, as the plan needs it. */
export interface PlanTarget {
  name: string;
  kind: TargetKind;
  traits: TargetTraits;
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
  /**
   * The doublestar the primary's release links (see resolveMatching).
   * @default v1.3.4, as a guess (source `default`)
   */
  matching?: Matching;
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
  | 'unknown-target'
  | 'regex-filter'
  | 'event-accessory-tag'
  | 'doublestar-guess'
  | 'doublestar-upgrade';

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
  /** Harbor's adapter type of the destination: what it can delete (tags or not). */
  registryType: string;
  /** How the filters are read. @default v1.3.4 */
  doublestar?: DoublestarVersion;
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
  traits: TargetTraits;
  /** One per destination (repository, reference); colliding ones carry `collision`. */
  expected: ExpectedRef[];
  /** The expected refs that carry a collision (also in `expected`). */
  collisions: ExpectedRef[];
  unknownScopes: UnknownScope[];
  policyErrors: PolicyError[];
  /**
   * Refs of a policy that cannot run whose source repository has no destination name (the
   * flattening error itself): `repository` is the source repository; never observed, missing.
   */
  unplaceable: ExpectedRef[];
  deletionRules: DeletionRule[];
  warnings: PlanWarning[];
}

export interface PlanResult {
  targets: TargetPlan[];
  /** Warnings about bindings to targets that are not configured. */
  warnings: PlanWarning[];
  primary: PrimaryIndex;
  /** Which doublestar the filters were read with, and why (planExpected always sets it). */
  matching?: Matching;
}

import type {
  CollisionCandidate,
  FindingSource,
  PolicyRef,
  ScopeError,
} from './report/schema';
/**
 * The domain model, in the design's vocabulary. Adapters map upstream payloads (Harbor API,
 * OCI registries) into these types; the core never sees raw API shapes. What a report
 * carries (findings, counts, verdicts, scope errors) is typed by the report's schema.
 */

/**
 * The kinds of registry that receive replicas: config, report and the drivers of
 * compose/drivers.ts (a Record over this type) all take the list from here.
 */
export const TARGET_KINDS = ['harbor', 'distribution'] as const;

/** A configured registry that receives replicas. */
export type TargetKind = (typeof TARGET_KINDS)[number];

/**
 * What the core needs to know of a target's kind, so that it never asks for the kind: each
 * kind's driver (compose/drivers) sets them, and the target carries them.
 */
export interface TargetTraits {
  /** Harbor's adapter type for the target, for a policy whose destination names none. */
  registryType: 'harbor' | 'docker-registry';
  /** No push times on the target: replication delays come from when a run first saw a ref. */
  firstSeenDelays: boolean;
  /** The target has a Harbor API: its own policies, identity, health and metadata. */
  harborApi: boolean;
  /** How an index's children are seen: among its references (Harbor API), or as served. */
  indexChildren: 'references' | 'served';
}

/** A registry endpoint as the primary Harbor knows it (Harbor API: Registry). */
export interface RegistryEndpoint {
  /** 0 for the local Harbor itself. */
  id: number;
  name: string;
  /** Harbor adapter type: `harbor`, `docker-registry`, `docker-hub`, ... */
  type: string;
  /** Without a trailing slash. */
  url: string;
  /** Harbor's `insecure`: true means TLS verification is skipped. */
  insecure: boolean;
}

/** One filter of a replication policy (harbor-semantics §5.4). */
export interface PolicyFilter {
  type: 'name' | 'tag' | 'label' | 'resource';
  /** A pattern for name/tag/resource; label names for label filters. */
  value: string | string[];
  decoration: 'matches' | 'excludes';
}

/** A Harbor replication rule (Harbor API: ReplicationPolicy). */
export interface ReplicationPolicy {
  id: number;
  name: string;
  enabled: boolean;
  /** The remote side; `null` on the local side (id 0). Push mode: src is local. */
  srcRegistry: RegistryEndpoint | null;
  destRegistry: RegistryEndpoint | null;
  /** Empty = keep the source path. */
  destNamespace: string;
  /** Flattening level (§5.3); -1 = flatten all (API default when omitted). */
  destNamespaceReplaceCount: number;
  trigger: { type: 'manual' | 'scheduled' | 'event_based'; cron?: string };
  filters: PolicyFilter[];
  override: boolean;
  /** Replicate deletions (`replicate_deletion` / `deletion`). */
  deletion: boolean;
  singleActiveReplication: boolean;
  creationTime?: string;
  updateTime?: string;
}

/** A tag of an artifact. */
export interface ArtifactTag {
  name: string;
  /** ISO 8601; set when the tag is created or moved. */
  pushTime?: string;
}

/** A Harbor accessory (signature, SBOM, ...) attached to a subject artifact. */
export interface Accessory {
  digest: string;
  /** `signature.cosign`, `signature.notation`, `sbom.harbor`, `subject.accessory`, ... */
  type: string;
  subjectDigest: string;
  /**
   * The accessory's own tags (usually none: then it is replicated by digest). Harbor
   * replicates an accessory with its own tags, never its subject's.
   */
  tags?: string[];
  /** The accessory's manifest media type, when the adapter knows it. */
  manifestMediaType?: string;
  /** ISO 8601 creation time (Harbor: `creation_time`), for evidence and RPO. */
  pushTime?: string;
}

/**
 * An artifact as Harbor lists it (primary, or a Harbor target), with what the replication
 * filters and the diff need.
 */
export interface HarborArtifact {
  /** Full repository name including the project: `library/a/b`. */
  repository: string;
  digest: string;
  /** The manifest media type (`application/vnd.oci.image.index.v1+json`, ...). */
  manifestMediaType: string;
  /** Harbor's artifact type: IMAGE, CHART, SBOM, ... */
  type: string;
  /** ISO 8601. */
  pushTime?: string;
  tags: ArtifactTag[];
  /** Label names. */
  labels: string[];
  /** Digests of index children (empty for a plain manifest). */
  childDigests: string[];
  /**
   * Every accessory reachable from this artifact: its own, those of its index children,
   * and accessories of accessories (each names its `subjectDigest`). Harbor's filters see
   * them all with this artifact's tags as parent tags and its labels.
   */
  accessories: Accessory[];
}

/** A Harbor project (only what the audit needs). */
export interface HarborProject {
  id: number;
  name: string;
  /** > 0 for a proxy-cache project: replication never writes into one. */
  registryId: number;
  public: boolean;
}

/** What a source project holds, or why it could not be listed completely. */
export type ProjectInventory =
  | { project: string; complete: true; artifacts: HarborArtifact[] }
  | {
      project: string;
      complete: false;
      artifacts: HarborArtifact[];
      error: ScopeError;
    };

/** One reference that a target must hold: a tag, or a digest for untagged content. */
export interface ExpectedRef {
  target: string;
  /** Destination repository (after namespace replacement / flattening). */
  repository: string;
  /** A tag name, or the digest itself for untagged artifacts and most accessories. */
  reference: string;
  byDigest: boolean;
  digest: string;
  manifestMediaType: string;
  /** Index children the target must hold under this repository. */
  childDigests: string[];
  source: FindingSource;
  policy: PolicyRef;
  /**
   * Set when the source side of this ref could not be seen completely (an incomplete
   * project listing): the diff reports the ref as `unknown` with this reason, never synced.
   */
  unknownReason?: string;
  /**
   * Set when the policy that expects this ref cannot run (a filter or flattening error
   * fails its execution): Harbor's reason. The ref never arrives through this policy.
   */
  cannotRun?: string;
  /**
   * Set when two or more sources put different digests under this same destination
   * ref (flattening, or overlapping policies): every candidate, this ref's own first.
   */
  collision?: CollisionCandidate[];
}

/** A repository whose observation failed: every expected ref in it becomes unknown. */
export interface UnobservedRepository {
  repository: string;
  /** Why it could not be observed (never a secret). */
  reason: string;
}

/** A tag (or bare digest) that a target really holds, with the digest it resolves to. */
export interface ObservedRef {
  repository: string;
  /** Tag name, or the digest for untagged content. */
  reference: string;
  byDigest: boolean;
  digest: string;
  mediaType?: string;
  /** Harbor targets: when replication pushed it (tag push time, else artifact push time). */
  pushTime?: string;
  /** Index children present (Harbor targets: from references; plain: checked by HEAD). */
  childDigests?: string[];
}

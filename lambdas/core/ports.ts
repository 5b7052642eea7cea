import type {
  ExpectedRef,
  HarborArtifact,
  HarborProject,
  ObservedRef,
  RegistryEndpoint,
  ReplicationPolicy,
} from './model';
import type { LeaseMarker, LeaseTiming } from './report/lease';
import type { Report, ReportKind } from './report/schema';
import type {
  AuditLogSummary,
  ConfigValues,
  MetaAllowlist,
  MetaGroup,
  MetaLabel,
  MetaMember,
  MetaProject,
  MetaQuota,
  MetaRegistry,
  MetaReplicationRule,
  MetaRetention,
  MetaRobot,
  MetaRule,
  MetaScanner,
  MetaUser,
  MetaWebhook,
} from './metadata/types';
import type {
  HarborHealth,
  HarborSystemInfo,
  StorageVolumes,
} from './readiness/probes';

/**
 * Who the credentials authenticate as (Harbor's GET /users/current: 200 user, 412 robot,
 * 401 rejected, which Harbor otherwise hides by treating bad credentials as anonymous).
 */
export type HarborIdentity =
  | { kind: 'user'; username: string; sysadmin: boolean }
  | { kind: 'robot' }
  | { kind: 'anonymous' };

/**
 * The read side of a Harbor's API v2.0 that the audit needs. Every method either returns the
 * complete answer (all pages) or throws a HarborDrError: never a partial list.
 */
export interface HarborApi {
  whoAmI(): Promise<HarborIdentity>;
  /**
   * The release (`GET /systeminfo` `harbor_version`, e.g. `v2.10.1-b7b88476`): it decides how
   * replication filters match. Null when not shown (to anonymous callers).
   */
  harborVersion(): Promise<string | null>;
  listPolicies(): Promise<ReplicationPolicy[]>;
  listRegistries(): Promise<RegistryEndpoint[]>;
  /** All projects the identity can see. */
  listProjects(): Promise<HarborProject[]>;
  /** One project by name, or null when absent (or invisible to the identity). */
  getProject(name: string): Promise<HarborProject | null>;
  /** Full repository names (`project/a/b`) of a project. */
  listRepositories(project: string): Promise<string[]>;
  /** Every artifact of a repository with tags, labels, children and accessories. */
  listArtifacts(repository: string): Promise<HarborArtifact[]>;
}

/** A manifest as a registry serves it. */
export interface ManifestInfo {
  digest: string;
  mediaType: string;
  size: number;
}

/**
 * The OCI distribution API of one registry. Methods throw a HarborDrError when the answer
 * could not be obtained; "not there" is a value (null), never an error.
 */
export interface RegistryApi {
  /** GET /v2/ (with the auth handshake). */
  ping(): Promise<void>;
  /** Every repository of the catalog (all pages), or null when the catalog is not offered. */
  listCatalog(): Promise<string[] | null>;
  /** Every tag of a repository (all pages), [] when it has none, null when it does not exist. */
  listTags(repository: string): Promise<string[] | null>;
  /** HEAD a manifest by tag or digest with the full Accept list; null on 404. */
  headManifest(
    repository: string,
    reference: string
  ): Promise<ManifestInfo | null>;
  /** Digests of the referrers of a manifest (OCI 1.1 API, or the tag-schema fallback). */
  listReferrers(repository: string, digest: string): Promise<string[]>;
}

/** Observed refs for a set of repositories on one target; built by an adapter per kind. */
export interface ObservedRepository {
  repository: string;
  /** false when the repository does not exist on the target. */
  exists: boolean;
  refs: ObservedRef[];
}

/** Time, injected so that the core stays deterministic. */
export interface Clock {
  now(): Date;
}

/** The human renderings of a report that are stored beside its JSON. */
export interface RenderedReport {
  markdown: string;
  html: string;
}

/** Where a report was written (URIs or paths). */
export interface ReportLocations {
  json: string;
  human: string;
  html: string;
  latest: string;
}

/** Where reports are kept (S3 in AWS, a directory locally). */
export interface ReportStore {
  /**
   * Writes the JSON, Markdown and HTML reports under the design's layout, then `latest.md`,
   * `latest.html`, and `latest.json` last. Resolves to the locations written.
   */
  save(report: Report, rendered: RenderedReport): Promise<ReportLocations>;
  /**
   * Earlier reports of a kind, newest first, at most `limit` (for trends, cooldowns and the
   * HTML report's history); only runs older than run id `before` when it is given.
   */
  recent(kind: ReportKind, limit: number, before?: string): Promise<Report[]>;
  /** One stored report of a kind by run id, or null when there is none. */
  read(kind: ReportKind, runId: string): Promise<Report | null>;
}

/**
 * The run lease's markers, kept beside the reports (`<prefix>/runs-active/<runId>.json`):
 * see core/report/lease.ts for the protocol and why it holds. The S3 and local directory
 * report stores implement it.
 */
export interface RunLease {
  /** The times the protocol relies on for this store (claim latency, clock skew). */
  readonly timing: LeaseTiming;
  /** Writes (or overwrites) a run's marker; resolves once a listing would show it. */
  claim(marker: LeaseMarker): Promise<void>;
  /** Every marker (all pages); objects that are not markers are ignored. */
  markers(): Promise<LeaseMarker[]>;
  /** Deletes a run's marker; a marker that is already gone is fine. */
  release(runId: string): Promise<void>;
}

/** A short message about a run, for people and for subscription filters. */
export interface Notification {
  /** At most 100 printable ASCII characters on one line (SNS's rule). */
  subject: string;
  /** Plain text, or the chat JSON (`notify.format: chat`). */
  body: string;
  attributes: {
    kind: ReportKind;
    verdict: Report['verdict'];
    /** `ok`, `problem` or `unknown`, for subscription filter policies. */
    severity: 'ok' | 'problem' | 'unknown';
    /** The worst target (the subject's), or `(none)` when every target is READY. */
    target: string;
    /** Every target that is not READY (empty when none). */
    targets: string[];
    /** `text` or `chat`: what the body is. */
    format: 'text' | 'chat';
  };
}

/** Where run summaries go (SNS in AWS, the terminal locally). */
export interface Notifier {
  publish(notification: Notification): Promise<void>;
  /**
   * The console page of a stored report's location (`s3://...`), when the notifier knows
   * the region (SNS: its topic's); undefined otherwise.
   */
  consoleUrl?(location: string): string | undefined;
}

/** How the audit sees one target, whatever its kind. Built by an adapter per kind. */
export interface TargetObserver {
  /**
   * Repositories the target holds under a destination project (namespace), or null when
   * the target cannot tell (a registry without a catalog). Used to find content nobody
   * expects; expected repositories are observed whether or not they are listed here.
   */
  listNamespace(project: string): Promise<string[] | null>;
  /** What the target holds in these repositories; throws when it cannot see all of it. */
  observe(
    repositories: readonly string[],
    expected: readonly ExpectedRef[]
  ): Promise<ObservedRepository[]>;
}

// Replication health and re-triggering (harbor-semantics §4): executions, tasks and their
// logs are read with the read credential; starts and stops may use an operator credential.

/** Harbor's execution statuses, as the API spells them. */
export type ExecutionStatus = 'InProgress' | 'Succeed' | 'Failed' | 'Stopped';

/** One replication execution (Harbor API: ReplicationExecution). */
export interface ReplicationExecution {
  id: number;
  policyId: number;
  status: ExecutionStatus;
  /** Harbor always sends it; often empty. */
  statusText: string;
  /** `manual`, `scheduled` or `event_based`. */
  trigger: string;
  /** ISO 8601; absent when Harbor sent none (or its zero time). */
  startTime?: string;
  endTime?: string;
  total: number;
  failed: number;
  succeed: number;
  inProgress: number;
  stopped: number;
}

/** Task statuses, as the API spells them. */
export type TaskStatus =
  'Pending' | 'InProgress' | 'Succeed' | 'Failed' | 'Stopped';

/** One task of an execution: one repository (Harbor API: ReplicationTask). */
export interface ReplicationTask {
  id: number;
  executionId: number;
  status: TaskStatus;
  /** `copy`, `deletion` or `tag deletion`. */
  operation: string;
  /** `"<repo> [<n> item(s) in total]"`. */
  srcResource: string;
  dstResource: string;
  startTime?: string;
  endTime?: string;
}

/** Which executions of a policy to list. */
export interface ExecutionQuery {
  status?: ExecutionStatus;
  trigger?: 'manual' | 'scheduled' | 'event_based';
  /**
   * Newest first; listing stops at the first execution that started before this time
   * (that one is still returned, so the latest execution is always known).
   */
  since?: Date;
  /** At most this many rows (newest first). */
  limit?: number;
}

/**
 * The read side of a Harbor's replication executions. Methods throw a HarborDrError when the
 * answer could not be obtained.
 */
export interface HarborReplicationApi {
  /** Executions of a policy, newest first. */
  listExecutions(
    policyId: number,
    query?: ExecutionQuery
  ): Promise<ReplicationExecution[]>;
  getExecution(id: number): Promise<ReplicationExecution>;
  /** Tasks of an execution, optionally of one status. */
  listTasks(
    executionId: number,
    status?: TaskStatus
  ): Promise<ReplicationTask[]>;
  /** The task's log, as plain text. */
  getTaskLog(executionId: number, taskId: number): Promise<string>;
}

/** What a POST /replication/executions answered. Never retried. */
export type StartExecutionResult =
  | { outcome: 'started'; executionId?: number }
  /** 401/403: the credential lacks the `replication create` permission. */
  | { outcome: 'permission-denied'; detail: string }
  /** 412: the policy is disabled; 404: it is gone; 400/409: refused. */
  | {
      outcome: 'rejected';
      status: number;
      detail: string;
    };

/** What a PUT /replication/executions/{id} (stop) answered. */
export type StopExecutionResult =
  | { outcome: 'stopped' }
  | { outcome: 'permission-denied'; detail: string }
  | { outcome: 'rejected'; status: number; detail: string };

/**
 * The write side: starting and stopping executions. Expected refusals are values; anything
 * else (5xx, no answer) throws, and a start that threw may or may not have happened.
 */
export interface HarborReplicationControl {
  startExecution(policyId: number): Promise<StartExecutionResult>;
  stopExecution(executionId: number): Promise<StopExecutionResult>;
}

/** The replication side of one Harbor (the primary, or a Harbor target for pull mode). */
export interface ReplicationEndpoint {
  read: HarborReplicationApi;
  control: HarborReplicationControl;
}

// --- metadata drift and readiness probes ---

/**
 * The metadata side of a Harbor's API v2.0 (harbor-semantics §6), one call per category read
 * (core/metadata/categories). Each method returns the complete answer or throws; no method
 * ever returns a secret.
 */
export interface HarborMetadataApi {
  configurations(): Promise<ConfigValues>;
  users(): Promise<MetaUser[]>;
  userGroups(): Promise<MetaGroup[]>;
  projects(): Promise<MetaProject[]>;
  members(project: MetaProject): Promise<MetaMember[]>;
  /** System robots. */
  systemRobots(): Promise<MetaRobot[]>;
  projectRobots(project: MetaProject): Promise<MetaRobot[]>;
  globalLabels(): Promise<MetaLabel[]>;
  projectLabels(project: MetaProject): Promise<MetaLabel[]>;
  /** null when the project has no retention policy. */
  retention(project: MetaProject): Promise<MetaRetention | null>;
  immutableRules(project: MetaProject): Promise<MetaRule[]>;
  quotas(): Promise<MetaQuota[]>;
  webhooks(project: MetaProject): Promise<MetaWebhook[]>;
  /** The scanner a project uses (its name), null when none. */
  projectScanner(project: MetaProject): Promise<string | null>;
  scanners(): Promise<MetaScanner[]>;
  systemCveAllowlist(): Promise<MetaAllowlist>;
  registries(): Promise<MetaRegistry[]>;
  replicationRules(): Promise<MetaReplicationRule[]>;
  auditLogSummary(): Promise<AuditLogSummary>;
}

/** What readiness probes on a Harbor beyond its metadata. Each method throws when unanswered. */
export interface HarborProbeApi {
  health(): Promise<HarborHealth>;
  systemInfo(): Promise<HarborSystemInfo>;
  storage(): Promise<StorageVolumes>;
}

/** What readiness reads from a Harbor: its metadata and its probes (health, version, storage). */
export type HarborReadApi = HarborMetadataApi & HarborProbeApi;

/**
 * Harbor metadata as the drift comparison sees it (harbor-semantics §6): every item is keyed
 * by its natural key (names), never by numeric ids, which differ between instances by design.
 * Nothing here ever holds a secret.
 */

/** Severity of a drift item: critical = a failover would lock people or clusters out. */
export type DriftSeverity = 'critical' | 'warning' | 'info';

/** One difference between the primary and a target, by natural key, in category `C`. */
export interface DriftItemOf<C extends string> {
  category: C;
  /** The natural key: `alice`, `team-a/bob`, `robot$team-a+ci`, `auth_mode`… */
  name: string;
  severity: DriftSeverity;
  /** What the primary has (never a secret). */
  primary?: string;
  /** What the target has (never a secret). */
  target?: string;
}

/** Configuration values as `GET /configurations` shows them, secrets removed. */
export type ConfigValues = Record<string, string | number | boolean | null>;

/** A Harbor user (`username` is the key). */
export interface MetaUser {
  username: string;
  email: string;
  realname: string;
  comment: string;
  sysadmin: boolean;
}

/** A user group: (type, name, LDAP DN) is the key. */
export interface MetaGroup {
  /** 1 LDAP, 2 HTTP, 3 OIDC. */
  type: number;
  name: string;
  ldapDn: string;
}

/** A project. `ref` addresses it on its own instance and is never compared. */
export interface MetaProject {
  name: string;
  ref: { id: number; retentionId?: number };
  /** > 0 for a proxy-cache project. */
  registryId: number;
  /** Every ProjectMetadata string (`public`, `auto_scan`, `severity`…) but `retention_id`. */
  metadata: Record<string, string>;
  cveAllowlist: { items: string[]; expiresAt: number | null };
}

/** A project member: (project, entity type, entity name) is the key. */
export interface MetaMember {
  project: string;
  entityType: 'u' | 'g';
  entityName: string;
  role: string;
}

/** A robot account (`name`, with its prefix, is the key). Its secret is never returned. */
export interface MetaRobot {
  name: string;
  level: string;
  disabled: boolean;
  /** Unix seconds; -1 = never. */
  expiresAt: number;
  /** Normalised `kind:namespace:resource:action[:effect]`, sorted. */
  permissions: string[];
}

/** A label: (scope, project, name) is the key. */
export interface MetaLabel {
  scope: 'g' | 'p';
  project: string;
  name: string;
  description: string;
  color: string;
}

/** A tag retention or immutability rule, normalised to a canonical string. */
export type MetaRule = string;

/** A project's tag retention policy. */
export interface MetaRetention {
  algorithm: string;
  rules: MetaRule[];
  trigger: string;
}

/** A project quota (`project` is the key). */
export interface MetaQuota {
  project: string;
  /** Bytes; -1 = unlimited. */
  storageLimit: number;
}

/** A webhook policy: (project, name) is the key. */
export interface MetaWebhook {
  project: string;
  name: string;
  enabled: boolean;
  eventTypes: string[];
  targets: {
    type: string;
    address: string;
    /** SHA-256 (hex) of the auth header, never the header. */
    authHeaderSha256: string | null;
    skipCertVerify: boolean;
    payloadFormat: string;
  }[];
}

/** A scanner registration (`name` is the key). */
export interface MetaScanner {
  name: string;
  url: string;
  auth: string;
  skipCertVerify: boolean;
  useInternalAddr: boolean;
  isDefault: boolean;
  disabled: boolean;
}

/** A CVE allowlist. */
export interface MetaAllowlist {
  items: string[];
  expiresAt: number | null;
}

/** A registry endpoint (`name` is the key); credentials are never read. */
export interface MetaRegistry {
  name: string;
  type: string;
  url: string;
  insecure: boolean;
}

/** A replication rule (`name` is the key), summarised. */
export interface MetaReplicationRule {
  name: string;
  enabled: boolean;
  srcRegistry: string | null;
  destRegistry: string | null;
  /** URL of the destination registry (to recognise rules that point at a target). */
  destUrl: string | null;
  srcUrl: string | null;
  destNamespace: string;
  trigger: string;
  filters: string;
  override: boolean;
  deletion: boolean;
}

/** How many audit log entries an instance holds, and the newest. */
export interface AuditLogSummary {
  total: number | null;
  latest: string | null;
  /**
   * Set when the instance has no audit-log extensions at all (`/auditlog-exts` exists only
   * from Harbor 2.13): why the category does not apply, which is not "unseen".
   */
  notApplicable?: string;
}

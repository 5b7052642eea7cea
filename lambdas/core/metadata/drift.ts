/**
 * Metadata drift: what a failover would lose because Harbor's replication copies only
 * artifacts (harbor-semantics §6). Both sides are compared by natural keys (names), never by
 * numeric ids, which differ between instances by design. Secrets are never read: the adapter
 * drops secret configuration keys and hands webhook auth headers over as SHA-256 hashes.
 */
import { errorMessage } from '../errors';
import { mapWithConcurrency } from '../../use-cases/limit';

/** The categories of metadata that are compared (issue 6, §6). */
export const DRIFT_CATEGORIES = [
  'auth',
  'configuration',
  'users',
  'user-groups',
  'projects',
  'project-settings',
  'members',
  'robots',
  'labels',
  'retention',
  'immutability',
  'quotas',
  'webhooks',
  'scanners',
  'cve-allowlist',
  'replication-endpoints',
  'replication-rules',
  'audit-logs',
] as const;

/** One category of metadata. */
export type DriftCategory = (typeof DRIFT_CATEGORIES)[number];

/** Severity of a drift item: critical = a failover would lock people or clusters out. */
export type DriftSeverity = 'critical' | 'warning' | 'info';

/** One difference between the primary and a target, by natural key. */
export interface DriftItem {
  category: DriftCategory;
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
}

/** Harbor's own health (`GET /health`). */
export interface HarborHealth {
  status: string;
  components: { name: string; status: string; error?: string }[];
}

/** The parts of `GET /systeminfo` readiness uses. */
export interface HarborSystemInfo {
  version: string | null;
  authMode: string | null;
  /** The instance's own clock (ISO). */
  currentTime: string | null;
  readOnly: boolean | null;
}

/** Local storage of an instance (`GET /systeminfo/volumes`), or null where it is not shown. */
export type StorageVolumes = { total: number; free: number }[] | null;

/**
 * The metadata side of a Harbor's API v2.0 (harbor-semantics §6). Each method returns the
 * complete answer or throws; no method ever returns a secret.
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
  health(): Promise<HarborHealth>;
  systemInfo(): Promise<HarborSystemInfo>;
  storage(): Promise<StorageVolumes>;
}

/** What one category holds on one instance, and what could not be read. */
export interface Seen<T> {
  items: T[];
  /** Why (part of) the category could not be read; empty when complete. */
  errors: string[];
}

/** Everything compared, for one instance. */
export interface MetadataSnapshot {
  configuration: Seen<[string, ConfigValues[string]]>;
  users: Seen<MetaUser>;
  groups: Seen<MetaGroup>;
  projects: Seen<MetaProject>;
  members: Seen<MetaMember>;
  robots: Seen<MetaRobot>;
  labels: Seen<MetaLabel>;
  retention: Seen<{ project: string; policy: MetaRetention | null }>;
  immutability: Seen<{ project: string; rules: MetaRule[] }>;
  quotas: Seen<MetaQuota>;
  webhooks: Seen<MetaWebhook>;
  projectScanners: Seen<{ project: string; scanner: string | null }>;
  scanners: Seen<MetaScanner>;
  systemAllowlist: Seen<MetaAllowlist>;
  registries: Seen<MetaRegistry>;
  replicationRules: Seen<MetaReplicationRule>;
  auditLogs: Seen<AuditLogSummary>;
}

async function seen<T>(read: () => Promise<T[]>): Promise<Seen<T>> {
  try {
    return { items: await read(), errors: [] };
  } catch (err) {
    return { items: [], errors: [errorMessage(err)] };
  }
}

/** Reads a per-project category over projects; a failed project is an error, not a gap. */
async function perProject<T>(
  projects: readonly MetaProject[],
  concurrency: number,
  read: (p: MetaProject) => Promise<T[]>
): Promise<Seen<T>> {
  const parts = await mapWithConcurrency(projects, concurrency, async (p) => {
    try {
      return { items: await read(p), error: undefined };
    } catch (err) {
      return { items: [] as T[], error: `${p.name}: ${errorMessage(err)}` };
    }
  });
  return {
    items: parts.flatMap((x) => x.items),
    errors: parts.flatMap((x) => (x.error === undefined ? [] : [x.error])),
  };
}

/**
 * Reads every compared category of one Harbor. A category that cannot be read (e.g. 403 on
 * `/configurations` for a robot) is recorded with its reason; nothing else fails.
 *
 * Primary course:
 * 1. read the system-wide categories;
 * 2. list the projects (not proxy caches), then read the per-project categories.
 */
export async function collectMetadata(
  api: HarborMetadataApi,
  options: { concurrency: number }
): Promise<MetadataSnapshot> {
  const c = Math.max(1, options.concurrency);
  const projects = await seen(() => api.projects());
  const regular = projects.items.filter((p) => p.registryId <= 0);
  const projectError = projects.errors.map((e) => `projects: ${e}`);
  const withProjectErrors = <T>(s: Seen<T>): Seen<T> => ({
    items: s.items,
    errors: [...projectError, ...s.errors],
  });
  const system = await seen(() => api.systemRobots());
  const projectRobots = await perProject(regular, c, (p) =>
    api.projectRobots(p)
  );
  const globalLabels = await seen(() => api.globalLabels());
  const projectLabels = await perProject(regular, c, (p) =>
    api.projectLabels(p)
  );
  return {
    configuration: await seen(async () =>
      Object.entries(await api.configurations())
    ),
    users: await seen(() => api.users()),
    groups: await seen(() => api.userGroups()),
    projects,
    members: withProjectErrors(
      await perProject(regular, c, (p) => api.members(p))
    ),
    robots: withProjectErrors({
      items: [...system.items, ...projectRobots.items],
      errors: [...system.errors, ...projectRobots.errors],
    }),
    labels: withProjectErrors({
      items: [...globalLabels.items, ...projectLabels.items],
      errors: [...globalLabels.errors, ...projectLabels.errors],
    }),
    retention: withProjectErrors(
      await perProject(regular, c, async (p) => [
        { project: p.name, policy: await api.retention(p) },
      ])
    ),
    immutability: withProjectErrors(
      await perProject(regular, c, async (p) => [
        { project: p.name, rules: await api.immutableRules(p) },
      ])
    ),
    quotas: await seen(() => api.quotas()),
    webhooks: withProjectErrors(
      await perProject(regular, c, (p) => api.webhooks(p))
    ),
    projectScanners: withProjectErrors(
      await perProject(regular, c, async (p) => [
        { project: p.name, scanner: await api.projectScanner(p) },
      ])
    ),
    scanners: await seen(() => api.scanners()),
    systemAllowlist: await seen(async () => [await api.systemCveAllowlist()]),
    registries: await seen(() => api.registries()),
    replicationRules: await seen(() => api.replicationRules()),
    auditLogs: await seen(async () => [await api.auditLogSummary()]),
  };
}

/** A category that could not be compared, and why: makes the drift verdict UNKNOWN. */
export interface UnseenCategory {
  category: DriftCategory;
  side: 'primary' | 'target';
  reason: string;
}

/** What the drift comparison of one target found. */
export interface DriftResult {
  drift: DriftItem[];
  unseen: UnseenCategory[];
  /** Categories compared completely on both sides. */
  compared: DriftCategory[];
}

/** Options of {@link diffMetadata}. */
export interface DiffMetadataOptions {
  now: Date;
  /** The target's URL as the primary's registries would name it (to skip "replicate to me"). */
  targetUrl: string;
  /** Robots expiring within this many days are reported. @default 14 */
  expirySoonDays?: number;
}

/** Configuration keys of authentication: a difference locks people out after a failover. */
const AUTH_KEY =
  /^(auth_mode|primary_auth_mode|oidc_|ldap_|http_authproxy_|uaa_)/;
/** Never compared, even if an upstream returns them (defence in depth; the adapter drops them). */
const SECRET_KEY = /(secret|password|passwd|credential)/i;

/**
 * Compares the primary's metadata with a Harbor target's, by natural key.
 * Missing on the target is what a failover loses; extra on the target is info.
 */
export function diffMetadata(
  primary: MetadataSnapshot,
  target: MetadataSnapshot,
  options: DiffMetadataOptions
): DriftResult {
  const drift: DriftItem[] = [];
  const unseen: UnseenCategory[] = [];
  const compared: DriftCategory[] = [];
  const both = <T>(
    categories: DriftCategory[],
    p: Seen<T>,
    t: Seen<T>,
    compare: (p: T[], t: T[]) => void
  ): void => {
    const problems = [
      ...p.errors.map((reason) => ({ side: 'primary' as const, reason })),
      ...t.errors.map((reason) => ({ side: 'target' as const, reason })),
    ];
    for (const category of categories) {
      for (const x of problems) unseen.push({ category, ...x });
    }
    // Partial lists still show what is missing, but never count as complete.
    if (problems.length === 0) compared.push(...categories);
    compare(p.items, t.items);
  };
  const add = (item: DriftItem): void => {
    drift.push(item);
  };

  both(
    ['auth', 'configuration'],
    primary.configuration,
    target.configuration,
    (p, t) => {
      diffConfiguration(
        new Map(p.filter(([k]) => !SECRET_KEY.test(k))),
        new Map(t.filter(([k]) => !SECRET_KEY.test(k))),
        add
      );
    }
  );
  both(['users'], primary.users, target.users, (p, t) => {
    diffKeyed(p, t, {
      category: 'users',
      key: (u) => u.username,
      fields: (u) => ({
        email: u.email,
        realname: u.realname,
        comment: u.comment,
        sysadmin: String(u.sysadmin),
      }),
      missing: () => 'critical',
      changed: (fields) => (fields.includes('sysadmin') ? 'critical' : 'info'),
      add,
    });
  });
  both(['user-groups'], primary.groups, target.groups, (p, t) => {
    diffKeyed(p, t, {
      category: 'user-groups',
      key: (g) =>
        `${groupType(g.type)}:${g.name}${g.ldapDn ? ` (${g.ldapDn})` : ''}`,
      fields: () => ({}),
      missing: () => 'warning',
      changed: () => 'info',
      add,
    });
  });
  const targetProjects = new Set(target.projects.items.map((p) => p.name));
  const primaryProjects = new Set(primary.projects.items.map((p) => p.name));
  const inBoth = (project: string): boolean =>
    targetProjects.has(project) && primaryProjects.has(project);
  both(
    ['projects', 'project-settings'],
    primary.projects,
    target.projects,
    (p, t) => {
      diffKeyed(
        p.filter((x) => x.registryId <= 0),
        t,
        {
          category: 'projects',
          key: (x) => x.name,
          fields: () => ({}),
          missing: () => 'critical',
          changed: () => 'info',
          add,
          extra: (x) =>
            x.registryId > 0
              ? undefined
              : { severity: 'info', text: 'present' },
        }
      );
      const tp = new Map(t.map((x) => [x.name, x]));
      for (const pp of p) {
        const tt = tp.get(pp.name);
        if (!tt || pp.registryId > 0) continue;
        diffFields(
          'project-settings',
          pp.name,
          projectSettings(pp),
          projectSettings(tt),
          (fields) => (fields.includes('public') ? 'critical' : 'warning'),
          add
        );
      }
    }
  );
  both(['members'], primary.members, target.members, (p, t) => {
    diffKeyed(
      p.filter((m) => inBoth(m.project)),
      t.filter((m) => inBoth(m.project)),
      {
        category: 'members',
        key: (m) =>
          `${m.project}/${m.entityType === 'g' ? 'group:' : ''}${m.entityName}`,
        fields: (m) => ({ role: m.role }),
        missing: () => 'critical',
        changed: () => 'critical',
        add,
      }
    );
  });
  const soonSeconds = (options.expirySoonDays ?? 14) * 86_400;
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  both(['robots'], primary.robots, target.robots, (p, t) => {
    const relevant = (r: MetaRobot): boolean => {
      const project = robotProject(r);
      return project === null || inBoth(project);
    };
    diffKeyed(p.filter(relevant), t.filter(relevant), {
      category: 'robots',
      key: (r) => r.name,
      fields: (r) => ({
        level: r.level,
        disabled: String(r.disabled),
        permissions: r.permissions.join(', '),
      }),
      missing: (r) => (pullsImages(r) ? 'critical' : 'warning'),
      changed: (fields, r) =>
        pullsImages(r) &&
        (fields.includes('disabled') || fields.includes('permissions'))
          ? 'critical'
          : 'warning',
      add,
    });
    const primaryNames = new Set(p.map((r) => r.name));
    for (const r of t) {
      if (!primaryNames.has(r.name) || r.expiresAt < 0) continue;
      const left = r.expiresAt - nowSeconds;
      if (left > soonSeconds) continue;
      add({
        category: 'robots',
        name: r.name,
        severity: left <= 0 && pullsImages(r) ? 'critical' : 'warning',
        target:
          left <= 0
            ? `expired ${new Date(r.expiresAt * 1000).toISOString()}`
            : `expires soon: ${new Date(r.expiresAt * 1000).toISOString()}`,
      });
    }
  });
  both(['labels'], primary.labels, target.labels, (p, t) => {
    const relevant = (l: MetaLabel): boolean =>
      l.scope === 'g' || inBoth(l.project);
    diffKeyed(p.filter(relevant), t.filter(relevant), {
      category: 'labels',
      key: (l) => (l.scope === 'g' ? l.name : `${l.project}/${l.name}`),
      fields: (l) => ({ description: l.description, color: l.color }),
      missing: () => 'warning',
      changed: () => 'info',
      add,
    });
  });
  both(['retention'], primary.retention, target.retention, (p, t) => {
    diffKeyed(
      p.filter((x) => x.policy !== null && inBoth(x.project)),
      t.filter((x) => x.policy !== null && inBoth(x.project)),
      {
        category: 'retention',
        key: (x) => x.project,
        fields: (x) => ({
          algorithm: x.policy?.algorithm ?? '',
          rules: multiset(x.policy?.rules ?? []),
          trigger: x.policy?.trigger ?? '',
        }),
        missing: () => 'warning',
        changed: () => 'warning',
        add,
      }
    );
  });
  both(['immutability'], primary.immutability, target.immutability, (p, t) => {
    diffKeyed(
      p.filter((x) => x.rules.length > 0 && inBoth(x.project)),
      t.filter((x) => x.rules.length > 0 && inBoth(x.project)),
      {
        category: 'immutability',
        key: (x) => x.project,
        fields: (x) => ({ rules: multiset(x.rules) }),
        missing: () => 'warning',
        changed: () => 'warning',
        add,
      }
    );
  });
  both(['quotas'], primary.quotas, target.quotas, (p, t) => {
    diffKeyed(
      p.filter((q) => inBoth(q.project)),
      t.filter((q) => inBoth(q.project)),
      {
        category: 'quotas',
        key: (q) => q.project,
        fields: (q) => ({ storage: storageText(q.storageLimit) }),
        missing: () => 'info',
        changed: () => 'warning',
        add,
        extra: () => undefined,
      }
    );
  });
  both(['webhooks'], primary.webhooks, target.webhooks, (p, t) => {
    diffKeyed(
      p.filter((w) => inBoth(w.project)),
      t.filter((w) => inBoth(w.project)),
      {
        category: 'webhooks',
        key: (w) => `${w.project}/${w.name}`,
        fields: (w) => ({
          enabled: String(w.enabled),
          events: [...w.eventTypes].sort().join(', '),
          targets: w.targets
            .map(
              (x) =>
                `${x.type} ${x.address} ${x.payloadFormat}${x.skipCertVerify ? ' skip-verify' : ''}`
            )
            .sort()
            .join('; '),
          // Compared by hash only; the report says whether it is set, never what it is.
          'auth header': w.targets
            .map((x) => x.authHeaderSha256 ?? '-')
            .sort()
            .join(','),
        }),
        show: (field, w) =>
          field === 'auth header'
            ? w.targets.some((x) => x.authHeaderSha256 !== null)
              ? 'set (differs, compared by SHA-256)'
              : 'none'
            : undefined,
        missing: () => 'warning',
        changed: () => 'warning',
        add,
      }
    );
  });
  both(
    ['project-settings'],
    primary.projectScanners,
    target.projectScanners,
    (p, t) => {
      diffKeyed(
        p.filter((x) => inBoth(x.project)),
        t.filter((x) => inBoth(x.project)),
        {
          category: 'project-settings',
          key: (x) => `${x.project}/scanner`,
          fields: (x) => ({ scanner: x.scanner ?? 'none' }),
          missing: () => 'info',
          changed: () => 'info',
          add,
          extra: () => undefined,
        }
      );
    }
  );
  both(['scanners'], primary.scanners, target.scanners, (p, t) => {
    diffKeyed(p, t, {
      category: 'scanners',
      key: (s) => s.name,
      fields: (s) => ({
        url: s.url,
        auth: s.auth,
        'skip cert verify': String(s.skipCertVerify),
        'internal address': String(s.useInternalAddr),
        default: String(s.isDefault),
        disabled: String(s.disabled),
      }),
      missing: () => 'warning',
      changed: () => 'info',
      add,
    });
  });
  both(
    ['cve-allowlist'],
    primary.systemAllowlist,
    target.systemAllowlist,
    (p, t) => {
      const [pa] = p;
      const [ta] = t;
      if (pa && ta) {
        diffFields(
          'cve-allowlist',
          '(system)',
          allowlistFields(pa),
          allowlistFields(ta),
          () => 'warning',
          add
        );
      }
    }
  );
  const targetUrl = canonicalUrl(options.targetUrl);
  both(
    ['replication-endpoints'],
    primary.registries,
    target.registries,
    (p, t) => {
      diffKeyed(
        p.filter((r) => canonicalUrl(r.url) !== targetUrl),
        t,
        {
          category: 'replication-endpoints',
          key: (r) => r.name,
          fields: (r) => ({
            type: r.type,
            url: r.url,
            insecure: String(r.insecure),
          }),
          missing: () => 'warning',
          changed: () => 'warning',
          add,
        }
      );
    }
  );
  both(
    ['replication-rules'],
    primary.replicationRules,
    target.replicationRules,
    (p, t) => {
      const towardsTarget = (r: MetaReplicationRule): boolean =>
        (r.destUrl !== null && canonicalUrl(r.destUrl) === targetUrl) ||
        (r.srcUrl !== null && canonicalUrl(r.srcUrl) === targetUrl);
      diffKeyed(
        p.filter((r) => !towardsTarget(r)),
        t,
        {
          category: 'replication-rules',
          key: (r) => r.name,
          fields: (r) => ({
            enabled: String(r.enabled),
            source: r.srcRegistry ?? 'local',
            destination: r.destRegistry ?? 'local',
            namespace: r.destNamespace,
            trigger: r.trigger,
            filters: r.filters,
            override: String(r.override),
            deletion: String(r.deletion),
          }),
          missing: () => 'warning',
          changed: () => 'warning',
          add,
        }
      );
    }
  );
  both(['audit-logs'], primary.auditLogs, target.auditLogs, (p, t) => {
    // Per-instance by nature (§6): reported, never diffed.
    add({
      category: 'audit-logs',
      name: 'per-instance by design (not compared)',
      severity: 'info',
      primary: auditText(p[0]),
      target: auditText(t[0]),
    });
  });
  return { drift: sortDrift(drift), unseen, compared: [...new Set(compared)] };
}

interface KeyedSpec<T> {
  category: DriftCategory;
  key: (item: T) => string;
  fields: (item: T) => Record<string, string>;
  missing: (item: T) => DriftSeverity;
  changed: (fields: string[], primary: T) => DriftSeverity;
  /** Extra on the target: info "present" unless this says otherwise (undefined = skip). */
  extra?: (item: T) => { severity: DriftSeverity; text: string } | undefined;
  /** How a field is shown, when not its compared value (hashes). */
  show?: (field: string, item: T) => string | undefined;
  add: (item: DriftItem) => void;
}

function diffKeyed<T>(
  primary: readonly T[],
  target: readonly T[],
  spec: KeyedSpec<T>
): void {
  const t = new Map(target.map((x) => [spec.key(x), x]));
  const p = new Map(primary.map((x) => [spec.key(x), x]));
  for (const [key, pi] of p) {
    const ti = t.get(key);
    if (ti === undefined) {
      spec.add({
        category: spec.category,
        name: key,
        severity: spec.missing(pi),
        primary: summary(spec.fields(pi), (f) => spec.show?.(f, pi)),
        target: 'absent',
      });
      continue;
    }
    const pf = spec.fields(pi);
    const tf = spec.fields(ti);
    const changed = Object.keys({ ...pf, ...tf }).filter(
      (f) => pf[f] !== tf[f]
    );
    if (changed.length === 0) continue;
    spec.add({
      category: spec.category,
      name: key,
      severity: spec.changed(changed, pi),
      primary: changed
        .map((f) => `${f}: ${spec.show?.(f, pi) ?? pf[f] ?? '—'}`)
        .join('; '),
      target: changed
        .map((f) => `${f}: ${spec.show?.(f, ti) ?? tf[f] ?? '—'}`)
        .join('; '),
    });
  }
  for (const [key, ti] of t) {
    if (p.has(key)) continue;
    const extra = spec.extra
      ? spec.extra(ti)
      : { severity: 'info' as const, text: 'present' };
    if (!extra) continue;
    spec.add({
      category: spec.category,
      name: key,
      severity: extra.severity,
      primary: 'absent',
      target: extra.text,
    });
  }
}

function diffFields(
  category: DriftCategory,
  name: string,
  pf: Record<string, string>,
  tf: Record<string, string>,
  severity: (fields: string[]) => DriftSeverity,
  add: (item: DriftItem) => void
): void {
  const changed = Object.keys({ ...pf, ...tf }).filter((f) => pf[f] !== tf[f]);
  if (changed.length === 0) return;
  add({
    category,
    name,
    severity: severity(changed),
    primary: changed.map((f) => `${f}: ${pf[f] ?? '—'}`).join('; '),
    target: changed.map((f) => `${f}: ${tf[f] ?? '—'}`).join('; '),
  });
}

function diffConfiguration(
  p: ReadonlyMap<string, ConfigValues[string]>,
  t: ReadonlyMap<string, ConfigValues[string]>,
  add: (item: DriftItem) => void
): void {
  const keys = [...new Set([...p.keys(), ...t.keys()])].sort();
  for (const key of keys) {
    const pv = p.get(key);
    const tv = t.get(key);
    if (pv === tv) continue;
    // A key only one side reports is a version difference, not a setting.
    if (pv === undefined || tv === undefined) continue;
    const auth = AUTH_KEY.test(key);
    add({
      category: auth ? 'auth' : 'configuration',
      name: key,
      severity: auth ? 'critical' : 'warning',
      primary: String(pv),
      target: String(tv),
    });
  }
}

function summary(
  fields: Record<string, string>,
  show: (field: string) => string | undefined
): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${show(k) ?? v}`);
  return parts.length === 0 ? 'present' : parts.join('; ');
}

function projectSettings(p: MetaProject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata)) {
    if (k !== 'retention_id') out[k] = v;
  }
  out['cve allowlist'] = multiset(p.cveAllowlist.items);
  out['cve allowlist expiry'] = String(p.cveAllowlist.expiresAt ?? 'never');
  return out;
}

function allowlistFields(a: MetaAllowlist): Record<string, string> {
  return {
    items: multiset(a.items),
    expiry: String(a.expiresAt ?? 'never'),
  };
}

function multiset(items: readonly string[]): string {
  return [...items].sort().join(', ');
}

function groupType(type: number): string {
  if (type === 1) return 'ldap';
  if (type === 2) return 'http';
  if (type === 3) return 'oidc';
  return `type-${String(type)}`;
}

function storageText(bytes: number): string {
  return bytes < 0 ? 'unlimited' : `${String(bytes)} bytes`;
}

function auditText(s: AuditLogSummary | undefined): string {
  if (!s) return 'not read';
  const total = s.total === null ? 'entries' : `${String(s.total)} entries`;
  return s.latest ? `${total}, newest ${s.latest}` : total;
}

/** The project of a project robot (`robot$team-a+ci` → team-a), null for system robots. */
function robotProject(r: MetaRobot): string | null {
  if (r.level !== 'project') return null;
  const plus = r.name.lastIndexOf('+');
  const dollar = r.name.indexOf('$');
  return plus > dollar ? r.name.slice(dollar + 1, plus) : null;
}

/** Whether a robot can pull (clusters use such robots as pull secrets). */
export function pullsImages(r: MetaRobot): boolean {
  return r.permissions.some((p) => {
    const [, , resource, action, effect] = p.split(':');
    return resource === 'repository' && action === 'pull' && effect !== 'deny';
  });
}

/** Lower-case scheme and host, no trailing slash: how registry URLs are matched. */
export function canonicalUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return url.replace(/\/+$/, '').toLowerCase();
  }
}

const SEVERITY_ORDER: Record<DriftSeverity, number> = {
  critical: 0,
  warning: 1,
  info: 2,
};

function sortDrift(items: DriftItem[]): DriftItem[] {
  return items.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      DRIFT_CATEGORIES.indexOf(a.category) -
        DRIFT_CATEGORIES.indexOf(b.category) ||
      a.name.localeCompare(b.name)
  );
}

/** Role names by Harbor's role id (for responses that omit `role_name`). */
export function roleName(roleId: number): string {
  const names: Record<number, string> = {
    1: 'projectAdmin',
    2: 'developer',
    3: 'guest',
    4: 'maintainer',
    5: 'limitedGuest',
  };
  return names[roleId] ?? `role-${String(roleId)}`;
}

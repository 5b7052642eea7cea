/**
 * The failover readiness checklist of one target and its verdict (pure). Every item is
 * pass / warn / fail / unknown with the evidence behind it; the verdict follows from the
 * items alone (see {@link readinessVerdict}).
 */
import type {
  DriftResult,
  HarborHealth,
  StorageVolumes,
} from '../metadata/drift';
import { formatSeconds } from '../report/format';
import type { TargetReport, Verdict } from '../report/schema';

/** Outcome of one checklist item. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'unknown';

/** The checklist items, in report order. */
export const CHECK_IDS = [
  'reachable',
  'harbor-health',
  'version-skew',
  'tls-certificate',
  'image-coverage',
  'rpo-exposure',
  'critical-drift',
  'replication-health',
  'last-audit-age',
  'storage-headroom',
] as const;

/** One checklist item id. */
export type CheckId = (typeof CHECK_IDS)[number];

/** One checklist item with its evidence. */
export interface CheckItem {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** What was seen (never a secret). */
  evidence: string;
  /**
   * Whether an `unknown` makes the verdict UNKNOWN. Only items that the API may legitimately
   * not show (storage headroom) are not required.
   */
  required: boolean;
}

/** A TLS certificate as an endpoint presents it. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** Whether it chains to a trusted root (system roots plus the configured CA bundle). */
  trusted: boolean;
  trustError?: string;
}

/** Something that was read, or why it could not be. */
export type Observed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Thresholds of the checklist. */
export interface ReadinessThresholds {
  /** A certificate expiring within this many days warns. @default 30 */
  tlsWarnDays: number;
  /** …and within this many days fails. @default 7 */
  tlsFailDays: number;
  /** The newest complete audit may be this old before it warns. @default 36 */
  maxAuditAgeHours: number;
  /** Free storage below this share warns. @default 0.2 */
  storageWarnFree: number;
  /** …and below this share fails. @default 0.05 */
  storageFailFree: number;
}

/** Default thresholds. */
export const DEFAULT_THRESHOLDS: ReadinessThresholds = {
  tlsWarnDays: 30,
  tlsFailDays: 7,
  maxAuditAgeHours: 36,
  storageWarnFree: 0.2,
  storageFailFree: 0.05,
};

const TITLES: Record<CheckId, string> = {
  reachable: 'Endpoint reachable, credentials valid',
  'harbor-health': 'Harbor health',
  'version-skew': 'Harbor version skew',
  'tls-certificate': 'TLS certificate expiry',
  'image-coverage': 'Image coverage and digest agreement',
  'rpo-exposure': 'Exposure against the RPO objective',
  'critical-drift': 'Critical metadata drift',
  'replication-health': 'Stuck or failing replication',
  'last-audit-age': 'Last complete audit age',
  'storage-headroom': 'Storage headroom',
};

function item(
  id: CheckId,
  status: CheckStatus,
  evidence: string,
  required = true
): CheckItem {
  return { id, title: TITLES[id], status, evidence, required };
}

/**
 * The verdict of a checklist: NOT_READY on any fail; UNKNOWN when a required item could not
 * be seen (never a false green); DEGRADED on any warn; READY when every item passed.
 */
export function readinessVerdict(items: readonly CheckItem[]): Verdict {
  if (items.some((i) => i.status === 'fail')) return 'NOT_READY';
  if (items.some((i) => i.status === 'unknown' && i.required)) return 'UNKNOWN';
  if (items.some((i) => i.status === 'warn')) return 'DEGRADED';
  return 'READY';
}

/** Who the target's credentials authenticate as, or why it could not be reached. */
export type ReachResult =
  { ok: true; as: string } | { ok: false; reason: string; rejected: boolean };

/** Endpoint reachable and credentials valid. */
export function checkReachable(reach: ReachResult): CheckItem {
  if (reach.ok)
    return item('reachable', 'pass', `reachable; authenticated as ${reach.as}`);
  return item(
    'reachable',
    'fail',
    reach.rejected
      ? `credentials rejected: ${reach.reason}`
      : `unreachable: ${reach.reason}`
  );
}

/** Components whose failure stops pulls or logins. */
const ESSENTIAL = new Set(['core', 'database', 'registry', 'redis', 'portal']);

/** Harbor's own health: an essential component down fails, any other warns. */
export function checkHarborHealth(health: Observed<HarborHealth>): CheckItem {
  if (!health.ok) return item('harbor-health', 'unknown', health.error);
  const bad = health.value.components.filter((c) => c.status !== 'healthy');
  if (bad.length === 0) {
    return health.value.status === 'healthy'
      ? item(
          'harbor-health',
          'pass',
          `healthy (${String(health.value.components.length)} components)`
        )
      : item('harbor-health', 'warn', `overall status ${health.value.status}`);
  }
  const text = bad
    .map((c) => `${c.name} ${c.status}${c.error ? ` (${c.error})` : ''}`)
    .join(', ');
  return item(
    'harbor-health',
    bad.some((c) => ESSENTIAL.has(c.name)) ? 'fail' : 'warn',
    text
  );
}

/** `v2.15.2-abc` → [2, 15, 2]. */
function versionParts(v: string): number[] | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** Version skew with the primary: another major fails, another minor warns. */
export function checkVersionSkew(
  primary: Observed<string | null>,
  target: Observed<string | null>
): CheckItem {
  if (!primary.ok)
    return item('version-skew', 'unknown', `primary: ${primary.error}`);
  if (!target.ok) return item('version-skew', 'unknown', target.error);
  const p = primary.value === null ? null : versionParts(primary.value);
  const t = target.value === null ? null : versionParts(target.value);
  if (!p || !t) {
    return item(
      'version-skew',
      'unknown',
      `version not shown (primary ${primary.value ?? '—'}, target ${target.value ?? '—'})`
    );
  }
  const text = `primary ${primary.value ?? ''}, target ${target.value ?? ''}`;
  if (p[0] !== t[0])
    return item('version-skew', 'fail', `major versions differ: ${text}`);
  if (p[1] !== t[1])
    return item('version-skew', 'warn', `minor versions differ: ${text}`);
  return item('version-skew', 'pass', text);
}

/** TLS certificate: untrusted (when verified) or expiring soon fails or warns. */
export function checkTls(
  cert: Observed<CertificateInfo>,
  now: Date,
  verifyTls: boolean,
  t: ReadinessThresholds = DEFAULT_THRESHOLDS
): CheckItem {
  if (!cert.ok) return item('tls-certificate', 'unknown', cert.error);
  const c = cert.value;
  const days = (Date.parse(c.validTo) - now.getTime()) / 86_400_000;
  const who = `${c.subject || '(no CN)'} issued by ${c.issuer || '(no CN)'}`;
  if (Date.parse(c.validFrom) > now.getTime()) {
    return item(
      'tls-certificate',
      'fail',
      `${who}: not valid before ${c.validFrom}`
    );
  }
  if (days <= 0)
    return item('tls-certificate', 'fail', `${who}: expired ${c.validTo}`);
  if (verifyTls && !c.trusted) {
    return item(
      'tls-certificate',
      'fail',
      `${who}: not trusted (${c.trustError ?? 'unknown reason'})`
    );
  }
  const left = `${who}: expires ${c.validTo} (in ${String(Math.floor(days))} days)`;
  if (days < t.tlsFailDays) return item('tls-certificate', 'fail', left);
  if (days < t.tlsWarnDays) return item('tls-certificate', 'warn', left);
  return item(
    'tls-certificate',
    'pass',
    `${left}${c.trusted ? '' : '; not verified (verifyTls is off)'}`
  );
}

/** Image coverage and digest agreement, from the audit of the target. */
export function checkCoverage(t: TargetReport): CheckItem {
  const c = t.counts;
  const unseen =
    t.errors.length + t.shards.filter((s) => s.status !== 'audited').length;
  const base = `${String(c.synced)}/${String(c.expected)} expected refs synced`;
  if (c.unknown > 0 || unseen > 0) {
    return item(
      'image-coverage',
      'unknown',
      `${base}; ${String(c.unknown)} refs and ${String(unseen)} scopes could not be seen`
    );
  }
  const problems = [
    c.missing > 0 ? `${String(c.missing)} missing` : '',
    c.mismatched > 0 ? `${String(c.mismatched)} with another digest` : '',
    c.orphaned > 0 ? `${String(c.orphaned)} orphaned` : '',
  ].filter((x) => x !== '');
  if (problems.length > 0)
    return item('image-coverage', 'warn', `${base}; ${problems.join(', ')}`);
  return item('image-coverage', 'pass', base);
}

/** A leading indicator of replication lag (an execution in progress, a stopped schedule). */
export type LeadingIndicator = NonNullable<
  TargetReport['rpo']['indicators']
>[number];

/** Age of the oldest unsynced change against the RPO objective; leading indicators warn. */
export function checkExposure(
  rpo: TargetReport['rpo'],
  indicators: readonly LeadingIndicator[] = []
): CheckItem {
  const objective = formatSeconds(rpo.objectiveSeconds);
  if (rpo.estimateSeconds === null) {
    return item(
      'rpo-exposure',
      'unknown',
      `unsynced refs carry no push time: exposure unknown (objective ${objective})`
    );
  }
  const delays =
    rpo.p95DelaySeconds !== null
      ? `; delay p50 ${formatSeconds(rpo.p50DelaySeconds)}, p95 ${formatSeconds(rpo.p95DelaySeconds)}`
      : '';
  const base = `exposure ${formatSeconds(rpo.estimateSeconds)} (objective ${objective})${
    rpo.oldestUnsyncedPushTime
      ? `, oldest unsynced push ${rpo.oldestUnsyncedPushTime}`
      : ''
  }${delays}`;
  if (rpo.estimateSeconds > rpo.objectiveSeconds)
    return item('rpo-exposure', 'fail', base);
  const late = indicators.filter((i) => i.late);
  if (late.length > 0) {
    return item(
      'rpo-exposure',
      'warn',
      `${base}; leading indicators: ${late
        .map(
          (i) =>
            `${i.policy} ${i.kind}${i.seconds !== null ? ` ${formatSeconds(i.seconds)}` : ''}`
        )
        .join(', ')}`
    );
  }
  if (
    rpo.p95DelaySeconds !== null &&
    rpo.p95DelaySeconds > rpo.objectiveSeconds
  ) {
    return item(
      'rpo-exposure',
      'warn',
      `${base}; p95 delay exceeds the objective`
    );
  }
  return item('rpo-exposure', 'pass', base);
}

/** Critical drift fails; a category that could not be compared on either side is unknown. */
export function checkDrift(result: Observed<DriftResult>): CheckItem {
  if (!result.ok) return item('critical-drift', 'unknown', result.error);
  const { drift, unseen } = result.value;
  const critical = drift.filter((d) => d.severity === 'critical');
  const warnings = drift.filter((d) => d.severity === 'warning');
  if (critical.length > 0) {
    return item(
      'critical-drift',
      'fail',
      `${String(critical.length)} critical: ${summarise(critical.map((d) => `${d.category} ${d.name}`))}`
    );
  }
  if (unseen.length > 0) {
    const cats = [...new Set(unseen.map((u) => `${u.category} (${u.side})`))];
    return item(
      'critical-drift',
      'unknown',
      `not compared: ${summarise(cats)}`
    );
  }
  if (warnings.length > 0) {
    return item(
      'critical-drift',
      'warn',
      `no critical drift; ${String(warnings.length)} warnings: ${summarise(warnings.map((d) => `${d.category} ${d.name}`))}`
    );
  }
  return item('critical-drift', 'pass', 'no critical or warning drift');
}

/** What the replication health data says about the policies feeding a target. */
export interface ReplicationSignals {
  /** Policies whose latest execution failed or stopped. */
  failing: string[];
  /** Executions in progress longer than allowed. */
  stuck: string[];
  /** Scheduled policies without a successful run in their interval. */
  overdue: string[];
  /** Policies in scope that are disabled. */
  disabled: string[];
  /** Policies seen. */
  policies: number;
}

/** Stuck or failing replication, from the health data; unknown without it. */
export function checkReplication(
  signals: ReplicationSignals | null
): CheckItem {
  if (signals === null) {
    return item(
      'replication-health',
      'unknown',
      'no replication health data in the audit (executions were not read)'
    );
  }
  const problems = [
    signals.failing.length > 0
      ? `latest run failed: ${summarise(signals.failing)}`
      : '',
    signals.stuck.length > 0 ? `stuck: ${summarise(signals.stuck)}` : '',
    signals.overdue.length > 0
      ? `schedule overdue: ${summarise(signals.overdue)}`
      : '',
    signals.disabled.length > 0
      ? `disabled: ${summarise(signals.disabled)}`
      : '',
  ].filter((x) => x !== '');
  if (problems.length > 0)
    return item('replication-health', 'warn', problems.join('; '));
  return item(
    'replication-health',
    'pass',
    `${String(signals.policies)} policies: latest runs succeeded, none stuck`
  );
}

/** The newest complete audit of a target on record. */
export interface LastAudit {
  runId: string;
  finishedAt: string;
}

/** Age of the newest complete audit (the nightly schedule works). */
export function checkAuditAge(
  last: Observed<LastAudit | null>,
  now: Date,
  t: ReadinessThresholds = DEFAULT_THRESHOLDS
): CheckItem {
  if (!last.ok)
    return item('last-audit-age', 'unknown', `report store: ${last.error}`);
  if (last.value === null) {
    return item(
      'last-audit-age',
      'warn',
      'no complete audit of this target on record'
    );
  }
  const age = (now.getTime() - Date.parse(last.value.finishedAt)) / 1000;
  const text = `run ${last.value.runId} finished ${last.value.finishedAt} (${formatSeconds(Math.max(0, age))} ago)`;
  return item(
    'last-audit-age',
    age > t.maxAuditAgeHours * 3600 ? 'warn' : 'pass',
    text
  );
}

/** Storage headroom, where the API shows it (`/systeminfo/volumes`, sysadmin only). */
export function checkStorage(
  volumes: Observed<StorageVolumes>,
  t: ReadinessThresholds = DEFAULT_THRESHOLDS
): CheckItem {
  if (!volumes.ok)
    return item('storage-headroom', 'unknown', volumes.error, false);
  const v = volumes.value;
  if (v === null || v.length === 0) {
    return item(
      'storage-headroom',
      'unknown',
      'not shown by this Harbor (needs a sysadmin; local disk only)',
      false
    );
  }
  const total = v.reduce((s, x) => s + x.total, 0);
  const free = v.reduce((s, x) => s + x.free, 0);
  if (total <= 0)
    return item('storage-headroom', 'unknown', 'total size is 0', false);
  const share = free / total;
  const text = `${(share * 100).toFixed(1)}% free (${gib(free)} of ${gib(total)})`;
  if (share < t.storageFailFree)
    return item('storage-headroom', 'fail', text, false);
  if (share < t.storageWarnFree)
    return item('storage-headroom', 'warn', text, false);
  return item('storage-headroom', 'pass', text, false);
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

function summarise(items: readonly string[], max = 5): string {
  const head = items.slice(0, max).join(', ');
  return items.length > max
    ? `${head} and ${String(items.length - max)} more`
    : head;
}

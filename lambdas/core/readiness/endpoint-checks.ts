/**
 * The checklist items that probe the target itself (pure): reachability and credentials,
 * Harbor health and version, TLS certificate, storage headroom.
 */
import type { HarborHealth, StorageVolumes } from './probes';
import { plural } from '../report/format';
import { DEFAULT_THRESHOLDS, item } from './checklist';
import type { CheckItem, Observed, ReadinessThresholds } from './checklist';

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

/** Who the target's credentials authenticate as, or why it could not be reached. */
export type ReachResult =
  | {
      ok: true;
      as: string;
      /** A Harbor user's sysadmin flag (GET /users/current); absent for robots and registries. */
      sysadmin?: boolean;
    }
  | { ok: false; reason: string; rejected: boolean }
  /** Not tried: the auditor's own credentials for it could not be read. */
  | { ok: false; reason: string; untried: true };

/** Endpoint reachable and credentials valid. */
export function checkReachable(reach: ReachResult): CheckItem {
  if (reach.ok)
    return item('reachable', 'pass', `reachable; authenticated as ${reach.as}`);
  if ('untried' in reach)
    return item('reachable', 'unknown', `not tried: ${reach.reason}`);
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
          `healthy (${plural(health.value.components.length, 'component')})`
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

/** Storage headroom, where the API shows it (`/systeminfo/volumes`, sysadmin only). */
export function checkStorage(
  volumes: Observed<StorageVolumes>,
  t: ReadinessThresholds = DEFAULT_THRESHOLDS,
  /** Whether the auditor's account is a sysadmin (undefined: not known). */
  sysadmin?: boolean
): CheckItem {
  if (!volumes.ok)
    return item('storage-headroom', 'unknown', volumes.error, false);
  const v = volumes.value;
  if (v === null || v.length === 0) {
    return item(
      'storage-headroom',
      'unknown',
      sysadmin === true
        ? 'not shown by this Harbor: it reports local-disk storage only, and the account is a sysadmin (the registry storage is likely not a local disk)'
        : sysadmin === false
          ? 'not shown to this account: it needs a sysadmin (and Harbor reports local-disk storage only)'
          : 'not shown by this Harbor (shown to sysadmins only, for local-disk storage only)',
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

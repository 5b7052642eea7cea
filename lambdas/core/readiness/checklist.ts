/**
 * The failover readiness checklist: its items, their titles and the thresholds they are
 * judged by. Every item is pass / warn / fail / unknown with the evidence behind it.
 */

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

/** One checklist item, titled. */
export function item(
  id: CheckId,
  status: CheckStatus,
  evidence: string,
  required = true
): CheckItem {
  return { id, title: TITLES[id], status, evidence, required };
}

/** A list shortened for evidence text: the first `max`, then how many more. */
export function summarise(items: readonly string[], max = 5): string {
  const head = items.slice(0, max).join(', ');
  return items.length > max
    ? `${head} and ${String(items.length - max)} more`
    : head;
}

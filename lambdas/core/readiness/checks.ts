/**
 * The checklist items that follow from the audit, the metadata drift and the run history
 * (pure): coverage, exposure, critical drift, replication health, last audit age.
 */
import {
  exposureUnknownWhy,
  unseenScopesOf,
  type ExposureReport,
} from '../inventory/rpo';
import type { DriftResult } from '../metadata/diff';
import { formatSeconds, plural } from '../report/format';
import type { TargetReport } from '../report/schema';
import { DEFAULT_THRESHOLDS, item, summarise } from './checklist';
import type { CheckItem, Observed, ReadinessThresholds } from './checklist';

/** Image coverage and digest agreement, from the audit of the target. */
export function checkCoverage(t: TargetReport): CheckItem {
  const c = t.counts;
  const unseen = unseenScopesOf(t);
  const base = `${String(c.synced)}/${String(c.expected)} expected refs synced`;
  if (c.unknown > 0 || unseen > 0) {
    return item(
      'image-coverage',
      'unknown',
      `${base}; ${plural(c.unknown, 'ref')} and ${plural(unseen, 'scope')} could not be seen`
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

/** What the exposure check reads of a target's audit. */
export type ExposureSubject = ExposureReport;

/**
 * Age of the oldest unsynced change against the RPO objective; leading indicators warn.
 * Unknown whenever refs went unseen (unknown refs, scopes not audited) or the estimate is
 * null, never a pass: what was not seen may be the oldest change. It fails even then when
 * the refs that were seen already prove a breach.
 */
export function checkExposure(
  t: ExposureSubject,
  indicators: readonly LeadingIndicator[],
  now: Date
): CheckItem {
  const { rpo } = t;
  const objective = formatSeconds(rpo.objectiveSeconds);
  if (
    t.counts.unknown > 0 ||
    unseenScopesOf(t) > 0 ||
    rpo.estimateSeconds === null
  ) {
    const why = exposureUnknownWhy(t);
    const atLeast = rpo.estimateAtLeastSeconds ?? boundFromPushTime(rpo, now);
    if (atLeast > rpo.objectiveSeconds) {
      return item(
        'rpo-exposure',
        'fail',
        `exposure at least ${formatSeconds(atLeast)} (objective ${objective}), oldest unsynced push ${String(rpo.oldestUnsyncedPushTime)}; ${why}`
      );
    }
    return item(
      'rpo-exposure',
      'unknown',
      `exposure unknown: ${why} (objective ${objective})${
        atLeast > 0
          ? `; at least ${formatSeconds(atLeast)} from the refs seen`
          : ''
      }`
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

/**
 * The lower bound of a report written before the audit stored it: now − the oldest unsynced
 * push seen (an audit that stores the bound leaves it out only when this is 0).
 */
function boundFromPushTime(rpo: TargetReport['rpo'], now: Date): number {
  const oldest = rpo.oldestUnsyncedPushTime
    ? Date.parse(rpo.oldestUnsyncedPushTime)
    : NaN;
  return Number.isNaN(oldest)
    ? 0
    : Math.max(0, (now.getTime() - oldest) / 1000);
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
    `${plural(signals.policies, 'policy', 'policies')}: latest runs succeeded, none stuck`
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

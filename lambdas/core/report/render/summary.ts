import { distinctReasons, plainText, plural, topReasons } from '../format';
import { readinessSummaryLines } from './readiness';
import type { Report, TargetReport } from '../schema';
import { projectOf } from '../../inventory/plan/shards';
import {
  formatExposure,
  statedExposure,
  type StatedExposure,
} from '../../inventory/rpo';

/**
 * A few lines for a terminal or a notification: verdicts, counts, exposure, what was not seen.
 * Plain text: each line is cleared of control characters (line breaks, terminal escapes).
 */
export function renderSummary(report: Report): string {
  const lines: string[] = [];
  const title =
    report.kind === 'audit' ? 'Replication audit' : 'Failover readiness';
  lines.push(
    `${title} of ${report.primary.name}: ${report.verdict}  (run ${report.runId})`
  );
  if (report.matching) lines.push(`  filters: ${report.matching.note}`);
  const width = Math.max(6, ...report.targets.map((t) => t.name.length));
  for (const t of report.targets) {
    const c = t.counts;
    const parts = [
      `${c.synced}/${c.expected} synced`,
      c.missing > 0 ? `${c.missing} missing` : '',
      c.mismatched > 0 ? `${c.mismatched} mismatched` : '',
      c.orphaned > 0 ? `${c.orphaned} orphaned` : '',
      c.unknown > 0 ? `${c.unknown} UNKNOWN` : '',
      exposureNote(statedExposure(t)),
      t.drift.length > 0 ? `${t.drift.length} drift` : '',
      retriggerNote(t.replication.retriggered),
    ].filter((p) => p !== '');
    lines.push(
      `  ${t.name.padEnd(width)}  ${t.verdict.padEnd(9)}  ${parts.join(', ')}`
    );
    const why = distinctReasons(unknownReasons(t));
    if ((t.verdict === 'UNKNOWN' || c.unknown > 0) && why.length > 0) {
      lines.push(`  ${' '.repeat(width)}  unknown because: ${topReasons(why)}`);
    }
    lines.push(...readinessSummaryLines(t));
  }
  const unseen = distinctReasons([
    ...report.errors,
    ...report.targets.flatMap((t) => t.errors),
  ]);
  if (unseen.length > 0) {
    lines.push('  Not seen (these scopes are UNKNOWN):');
    for (const g of unseen.slice(0, 10)) {
      const [first] = g.scopes;
      lines.push(
        g.scopes.length === 1
          ? `    ${first ?? ''}: ${g.reason}`
          : `    ${g.reason} (${plural(g.scopes.length, 'scope')}: ${g.scopes.slice(0, 3).join(', ')}${g.scopes.length > 3 ? ', …' : ''})`
      );
    }
    if (unseen.length > 10)
      lines.push(
        `    … and ${plural(unseen.length - 10, 'other reason')} in the report`
      );
  }
  // Names and messages come from registries: no control character reaches a terminal or a
  // notification, and none breaks a line.
  return `${lines.map(plainText).join('\n')}\n`;
}

/**
 * `exposure 1h 25m` (none when 0 or unknown); a lower bound with why it is only one:
 * `exposure ≥ 1h 25m (a lower bound: 1 scope could not be seen)`.
 */
function exposureNote(e: StatedExposure): string {
  if (e.kind === 'unknown' || e.seconds === 0) return '';
  return e.kind === 'at-least'
    ? `exposure ${formatExposure(e)} (a lower bound: ${e.why})`
    : `exposure ${formatExposure(e)}`;
}

/** Why a target is (partly) UNKNOWN: its errors, its unaudited shards, its unknown findings. */
function unknownReasons(t: TargetReport): { scope: string; message: string }[] {
  const unknownIn = new Set(
    t.findings
      .filter((f) => f.state === 'unknown')
      .map((f) => projectOf(f.repository))
  );
  return [
    ...t.errors,
    ...t.shards
      .filter((s) => s.status !== 'audited')
      .flatMap((s) => {
        // The unobservable repositories' own findings say why each was unseen: their list
        // in the shard's causes would say it twice.
        const message =
          unknownIn.has(s.project) && s.causes !== undefined
            ? s.causes
                .filter((c) => c.kind !== 'repositories')
                .map((c) => c.text)
                .join('; ')
            : (s.reason ?? s.status);
        return message === ''
          ? []
          : [{ scope: `${t.name}/${s.project}`, message }];
      }),
    ...t.findings
      .filter((f) => f.state === 'unknown')
      .map((f) => ({
        scope: `${f.repository}:${f.reference}`,
        message: f.detail ?? 'not seen',
      })),
  ];
}

/** `2 re-triggered`, `1 would be re-triggered (dry run)`; refused starts are told elsewhere. */
function retriggerNote(
  retriggered: Report['targets'][number]['replication']['retriggered']
): string {
  const started = retriggered.filter((r) => r.outcome === 'started').length;
  const dry = retriggered.filter((r) => r.outcome === 'dry-run').length;
  return [
    started > 0 ? `${started} re-triggered` : '',
    dry > 0 ? `${dry} would be re-triggered (dry run)` : '',
  ]
    .filter((p) => p !== '')
    .join(', ');
}

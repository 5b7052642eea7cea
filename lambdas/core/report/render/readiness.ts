import { escapeCell, escapeInline, formatSeconds, plainText } from '../format';
import type { TargetReport, TrendPoint } from '../schema';

const STATUS_ICON = {
  pass: '✅ pass',
  warn: '⚠️ warn',
  fail: '❌ fail',
  unknown: '❓ unknown',
} as const;

/** What each metadata drift status means, in words. */
const DRIFT_STATUS = {
  compared: 'every category compared',
  partial: 'compared in part',
  'not-applicable': 'not applicable',
  unknown: 'could not be compared',
} as const;

/**
 * The note without the words the status already says (`compared by name: …` → `by name: …`;
 * `…, so metadata drift is not applicable` → `…`).
 */
function driftNote(note: string): string {
  return note
    .replace(/^compared /, '')
    .replace(/,? so metadata drift is not applicable$/, '');
}

/** The readiness sections of a target in the human report (nothing for an audit report). */
export function renderReadinessSections(t: TargetReport): string[] {
  if (!t.checklist) return [];
  const lines = [
    '### Readiness checklist',
    '',
    '| item | status | evidence |',
    '| --- | --- | --- |',
  ];
  for (const c of t.checklist) {
    lines.push(
      `| ${escapeCell(c.title)} | ${STATUS_ICON[c.status]}${c.required ? '' : ' (informational)'} | ${escapeCell(c.evidence)} |`
    );
  }
  lines.push('');
  if (t.metadataDrift) {
    lines.push(
      `Metadata drift: ${DRIFT_STATUS[t.metadataDrift.status]} (${escapeInline(driftNote(t.metadataDrift.note))})`
    );
    for (const u of t.metadataDrift.unseen.slice(0, 20)) {
      lines.push(
        `- ❓ ${escapeInline(u.category)} (${escapeInline(u.side)}): ${escapeInline(u.reason)}`
      );
    }
    for (const n of t.metadataDrift.notApplicable ?? []) {
      lines.push(
        `- ➖ ${n.category} (${n.side}): not applicable: ${escapeCell(n.reason)}`
      );
    }
    lines.push('');
  }
  const indicators = t.rpo.indicators ?? [];
  if (indicators.length > 0) {
    lines.push('Leading indicators:', '');
    for (const i of indicators) {
      lines.push(
        `- ${i.late ? '⚠️' : '·'} ${escapeInline(i.policy)}: ${escapeInline(i.kind)}${i.seconds !== null ? ` ${formatSeconds(i.seconds)}` : ''}${i.detail ? ` (${escapeInline(i.detail)})` : ''}`
      );
    }
    lines.push('');
  }
  const trend = t.rpo.trend ?? [];
  if (trend.length > 1) {
    lines.push(
      'RPO trend (oldest first):',
      '',
      '| run | kind | at | verdict | exposure | p95 delay |',
      '| --- | --- | --- | --- | ---: | ---: |'
    );
    for (const p of trend) {
      lines.push(
        `| ${escapeCell(p.runId)} | ${escapeCell(p.kind)} | ${escapeCell(p.at)} | ${escapeCell(p.verdict)} | ${trendExposure(p)} | ${formatSeconds(p.p95DelaySeconds)} |`
      );
    }
    lines.push('');
  }
  return lines;
}

/** The checklist items that did not pass, one line each, for the terminal summary. */
export function readinessSummaryLines(t: TargetReport): string[] {
  if (!t.checklist) return [];
  const lines = t.checklist
    .filter(
      (c) => c.status !== 'pass' && (c.required || c.status !== 'unknown')
    )
    .map(
      (c) =>
        `      ${c.status.toUpperCase().padEnd(7)} ${plainText(c.title)}: ${plainText(c.evidence)}`
    );
  if (t.metadataDrift?.status === 'not-applicable') {
    lines.push('      n/a     Metadata drift: not applicable (plain registry)');
  }
  return lines;
}

/** A trend point's exposure: the estimate, `≥ …` for a stored lower bound, `—` unknown. */
function trendExposure(p: TrendPoint): string {
  return p.estimateSeconds === null && p.estimateAtLeastSeconds !== undefined
    ? `≥ ${formatSeconds(p.estimateAtLeastSeconds)}`
    : formatSeconds(p.estimateSeconds);
}

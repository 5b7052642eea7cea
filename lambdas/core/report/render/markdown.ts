import {
  codeSpan,
  distinctReasons,
  escapeCell,
  escapeInline,
  formatSeconds,
  plural,
} from '../format';
import { rulesTable, splitRules } from './markdown-rules';
import { formatExposure, statedExposure } from '../../inventory/rpo';
import { renderReadinessSections } from './readiness';
import type { Report, TargetReport } from '../schema';

const VERDICT_ICON: Record<Report['verdict'], string> = {
  READY: '✅ READY',
  DEGRADED: '⚠️ DEGRADED',
  NOT_READY: '❌ NOT_READY',
  UNKNOWN: '❓ UNKNOWN',
};

/** At most this many findings per state are listed; the counts always cover all of them. */
const MAX_ROWS_PER_STATE = 200;

/**
 * The human report (Markdown) of a run: the same facts as the JSON, for people. Every value
 * that is not this renderer's own text goes through escapeInline, escapeCell or codeSpan
 * (format.ts): a tag or repository name never becomes Markdown structure.
 */
export function renderMarkdown(report: Report): string {
  const lines: string[] = [];
  const title =
    report.kind === 'audit' ? 'Replication audit' : 'Failover readiness';
  lines.push(`# ${title}: ${escapeInline(report.primary.name)}`, '');
  lines.push(
    `**${VERDICT_ICON[report.verdict]}** · run ${codeSpan(report.runId)} · ${escapeInline(report.startedAt)} → ${escapeInline(report.finishedAt)} · ${escapeInline(report.tool.name)} ${escapeInline(report.tool.version)}`,
    ''
  );
  if (report.matching) lines.push(`Filters: ${report.matching.note}.`, '');
  lines.push(
    '| target | kind | verdict | expected | synced | missing | mismatched | orphaned | unknown | exposure |'
  );
  lines.push(
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  );
  for (const t of report.targets) {
    const c = t.counts;
    lines.push(
      `| ${escapeCell(t.name)} | ${escapeCell(t.kind)} | ${VERDICT_ICON[t.verdict]} | ${c.expected} | ${c.synced} | ${c.missing} | ${c.mismatched} | ${c.orphaned} | ${c.unknown} | ${formatExposure(statedExposure(t))} |`
    );
  }
  lines.push('');
  if (report.errors.length > 0) {
    lines.push('## What could not be seen', '');
    lines.push(...reasonLines(report.errors, ''));
    lines.push('');
  }
  if (report.policies.length > 0) {
    lines.push('## Replication policies in scope', '');
    lines.push('| policy | targets | expected refs | warnings and errors |');
    lines.push('| --- | --- | ---: | --- |');
    for (const p of report.policies) {
      const notes = [
        ...p.errors.map((e) => `❌ ${escapeCell(e)}`),
        ...p.warnings.map((w) => `⚠️ ${escapeCell(w)}`),
      ];
      lines.push(
        `| ${escapeCell(p.name)} | ${p.targets.map(escapeCell).join(', ')} | ${p.expected} | ${notes.join('<br>') || '—'} |`
      );
    }
    lines.push('');
  }
  for (const t of report.targets) {
    for (const line of renderTarget(t)) lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

function renderTarget(t: TargetReport): string[] {
  const lines = [
    `## ${escapeInline(t.name)} (${escapeInline(t.kind)}) · ${VERDICT_ICON[t.verdict]}`,
    '',
    codeSpan(t.url),
    '',
  ];
  lines.push(...renderReadinessSections(t));
  const unseen = t.shards.filter((s) => s.status !== 'audited');
  if (unseen.length > 0) {
    lines.push('Not fully audited:', '');
    // One line per distinct reason: a 401 on every project is said once, with the projects.
    for (const g of distinctReasons(
      unseen.map((s) => ({
        scope: s.project,
        message: `${s.status}${s.reason ? `: ${s.reason}` : ''}`,
      }))
    )) {
      const projects = g.scopes.slice(0, MAX_SCOPES).map((x) => codeSpan(x));
      const more =
        g.scopes.length > MAX_SCOPES
          ? `, and ${(g.scopes.length - MAX_SCOPES).toString()} more`
          : '';
      lines.push(
        `- ${g.scopes.length === 1 ? 'project' : 'projects'} ${projects.join(', ')}${more}: ${escapeInline(g.reason)}`
      );
    }
    lines.push('');
  }
  lines.push(...reasonLines(t.errors, '❓ '));
  if (t.errors.length > 0) lines.push('');
  const exposure = statedExposure(t);
  if (exposure.kind !== 'unknown') {
    lines.push(
      `RPO exposure ${formatExposure(exposure)} (objective ${formatSeconds(t.rpo.objectiveSeconds)})` +
        (t.rpo.oldestUnsyncedPushTime
          ? `, oldest unsynced push ${escapeInline(t.rpo.oldestUnsyncedPushTime)}`
          : '') +
        // Only a bound: say why, so that it never reads as the exposure.
        (exposure.kind === 'at-least'
          ? `; a lower bound: ${escapeInline(exposure.why)}`
          : '') +
        (t.rpo.p50DelaySeconds !== null
          ? `; replication delay p50 ${formatSeconds(t.rpo.p50DelaySeconds)}, p95 ${formatSeconds(t.rpo.p95DelaySeconds)}`
          : ''),
      ''
    );
  }
  const byState = new Map<string, TargetReport['findings']>();
  for (const f of t.findings) {
    const list = byState.get(f.state) ?? [];
    list.push(f);
    byState.set(f.state, list);
  }
  for (const [state, findings] of byState) {
    lines.push(`### ${escapeInline(state)} (${findings.length})`, '');
    lines.push('| destination | expected | found | source | policy | detail |');
    lines.push('| --- | --- | --- | --- | --- | --- |');
    for (const f of findings.slice(0, MAX_ROWS_PER_STATE)) {
      const source = f.source
        ? `${f.source.repository}:${f.source.reference}${f.source.pushTime ? ` (pushed ${f.source.pushTime})` : ''}`
        : '—';
      lines.push(
        `| ${escapeCell(`${f.repository}:${f.reference}`)} | ${short(f.expectedDigest)} | ${short(f.observedDigest)} | ${escapeCell(source)} | ${f.policy ? escapeCell(f.policy.name) : '—'} | ${escapeCell(f.detail ?? '')} |`
      );
    }
    if (findings.length > MAX_ROWS_PER_STATE) {
      lines.push(
        '',
        `… and ${findings.length - MAX_ROWS_PER_STATE} more in the JSON report.`
      );
    }
    lines.push('');
  }
  if (t.drift.length > 0) {
    lines.push(
      '### Metadata drift',
      '',
      '| severity | category | name | primary | target |',
      '| --- | --- | --- | --- | --- |'
    );
    const rules: ReturnType<typeof splitRules>['rows'] = [];
    for (const item of t.drift) {
      const split = splitRules(item);
      const d = split.item;
      rules.push(...split.rows);
      lines.push(
        `| ${escapeCell(d.severity)} | ${escapeCell(d.category)} | ${escapeCell(d.name)} | ${escapeCell(d.primary ?? '—')} | ${escapeCell(d.target ?? '—')} |`
      );
    }
    lines.push('', ...rulesTable(rules));
  }
  const r = t.replication;
  const troubled = (r.health ?? []).filter((h) => h.status !== 'healthy');
  if (troubled.length > 0 || r.failedTasks.length > 0) {
    lines.push('### Replication health', '');
    for (const h of troubled) {
      lines.push(
        `- **${escapeInline(h.policyName)}** (${escapeInline(h.mode)}, ${escapeInline(h.trigger)}): ${escapeInline(h.status)}${healthReason(h)}`
      );
      for (const p of h.problems)
        lines.push(`  - ${escapeInline(p.kind)}: ${escapeInline(p.message)}`);
      if (h.retrigger)
        lines.push(
          `  - re-trigger: ${escapeInline(h.retrigger.action)}: ${escapeInline(h.retrigger.reason)}`
        );
    }
    for (const task of r.failedTasks.slice(0, MAX_ROWS_PER_STATE)) {
      lines.push(
        `- task ${task.taskId} of execution ${task.executionId} (${escapeInline(task.policyName)}) ${escapeInline(task.status)}: ${escapeInline(task.srcResource)} → ${escapeInline(task.dstResource)}`
      );
      for (const line of task.logExcerpt ?? [])
        lines.push(`  - ${codeSpan(line)}`);
    }
    lines.push('');
  }
  if (r.retriggered.length > 0) {
    lines.push('### Re-triggered replications', '');
    for (const x of r.retriggered) {
      lines.push(
        `- ${escapeInline(x.policyName)}${x.dryRun ? ' (dry run)' : ''}: ${escapeInline(x.reason)} → ${escapeInline(x.outcome)}${x.executionId !== undefined ? ` (execution ${x.executionId})` : ''}${x.detail ? `: ${escapeInline(x.detail)}` : ''}`
      );
    }
    lines.push('');
  }
  return lines;
}

type PolicyHealth = NonNullable<TargetReport['replication']['health']>[number];

/**
 * Why a policy's health is a problem when no execution problem says it: the refs the audit
 * attributes to it (a policy whose executions all succeeded can still leave refs behind).
 */
function healthReason(h: PolicyHealth): string {
  const { missing, mismatched } = h.attributable;
  const refs = [
    missing > 0 ? `${missing.toString()} missing` : '',
    mismatched > 0 ? `${mismatched.toString()} mismatched` : '',
  ].filter((x) => x !== '');
  if (refs.length > 0) {
    const n = missing + mismatched;
    return `: ${refs.join(' and ')} ${n === 1 ? 'ref' : 'refs'} attributable to it${h.problems.length === 0 ? ', although its executions succeeded' : ''}`;
  }
  if (h.status === 'problem' && h.problems.length === 0)
    return ' (no reason recorded)';
  return '';
}

/** Scopes listed per reason before the rest is counted. */
const MAX_SCOPES = 10;

/**
 * One item per distinct reason (a 401 for every repository is said once), with the scopes
 * it was given for; a reason given for one scope reads `scope: reason` as before.
 */
function reasonLines(
  errors: readonly { scope: string; message: string }[],
  icon: string
): string[] {
  return distinctReasons(errors).map((g) => {
    if (g.scopes.length === 1)
      return `- ${icon}${codeSpan(g.scopes[0] ?? '')}: ${escapeInline(g.reason)}`;
    const shown = g.scopes.slice(0, MAX_SCOPES).map((x) => codeSpan(x));
    const more =
      g.scopes.length > MAX_SCOPES
        ? `, and ${(g.scopes.length - MAX_SCOPES).toString()} more`
        : '';
    return `- ${icon}${escapeInline(g.reason)} (${plural(g.scopes.length, 'scope')}: ${shown.join(', ')}${more})`;
  });
}

function short(digest: string | undefined): string {
  if (!digest) return '—';
  const [alg, hex] = digest.split(':');
  return codeSpan(`${alg ?? ''}:${(hex ?? '').slice(0, 12)}`, 'cell');
}

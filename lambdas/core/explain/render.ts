/** The explanation for people, on a terminal: upstream text as plain text, one fact a line. */
import { plainText } from '../report/format';
import { refText } from './ref';
import type { Explanation, FilterStep, TargetExplanation } from './schema';

const STEP_ICON: Record<FilterStep['outcome'], string> = {
  passed: 'pass',
  rejected: 'REJECT',
  error: 'ERROR',
  'not-applied': 'n/a',
  'not-evaluated': '-',
};

function short(digest: string | null | undefined): string {
  if (digest === null || digest === undefined) return '—';
  const [alg, hex] = digest.split(':');
  return `${alg ?? ''}:${(hex ?? '').slice(0, 12)}`;
}

/** The text answer of `harbor-dr explain`. */
export function renderExplanation(e: Explanation): string {
  const t = plainText;
  const lines: string[] = [];
  lines.push(
    `${t(refText(e.ref))} on ${t(e.primary.name)} (${t(e.primary.url)})`
  );
  if (e.primary.holds === null) {
    lines.push(
      `  UNKNOWN: the primary could not be read: ${t(e.primary.error ?? '')}`
    );
  } else if (!e.primary.holds) {
    lines.push('  not on the primary');
  } else {
    lines.push(
      `  digest ${t(e.primary.digest ?? '')}${e.primary.tags && e.primary.tags.length > 0 ? `, tags ${e.primary.tags.map(t).join(', ')}` : ''}${e.primary.pushTime ? `, pushed ${t(e.primary.pushTime)}` : ''}`
    );
  }
  lines.push(`  filters: ${t(e.matching.note)}`, '', 'Policies:');
  if (e.policies.length === 0)
    lines.push('  none on the primary or its Harbor targets');
  for (const p of e.policies) {
    const flags = [
      p.policy.mode,
      p.policy.trigger + (p.policy.cron ? ` ${p.policy.cron}` : ''),
      p.policy.enabled ? 'enabled' : 'DISABLED',
      p.inScope ? 'audited' : 'not audited',
    ];
    lines.push(
      `  ${p.matched ? '✓' : '✗'} ${t(p.policy.name)} → ${p.target === null ? '(no configured target)' : t(p.target)} [${flags.join(', ')}]`,
      `      ${t(p.reason)}`
    );
    for (const f of p.filters) {
      lines.push(
        `      ${STEP_ICON[f.outcome].padEnd(6)} ${f.type} ${f.decoration} ${t(JSON.stringify(f.value))}: ${t(f.detail)}`
      );
    }
    if (p.filters.length === 0)
      lines.push('      (no filters: every repository and tag)');
    const ns =
      p.policy.destNamespace === '' ? '(source path)' : p.policy.destNamespace;
    if (p.destination) {
      lines.push(
        `      ${p.matched ? 'destination' : 'would land at'} ${t(p.destination.repository)}:${t(p.destination.reference)} (namespace ${t(ns)}, flattening ${String(p.policy.replaceCount)})`
      );
    } else if (p.destinationError !== undefined) {
      lines.push(`      destination: none: ${t(p.destinationError)}`);
    }
    for (const w of p.warnings) lines.push(`      warning: ${t(w)}`);
  }
  for (const target of e.targets) lines.push('', ...renderTarget(target));
  if (e.notes.length > 0) {
    lines.push('', 'Notes:');
    for (const n of e.notes) lines.push(`  ${t(n)}`);
  }
  return `${lines.join('\n')}\n`;
}

function renderTarget(target: TargetExplanation): string[] {
  const t = plainText;
  const lines = [`Target ${t(target.name)} (${t(target.kind)}):`];
  if (target.notCovered !== undefined)
    lines.push(`  not covered: ${t(target.notCovered)}`);
  for (const d of target.destinations) {
    const h = d.holding;
    lines.push(
      `  at ${t(d.repository)}:${t(d.reference)}${d.policies.length > 0 ? ` (by ${d.policies.map(t).join(', ')})` : ' (no policy in scope selects the ref)'}`
    );
    if (!h.observed) {
      lines.push(`    holds: UNKNOWN (${t(h.reason ?? 'not observed')})`);
    } else if (h.repositoryExists === false) {
      lines.push('    holds: the repository does not exist on the target');
    } else {
      const parts = [
        h.tagDigest !== undefined
          ? h.tagDigest === null
            ? 'no such tag'
            : `tag → ${h.tagDigest}`
          : '',
        h.digestPresent !== undefined
          ? `expected digest ${short(d.expectedDigest)} ${h.digestPresent ? 'present' : 'absent'}`
          : '',
        h.pushTime ? `pushed ${t(h.pushTime)}` : '',
      ].filter((x) => x !== '');
      lines.push(
        `    holds: ${parts.join('; ') || 'the repository, not this ref'}`
      );
    }
    for (const f of d.findings) {
      lines.push(
        `    finding: ${f.state}: expected ${short(f.expectedDigest)}, found ${short(f.observedDigest)}${f.detail ? ` (${t(f.detail)})` : ''}`
      );
    }
    if (d.findings.length === 0) lines.push('    finding: none');
  }
  if (target.tasks.length > 0) lines.push('  latest tasks that touched it:');
  for (const task of target.tasks) {
    lines.push(
      `    ${t(task.policyName)}: execution ${String(task.executionId)} (${t(task.executionTrigger)}, ${t(task.executionStatus)}${task.executionStart ? `, ${t(task.executionStart)}` : ''}) task ${String(task.taskId)} ${t(task.operation)} ${t(task.status)}: ${t(task.srcResource)} → ${t(task.dstResource)}`
    );
    if (task.logNames !== 'ref')
      lines.push(
        task.logNames === 'repository'
          ? '      (no log line names this tag or digest; the lines naming its repository:)'
          : '      (no log line names the ref or its repository; the last lines:)'
      );
    for (const l of task.log) lines.push(`      | ${t(l)}`);
  }
  for (const err of target.taskErrors) lines.push(`  UNKNOWN tasks: ${t(err)}`);
  if (target.retrigger.length > 0) lines.push('  re-trigger:');
  for (const r of target.retrigger) {
    lines.push(
      `    ${r.wouldStart ? 'start' : 'no   '} ${t(r.policyName)}: ${t(r.reason)}`
    );
  }
  return lines;
}

import { plainText } from '../format';
import type { Report } from '../schema';

/** Lines for the terminal: policies with problems, re-triggers and their outcomes. */
export function renderReplicationSummary(report: Report): string {
  const lines: string[] = [];
  for (const t of report.targets) {
    for (const h of t.replication.health ?? []) {
      if (h.status === 'healthy' && !h.retrigger) continue;
      const first = h.problems[0];
      const parts = [
        `${h.policyName} (${h.mode})`,
        h.status.toUpperCase(),
        h.attributable.missing > 0
          ? `${h.attributable.missing.toString()} missing`
          : '',
        h.attributable.mismatched > 0
          ? `${h.attributable.mismatched.toString()} mismatched`
          : '',
        first ? `${first.kind}: ${first.message}` : '',
        h.problems.length > 1
          ? `(+${(h.problems.length - 1).toString()} more)`
          : '',
      ].filter((p) => p !== '');
      lines.push(`  ${t.name}: ${parts.join(', ')}`);
      for (const s of h.stops ?? []) {
        lines.push(
          `    stop execution ${s.executionId.toString()}: ${s.outcome}${s.detail ? ` (${s.detail})` : ''}`
        );
      }
      if (h.retrigger?.action === 'skip') {
        lines.push(`    not re-triggered: ${h.retrigger.reason}`);
      }
    }
    for (const r of t.replication.retriggered) {
      const verify = r.verify
        ? `; verify: ${r.verify.outcome}${r.verify.detail ? ` (${r.verify.detail})` : ''}`
        : '';
      lines.push(
        `  ${t.name}: re-trigger ${r.policyName}${r.dryRun ? ' (dry run)' : ''}: ${r.outcome}${r.executionId !== undefined ? ` (execution ${r.executionId.toString()})` : ''}${r.detail ? ` (${r.detail})` : ''}${verify}`
      );
    }
  }
  // Plain text: each line is cleared of control characters (line breaks, terminal escapes).
  return lines.length === 0
    ? ''
    : `Replication:\n${lines.map(plainText).join('\n')}\n`;
}

import type { PlannedRun } from '../use-cases/audit';
import type { ExpectedRef } from '../core/model';

/** Repositories listed per policy and target before the rest is summed up. */
const MAX_REPOS = 50;

/** The plan for people: per target and policy, the destination refs, errors and warnings. */
export function renderPlan(planned: PlannedRun): string {
  const lines: string[] = [];
  const matching = planned.plan.matching;
  // A guessed version is already one of the warnings below.
  if (matching && matching.source !== 'default')
    lines.push(`filters: ${matching.note}`);
  for (const e of planned.errors)
    lines.push(`UNKNOWN ${e.scope}: ${e.message}`);
  for (const w of planned.warnings) lines.push(`warning: ${w}`);
  for (const w of planned.plan.warnings)
    lines.push(`warning: ${w.policy}: ${w.message}`);
  for (const t of planned.plan.targets) {
    lines.push(
      '',
      `${t.target} (${t.kind}): ${t.expected.length} expected refs`
    );
    for (const u of t.unknownScopes) {
      lines.push(
        `  UNKNOWN ${u.destinationPrefix || '*'} (policy ${u.policy}): ${u.reason}`
      );
    }
    for (const e of t.policyErrors) {
      lines.push(
        `  ERROR policy ${e.policy.name}${e.repository ? ` ${e.repository}` : ''}: ${e.message}`
      );
    }
    for (const w of t.warnings)
      lines.push(`  warning: policy ${w.policy}: ${w.message}`);
    for (const c of t.collisions) {
      lines.push(
        `  COLLISION ${c.repository}:${c.reference} ← ${(c.collision ?? [])
          .map(
            (x) =>
              `${x.source.repository}:${x.source.reference} (${x.policy.name})`
          )
          .join(', ')}`
      );
    }
    const byPolicy = new Map<string, ExpectedRef[]>();
    for (const r of t.expected) {
      const list = byPolicy.get(r.policy.name) ?? [];
      list.push(r);
      byPolicy.set(r.policy.name, list);
    }
    for (const [policy, refs] of byPolicy) {
      lines.push(`  policy ${policy}: ${refs.length} refs`);
      const byRepo = new Map<string, string[]>();
      for (const r of refs) {
        const list = byRepo.get(r.repository) ?? [];
        list.push(r.byDigest ? `@${r.digest.slice(0, 19)}` : r.reference);
        byRepo.set(r.repository, list);
      }
      const repos = [...byRepo].sort(([a], [b]) => (a < b ? -1 : 1));
      for (const [repo, refNames] of repos.slice(0, MAX_REPOS)) {
        lines.push(`    ${repo}: ${refNames.join(', ')}`);
      }
      if (repos.length > MAX_REPOS) {
        lines.push(
          `    … ${repos.length - MAX_REPOS} more repositories (--json lists all)`
        );
      }
    }
  }
  return `${lines.join('\n').trimStart()}\n`;
}

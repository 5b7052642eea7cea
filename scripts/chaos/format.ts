/** The campaign's figures as text: runs, faults by kind, problem counts, failing seeds. */
import {
  PROBLEM_KINDS,
  type CampaignResult,
  type ProblemKind,
} from './campaign';
import { FAULT_KINDS } from './faults';

const LABELS: Record<ProblemKind, string> = {
  falseGreens: 'false greens',
  lostReports: 'lost reports',
  leaks: 'leaks',
  wrongResults: 'wrong results (false problems in seen scopes)',
  unexplainedUnknowns: 'UNKNOWN without a reason',
  exitMismatches: 'exit code / notification disagreeing with the verdicts',
  deadlineOverruns: `deadline overruns (> deadline + grace)`,
};

/** Runs with problems, per problem kind, then each failing run with its replay command. */
export function formatCampaign(r: CampaignResult, maxDetails = 4): string {
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `Runs: ${r.runs.toString()} (seed ${r.seed.toString()}; clean run ${r.cleanRunMs.toString()} ms, deadline ${r.deadlineMs.toString()} ms)`
  );
  lines.push('Faults drawn (reached) by kind:');
  for (const k of FAULT_KINDS) {
    if (r.undrawable.includes(k)) {
      lines.push(
        `  ${k.padEnd(34)} not drawable: no request of this lab can receive it`
      );
      continue;
    }
    lines.push(
      `  ${k.padEnd(34)} ${r.drawn[k].toString().padStart(5)} (${r.fired[k].toString()})`
    );
  }
  const total = FAULT_KINDS.reduce((n, k) => n + r.drawn[k], 0);
  lines.push(`  ${'total'.padEnd(34)} ${total.toString().padStart(5)}`);
  lines.push('Runs with:');
  for (const k of PROBLEM_KINDS) {
    lines.push(`  ${LABELS[k].padEnd(58)} ${r.runsWith[k].toString()}`);
  }
  if (r.failing.length === 0) {
    lines.push('No problem found.');
    return lines.join('\n');
  }
  lines.push('');
  lines.push(`Failing runs (${r.failing.length.toString()}):`);
  for (const o of r.failing) {
    lines.push(
      `- seed ${r.seed.toString()} run ${o.index.toString()}: npm run chaos -- --seed ${r.seed.toString()} --run ${o.index.toString()}${o.kept ? `   (reports: ${o.kept})` : ''}`
    );
    for (const f of o.faults) {
      lines.push(
        `    fault ${f.kind} on ${f.upstream}${f.method ? ` ${f.method} ${f.path ?? ''}` : ''}${f.persistent ? ' (every time)' : ' (once)'}${f.fired > 0 ? `, applied ${f.fired.toString()}×` : ', never reached'}`
      );
    }
    for (const k of PROBLEM_KINDS) {
      const items = o.problems[k];
      for (const item of items.slice(0, maxDetails))
        lines.push(`    ${LABELS[k]}: ${item}`);
      if (items.length > maxDetails)
        lines.push(
          `    … ${(items.length - maxDetails).toString()} more ${LABELS[k]}`
        );
    }
  }
  return lines.join('\n');
}

/**
 * `npm run demo`: the embedded lab (a primary Harbor, a DR Harbor, two cluster registries with
 * realistic replication problems), then the plan (filters as the lab's Harbor 2.10.1 reads
 * them), the audit and the failover readiness report against it, with summaries on the
 * terminal and the reports in ./reports.
 */
import { resolve } from 'node:path';
import { startDemoLab } from '../lab/index';
import { describeLab } from '../lambdas/cli/commands/lab';
import { runCli } from '../lambdas/cli/program';
import { processIo } from '../lambdas/cli/io';
import { version } from '../package.json';

async function main(): Promise<number> {
  processIo.out('Starting the embedded lab…\n');
  const lab = await startDemoLab();
  try {
    const { configPath } = lab.writeConfig(resolve('.lab'));
    processIo.out(describeLab(lab, configPath));
    // First the plan: both lab Harbors run 2.10.1, so filters match as doublestar v1.1.1 does
    // there (a brace with "/" is a policy that cannot run), not as a newer release would.
    processIo.out('\n$ harbor-dr plan --config .lab/harbor-dr.yaml\n');
    const plan = await runCli(
      ['plan', '--config', configPath],
      processIo,
      version
    );
    processIo.out(
      `\nExit code ${plan}: ${plan === 0 ? 'nothing to flag' : plan === 1 ? 'a policy that cannot run (as the demo intends)' : plan === 2 ? 'incomplete' : 'error'}.\n`
    );
    processIo.out(
      '\n$ harbor-dr audit --config .lab/harbor-dr.yaml --out reports\n'
    );
    const code = await runCli(
      ['audit', '--config', configPath, '--out', 'reports'],
      processIo,
      version
    );
    processIo.out(
      `\nExit code ${code}: ${code === 0 ? 'in sync' : code === 1 ? 'problems found (as the demo intends)' : code === 2 ? 'incomplete' : 'error'}.\n`
    );
    // Then the failover readiness report: checklist, RPO, metadata drift per target.
    processIo.out(
      '\n$ harbor-dr readiness --config .lab/harbor-dr.yaml --out reports\n'
    );
    const readiness = await runCli(
      ['readiness', '--config', configPath, '--out', 'reports'],
      processIo,
      version
    );
    processIo.out(
      `\nExit code ${readiness}: ${readiness === 0 ? 'ready' : readiness === 1 ? 'not ready (as the demo intends)' : readiness === 2 ? 'incomplete' : 'error'}.\n`
    );
    // The demo's problems are intended: the demo itself succeeded if both runs ran.
    const ran = (c: number) => c === 0 || c === 1 || c === 2;
    return !ran(plan)
      ? plan
      : !ran(code)
        ? code
        : !ran(readiness)
          ? readiness
          : 0;
  } finally {
    await lab.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(4);
  }
);

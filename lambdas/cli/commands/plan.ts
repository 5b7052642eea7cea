import { createCredentialsResolver } from '../../adapters/secrets/credentials';
import { planRun } from '../../use-cases/audit';
import { loadForTargets } from '../config-checks';
import { composeClients } from '../../compose/clients';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';
import { renderPlan } from '../render-plan';
import type { TargetPlan } from '../../core/inventory/plan/types';

export interface PlanOptions {
  config: string;
  json?: boolean;
  /** Only these targets (by name). */
  target?: string[];
  concurrency: number;
}

/**
 * `harbor-dr plan`: what each policy should put on each target, with flattening errors,
 * collisions and warnings. Reads the primary only (and Harbor targets' policies).
 */
export async function planCommand(
  options: PlanOptions,
  io: CliIo
): Promise<ExitCode> {
  const config = loadForTargets(options.config, options.target);
  const clients = await composeClients(config, createCredentialsResolver(), {
    concurrency: options.concurrency,
    ...(options.target ? { onlyTargets: options.target } : {}),
  });
  try {
    const planned = await planRun(
      {
        primary: clients.primary,
        targets: clients.targets,
        clock: { now: () => new Date() },
      },
      {
        runId: 'plan',
        toolVersion: '',
        primary: { name: config.primary.name, url: config.primary.url },
        doublestar: config.primary.doublestar,
        policies: config.policies,
        rpoObjectiveMinutes: config.rpoObjectiveMinutes,
        concurrency: options.concurrency,
        deadline: new Date(Date.now() + 15 * 60_000),
      }
    );
    if (options.json) {
      // The primary's inventory is input, not plan: it would drown the answer.
      const view = {
        assignments: planned.assignments.map((a) => ({
          policy: a.policy.name,
          target: a.target,
          mode: a.mode,
        })),
        warnings: planned.warnings,
        errors: planned.errors,
        plan: { ...planned.plan, targets: planned.plan.targets.map(answerOf) },
      };
      io.out(`${JSON.stringify(view, null, 2)}\n`);
    } else {
      io.out(renderPlan(planned));
    }
    const unknown =
      planned.errors.length > 0 ||
      planned.plan.targets.some((t) => t.unknownScopes.length > 0);
    const problems = planned.plan.targets.some(
      (t) => t.policyErrors.length > 0 || t.collisions.length > 0
    );
    if (unknown) return EXIT.INCOMPLETE;
    return problems ? EXIT.PROBLEMS : EXIT.OK;
  } finally {
    await clients.close();
  }
}

/** A target's plan as answered: traits are how the core reads its kind, not part of the answer. */
function answerOf(plan: TargetPlan): Omit<TargetPlan, 'traits'> {
  const answer: Omit<TargetPlan, 'traits'> & { traits?: unknown } = { ...plan };
  delete answer.traits;
  return answer;
}

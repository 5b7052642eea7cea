import { runAudit } from './audit';
import { actSettings, runJob } from './job';
import type { JobDeps, JobInput, JobResult } from './job';

/**
 * One audit run, end to end, for the CLI and the Lambda alike (see runJob): the audit acts as
 * configured (re-triggers, stops), with earlier audits for the health look-back window and
 * re-trigger cooldowns across runs.
 */
export function runAuditJob(
  deps: JobDeps,
  input: JobInput
): Promise<JobResult> {
  return runJob(deps, input, {
    kind: 'audit',
    history: ['audit'],
    historyWarning:
      'earlier reports could not be read; cooldowns use Harbor only',
    run: ({ clients, settings, history, actsHeld }) =>
      runAudit(
        {
          primary: clients.primary,
          targets: clients.targets,
          clock: deps.clock,
          replication: { ...clients.replication, history },
        },
        {
          ...settings,
          replication: actSettings(input.config.retrigger, { actsHeld }),
          // First-seen times on plain registries, for replication delays.
          history,
        }
      ),
  });
}

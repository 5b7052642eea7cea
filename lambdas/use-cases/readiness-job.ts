import { runReadiness } from './readiness';
import { runJob } from './job';
import type { JobDeps, JobInput, JobResult } from './job';

/**
 * One failover readiness run, end to end, for the CLI and the Lambda alike (see runJob): the
 * audit with replication health but without acting, then the checklist per target, with
 * earlier audits and readiness runs for the trend, first-seen delays and the last audit.
 */
export function runReadinessJob(
  deps: JobDeps,
  input: JobInput
): Promise<JobResult> {
  return runJob(deps, input, {
    kind: 'readiness',
    history: ['audit', 'readiness'],
    historyWarning: 'earlier reports could not be read',
    run: ({ clients, settings, history, historyError }) =>
      runReadiness(
        {
          primary: clients.primary,
          targets: clients.targets,
          clock: deps.clock,
          primaryMetadata: clients.primaryMetadata,
          replication: {
            ...clients.replication,
            history: history.filter((r) => r.kind === 'audit'),
          },
        },
        {
          ...settings,
          // Readiness looks, it never acts: health is read, nothing is started or stopped.
          replication: { ...input.config.retrigger, enabled: false },
          history,
          ...(historyError !== undefined ? { historyError } : {}),
        }
      ),
  });
}

import { errorMessage } from '../core/errors';
import { runReadiness } from './readiness';
import type { Report } from '../core/report/schema';
import { publish, startRun } from './audit-job';
import type { AuditJobInput, JobDeps, JobResult } from './audit-job';
import { composeReadiness } from '../compose/readiness-clients';

/** What a readiness job is asked to do: the same as an audit job. */
export type ReadinessJobInput = AuditJobInput;

/** Earlier reports of each kind read for the trend, first-seen delays and the last audit. */
const HISTORY_REPORTS = 24;

/**
 * One failover readiness run, end to end, for the CLI and the Lambda alike (the same shape as
 * runAuditJob).
 *
 * Primary course:
 * 1. build the audit's clients and the readiness adapters from the config;
 * 2. read earlier reports (audit and readiness) from the store;
 * 3. run readiness (core): the audit with replication health but without acting, then the
 *    checklist per target;
 * 4. write the JSON and human reports (latest.json last), notify as configured.
 */
export async function runReadinessJob(
  deps: JobDeps,
  input: ReadinessJobInput
): Promise<JobResult> {
  const { runId, concurrency, clients } = await startRun(deps, input);
  const history = await readHistory(deps);
  let report: Report;
  try {
    const readiness = await composeReadiness(
      input.config,
      clients.targets,
      deps.resolveCredentials,
      concurrency
    );
    try {
      report = await runReadiness(
        {
          primary: clients.primary,
          targets: readiness.targets,
          clock: deps.clock,
          primaryMetadata: readiness.primaryMetadata,
          replication: {
            ...clients.replication,
            history: history.reports.filter((r) => r.kind === 'audit'),
          },
        },
        {
          runId,
          toolVersion: input.toolVersion,
          primary: {
            name: input.config.primary.name,
            url: input.config.primary.url,
          },
          policies: input.config.policies,
          rpoObjectiveMinutes: input.config.rpoObjectiveMinutes,
          concurrency,
          deadline: input.deadline,
          // Readiness looks, it never acts: health is read, nothing is started or stopped.
          replication: { ...input.config.retrigger, enabled: false },
          history: history.reports,
          ...(history.error !== undefined
            ? { historyError: history.error }
            : {}),
        }
      );
    } finally {
      await readiness.close();
    }
  } finally {
    await clients.close();
  }
  return publish(
    deps,
    input.config,
    report,
    history.reports.find((r) => r.kind === 'readiness')
  );
}

/** Earlier audits and readiness runs, newest first; a store failure is reported, not fatal. */
async function readHistory(
  deps: JobDeps
): Promise<{ reports: Report[]; error?: string }> {
  try {
    const [audits, readiness] = await Promise.all([
      deps.store.recent('audit', HISTORY_REPORTS),
      deps.store.recent('readiness', HISTORY_REPORTS),
    ]);
    const reports = [...audits, ...readiness].sort((a, b) =>
      b.startedAt.localeCompare(a.startedAt)
    );
    return { reports };
  } catch (err) {
    deps.warn?.('earlier reports could not be read', {
      error: errorMessage(err),
    });
    return { reports: [], error: errorMessage(err) };
  }
}

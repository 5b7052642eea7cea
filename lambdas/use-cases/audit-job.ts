import { randomBytes } from 'node:crypto';
import { runAudit } from './audit';
import { errorMessage } from '../core/errors';
import { buildNotification, shouldNotify } from '../core/report/notify';
import type { Clock, Notifier, ReportStore } from '../core/ports';
import type { Report } from '../core/report/schema';
import { makeRunId } from '../core/report/layout';
import { renderMarkdown } from '../core/report/render/markdown';
import type { CredentialsResolver } from '../adapters/secrets/credentials';
import type { HarborDrConfig } from '../shared/config';
import { composeClients } from '../compose/clients';
import type { Clients } from '../compose/clients';

/** The outer ports of a job: where reports go, who is told, time, secrets. */
export interface JobDeps {
  store: ReportStore;
  /** Absent: nobody is notified (the CLI prints the summary itself). */
  notifier?: Notifier;
  clock: Clock;
  resolveCredentials: CredentialsResolver;
  /** Told about problems that must not fail the run (a failed notification). */
  warn?: (message: string, detail?: Record<string, unknown>) => void;
}

/** What a job is asked to do. */
export interface AuditJobInput {
  config: HarborDrConfig;
  toolVersion: string;
  /** Work not started by then is reported as not audited. */
  deadline: Date;
  /** Only these targets. @default all */
  targets?: readonly string[];
  /** Calls in flight per upstream. @default 8 */
  concurrency?: number;
}

/** Earlier audit reports read for cooldowns: a day of hourly runs (each one is a read). */
const HISTORY_REPORTS = 24;

/** What a job produced. */
export interface JobResult {
  report: Report;
  locations: { json: string; human: string; latest: string };
  notified: boolean;
}

/**
 * One audit run, end to end, for the CLI and the Lambda alike.
 *
 * Primary course:
 * 1. build the clients from the config;
 * 2. run the audit (core) within the deadline;
 * 3. write the JSON and human reports (latest.json last);
 * 4. notify as configured; a failed notification never loses the report.
 */
export async function runAuditJob(
  deps: JobDeps,
  input: AuditJobInput
): Promise<JobResult> {
  const { runId, concurrency, clients } = await startRun(deps, input);
  // Earlier audits: the health look-back window and re-trigger cooldowns across runs.
  const history = await deps.store
    .recent('audit', HISTORY_REPORTS)
    .catch((err: unknown) => {
      deps.warn?.(
        'earlier reports could not be read; cooldowns use Harbor only',
        {
          error: errorMessage(err),
        }
      );
      return [];
    });
  let report: Report;
  try {
    report = await runAudit(
      {
        primary: clients.primary,
        targets: clients.targets,
        clock: deps.clock,
        replication: { ...clients.replication, history },
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
        replication: input.config.retrigger,
        // First-seen times on plain registries, for replication delays.
        history,
      }
    );
  } finally {
    await clients.close();
  }
  return publish(deps, input.config, report, history[0]);
}

/** What every job starts with: a run id and the clients of the configured registries. */
export async function startRun(
  deps: JobDeps,
  input: AuditJobInput
): Promise<{ runId: string; concurrency: number; clients: Clients }> {
  const runId = makeRunId(deps.clock.now(), randomBytes(3).toString('hex'));
  const concurrency = input.concurrency ?? 8;
  const clients = await composeClients(input.config, deps.resolveCredentials, {
    concurrency,
    ...(input.targets ? { onlyTargets: input.targets } : {}),
  });
  return { runId, concurrency, clients };
}

/**
 * Stores a report, then notifies as configured.
 * @param previous the newest earlier report of the same kind (read with the run's history),
 *   for `notify.on: change`; undefined when there is none or it could not be read
 */
export async function publish(
  deps: JobDeps,
  config: HarborDrConfig,
  report: Report,
  previous: Report | undefined
): Promise<JobResult> {
  const locations = await deps.store.save(report, renderMarkdown(report));
  let notified = false;
  if (deps.notifier && shouldNotify(config.notify.on, report, previous)) {
    try {
      await deps.notifier.publish(buildNotification(report, locations.json));
      notified = true;
    } catch (err) {
      deps.warn?.('notification failed; the report is stored', {
        report: locations.json,
        error: errorMessage(err),
      });
    }
  }
  return { report, locations, notified };
}

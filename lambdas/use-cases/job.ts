/**
 * What every job (audit, readiness) needs and returns, and the course they share: a run id,
 * the clients, earlier reports, the use case, then publish.
 */
import { randomBytes } from 'node:crypto';
import type { AuditInput } from './audit';
import { publish } from './publish';
import { DeadlineError, errorMessage } from '../core/errors';
import type { Clock, Notifier, ReportStore } from '../core/ports';
import type { Report, ReportKind } from '../core/report/schema';
import { makeRunId } from '../core/report/layout';
import type { CredentialsResolver } from '../adapters/secrets/credentials';
import type { HarborDrConfig } from '../shared/config';
import { composeClients } from '../compose/clients';
import type { Clients } from '../compose/clients';
import { tell, type ProgressListener } from './progress';

/** The outer ports of a job: where reports go, who is told, time, secrets. */
export interface JobDeps {
  store: ReportStore;
  /** Absent: nobody is notified (the CLI prints the summary itself). */
  notifier?: Notifier;
  clock: Clock;
  resolveCredentials: CredentialsResolver;
  /** Told about problems that must not fail the run (a failed notification). */
  warn?: (message: string, detail?: Record<string, unknown>) => void;
  /** Told as the run goes: requests sent, shards and targets done (the CLI's progress). */
  onProgress?: ProgressListener;
}

/** What a job is asked to do. */
export interface JobInput {
  config: HarborDrConfig;
  toolVersion: string;
  /**
   * When work stops: nothing starts after it and requests in flight are aborted (their scope
   * is reported unknown), leaving the time after it to write the reports and notify. See
   * {@link workDeadline}.
   */
  deadline: Date;
  /** Only these targets. @default all */
  targets?: readonly string[];
  /** Calls in flight per upstream. @default 8 */
  concurrency?: number;
}

/** What a job produced. */
export interface JobResult {
  report: Report;
  locations: { json: string; human: string; latest: string };
  notified: boolean;
}

/** A job, as the CLI and the Lambda handlers run it. */
export type Job = (deps: JobDeps, input: JobInput) => Promise<JobResult>;

/** What a use case is handed by the job: the clients, its settings, earlier reports. */
export interface RunContext {
  clients: Clients;
  /** The settings every use case shares (the audit's input, less its own sections). */
  settings: Omit<AuditInput, 'history' | 'replication'>;
  /** Earlier reports of the kinds asked for, newest first. */
  history: Report[];
  /** Set when the store could not be read (history is then empty). */
  historyError?: string;
}

/** What a job runs, and the earlier reports it reads. */
export interface UseCase {
  /** The kind of report it writes: the newest earlier one decides `notify.on: change`. */
  kind: ReportKind;
  /** Earlier reports it reads, of these kinds. */
  history: readonly ReportKind[];
  /** Logged when they cannot be read (the run goes on without them). */
  historyWarning: string;
  run(context: RunContext): Promise<Report>;
}

/** Earlier reports read per kind: a day of hourly runs (each one is a read). */
const HISTORY_REPORTS = 24;

/**
 * One run of a use case, end to end, for the CLI and the Lambda alike.
 *
 * Primary course:
 * 1. build the clients from the config;
 * 2. read earlier reports (a store failure is reported, not fatal);
 * 3. run the use case within the deadline; the clients are closed whatever happens;
 * 4. store the reports and notify as configured (publish).
 */
export async function runJob(
  deps: JobDeps,
  input: JobInput,
  useCase: UseCase
): Promise<JobResult> {
  const { settings, clients, stop } = await startRun(deps, input);
  let report: Report;
  let history: Awaited<ReturnType<typeof readHistory>>;
  try {
    history = await readHistory(deps, useCase);
    report = await useCase.run({ clients, settings, ...history });
  } finally {
    stop();
    await clients.close();
  }
  return publish(
    deps,
    input.config,
    report,
    history.history.find((r) => r.kind === useCase.kind)
  );
}

/**
 * What every job starts with: a run id, its settings, the run's deadline as one abort signal
 * (in the settings, and held by every HTTP client), and the configured registries' clients.
 * `stop()` disarms the deadline once the use case is done.
 */
export async function startRun(
  deps: Pick<JobDeps, 'clock' | 'resolveCredentials' | 'onProgress'>,
  input: JobInput
): Promise<{
  settings: RunContext['settings'];
  clients: Clients;
  stop: () => void;
}> {
  const runId = makeRunId(deps.clock.now(), randomBytes(3).toString('hex'));
  const concurrency = input.concurrency ?? 8;
  const deadline = armDeadline(input.deadline, deps.clock.now());
  const { onProgress } = deps;
  let clients: Clients;
  try {
    clients = await composeClients(input.config, deps.resolveCredentials, {
      concurrency,
      signal: deadline.signal,
      ...(input.targets ? { onlyTargets: input.targets } : {}),
      ...(onProgress
        ? {
            onRequest: (registry: string) => {
              tell(onProgress, { kind: 'request', registry });
            },
          }
        : {}),
    });
  } catch (err) {
    deadline.stop();
    throw err;
  }
  const { config } = input;
  return {
    settings: {
      runId,
      toolVersion: input.toolVersion,
      primary: { name: config.primary.name, url: config.primary.url },
      doublestar: config.primary.doublestar,
      policies: config.policies,
      rpoObjectiveMinutes: config.rpoObjectiveMinutes,
      concurrency,
      deadline: input.deadline,
      signal: deadline.signal,
      ...(onProgress ? { onProgress } : {}),
    },
    clients,
    stop: deadline.stop,
  };
}

/** The run's deadline as one abort signal. */
export interface RunDeadline {
  /** Aborts (with a DeadlineError) at the deadline. */
  signal: AbortSignal;
  /** Disarms the timer (the run is over). */
  stop: () => void;
}

// setTimeout fires at once beyond this (about 24.8 days).
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Arms the run's deadline: ONE abort signal, passed down to every request, retry wait,
 * polling loop and concurrency loop of the run, that aborts when `deadline` comes (measured
 * from `now`, the job's clock).
 */
export function armDeadline(deadline: Date, now: Date): RunDeadline {
  const controller = new AbortController();
  const fire = (): void => {
    controller.abort(new DeadlineError());
  };
  const ms = deadline.getTime() - now.getTime();
  if (ms <= 0) {
    fire();
    return { signal: controller.signal, stop: () => undefined };
  }
  const timer = setTimeout(fire, Math.min(ms, MAX_TIMER_MS));
  // Nothing to cut once nothing else is pending: the timer alone keeps no process alive.
  timer.unref();
  return {
    signal: controller.signal,
    stop: () => {
      clearTimeout(timer);
    },
  };
}

/** At most a minute is kept back to write the reports and notify. */
const MAX_REPORT_RESERVE_MS = 60_000;

/**
 * When work must stop so that the reports are still written and sent within `budgetMs`
 * (the Lambda's remaining time, the CLI's --deadline-minutes): the budget less a reserve
 * of a fifth of it, at most a minute.
 */
export function workDeadline(budgetMs: number, now: Date): Date {
  const reserve = Math.min(MAX_REPORT_RESERVE_MS, Math.floor(budgetMs / 5));
  return new Date(now.getTime() + budgetMs - reserve);
}

/** Earlier reports of the use case's kinds, newest first. */
async function readHistory(
  deps: JobDeps,
  useCase: UseCase
): Promise<Pick<RunContext, 'history' | 'historyError'>> {
  try {
    const lists = await Promise.all(
      useCase.history.map((kind) => deps.store.recent(kind, HISTORY_REPORTS))
    );
    const history =
      lists.length === 1
        ? (lists[0] ?? [])
        : lists.flat().sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return { history };
  } catch (err) {
    deps.warn?.(useCase.historyWarning, { error: errorMessage(err) });
    return { history: [], historyError: errorMessage(err) };
  }
}

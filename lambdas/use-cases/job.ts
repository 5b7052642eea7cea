/**
 * What every job (audit, readiness) needs and returns, and the course they share: a run id,
 * the clients, earlier reports, the use case, then publish.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AuditInput } from './audit';
import { publish } from './publish';
import { DeadlineError, errorMessage } from '../core/errors';
import type {
  Clock,
  Notifier,
  ReportLocations,
  ReportStore,
  RunLease,
} from '../core/ports';
import type { Report, ReportKind } from '../core/report/schema';
import { makeRunId } from '../core/report/layout';
import { HTML_HISTORY_RUNS } from '../core/report/render/html';
import {
  LEASE_CLAIM_ATTEMPTS,
  claimIdOf,
  claimTooLate,
  decideLease,
  leaseMarker,
  liveHolder,
  takesLease,
  settleMs,
  skippedMessage,
  type LeaseMarker,
} from '../core/report/lease';
import type { ReplicationSettings } from '../core/replication/settings';
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
  /**
   * The run lease (core/report/lease.ts): at most one run proceeds at a time. The CLI and
   * the Lambdas pass their report store; absent, no lease is taken (tests, benchmarks).
   */
  lease?: RunLease;
  /** Waits (the lease's settle time). @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * What a run's event may narrow (the Lambda's event, the state machine's input, kept with a
 * distributed run's plan): the Scheduler sends `{}`; an on-demand run may narrow it. Unknown
 * fields are refused: a misspelt `target` must not silently audit everything.
 */
export const runEventSchema = z.strictObject({
  /** Only these targets (by configured name). */
  targets: z
    .array(z.string().min(1))
    .min(1, { error: 'must list at least one target name' })
    .optional(),
  /** Re-trigger decisions are made and reported but not carried out. */
  dryRun: z.boolean().optional(),
  /** Overrides the config's `retrigger.enabled` for this run. */
  retrigger: z.boolean().optional(),
});

/** A parsed run event. */
export type RunEvent = z.infer<typeof runEventSchema>;

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
  /**
   * The run's id when it was made before the job (a distributed run's, by its plan): the
   * report and the lease marker carry it (the lease claims with an id of its own, made as it
   * claims). @default made as the job starts
   */
  runId?: string;
}

/** What a job produced. */
export interface JobResult {
  report: Report;
  locations: ReportLocations;
  notified: boolean;
}

/**
 * The run did not proceed: another run holds the lease. Nothing was read, written or sent;
 * the run's own marker is deleted. The CLI exits 2 with its message, the Lambda handlers
 * return it as their result (not an error: Lambda must not retry it).
 */
export class RunSkippedError extends Error {
  constructor(
    /** The run that yielded. */
    readonly runId: string,
    /** The run holding the lease. */
    readonly holder: LeaseMarker
  ) {
    super(skippedMessage(holder));
    this.name = 'RunSkippedError';
  }
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
  /**
   * Set when the run must not act (re-trigger, stop), with why: its lease could not be
   * checked, so another run may be acting at the same time. See {@link actSettings}.
   */
  actsHeld?: string;
}

/**
 * The act step's settings of a run: the config's `retrigger`, held when the run must not
 * act (`actsHeld`: every start and stop is reported not sent, with the reason).
 */
export function actSettings(
  retrigger: HarborDrConfig['retrigger'],
  context: Pick<RunContext, 'actsHeld'>
): ReplicationSettings {
  return context.actsHeld === undefined
    ? retrigger
    : { ...retrigger, held: context.actsHeld };
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

/**
 * Earlier reports read per kind (each one is a read), once per run: a day of hourly runs for
 * the checks, and the HTML report's history.
 */
const HISTORY_REPORTS = Math.max(24, HTML_HISTORY_RUNS);

/**
 * One run of a use case, end to end, for the CLI and the Lambda alike.
 *
 * Primary course:
 * 1. take the run lease (when `deps.lease` is given, audits only: see takesLease); another
 *    run holding it: throw
 *    {@link RunSkippedError} before anything is read;
 * 2. build the clients from the config;
 * 3. read earlier reports (a store failure is reported, not fatal);
 * 4. run the use case within the deadline; the clients are closed whatever happens;
 * 5. store the reports and notify as configured (publish);
 * 6. release the lease, whatever happened (a failed run too).
 *
 * A lease that cannot be checked (the store cannot be written or listed) does not stop the
 * run: it goes on, and says so in its report's errors (scope `run-lease`); but it does not
 * act (`actsHeld`): two runs that could not see each other must not both re-trigger.
 * @throws RunSkippedError when another run holds the lease
 */
export async function runJob(
  deps: JobDeps,
  input: JobInput,
  useCase: UseCase
): Promise<JobResult> {
  const lease = await takeLease(deps, input, useCase.kind);
  // Unchecked: the run audits, but acts on nothing (another run may be acting), and says so.
  const actsHeld =
    lease.error === undefined
      ? undefined
      : `${lease.error}, so it sends no start or stop`;
  try {
    const { settings, clients, stop } = await startRun(
      deps,
      input,
      lease.runId
    );
    let report: Report;
    let history: Awaited<ReturnType<typeof readHistory>>;
    try {
      history = await readHistory(deps, useCase);
      report = await useCase.run({
        clients,
        settings,
        ...history,
        ...(actsHeld !== undefined ? { actsHeld } : {}),
      });
    } finally {
      stop();
      await clients.close();
    }
    if (actsHeld !== undefined) {
      report = {
        ...report,
        errors: [...report.errors, { scope: 'run-lease', message: actsHeld }],
      };
    }
    return await publish(deps, input.config, report, {
      reports: history.history.filter((r) => r.kind === useCase.kind),
      ...(history.historyError !== undefined
        ? { error: history.historyError }
        : {}),
    });
  } finally {
    if (lease.held) await releaseLease(deps, lease.claimId);
  }
}

/** The run's id and claim id, whether it holds a marker to release; `error` when unchecked. */
interface TakenLease {
  runId: string;
  claimId: string;
  held: boolean;
  /** Why overlap could not be ruled out (the run goes on, and says so). */
  error?: string;
}

/**
 * Takes the run lease (core/report/lease.ts): claim, wait for the settle time, list, decide.
 * @throws RunSkippedError when another run holds it
 */
async function takeLease(
  deps: JobDeps,
  input: JobInput,
  kind: ReportKind
): Promise<TakenLease> {
  const { lease } = deps;
  if (!lease || !takesLease(kind)) {
    const runId = input.runId ?? newRunId(deps.clock);
    return { runId, claimId: runId, held: false };
  }
  const sleep = deps.sleep ?? wait;
  const unchecked = (own: LeaseMarker, why: string): TakenLease => {
    const error = `the run lease could not be checked (${why}): this run did not rule out another one at the same time`;
    deps.warn?.(error, { runId: own.runId });
    // Maybe written after all: released at the end, as a held one.
    return { runId: own.runId, claimId: claimIdOf(own), held: true, error };
  };
  for (let attempt = 1; ; attempt++) {
    const startedAt = deps.clock.now();
    // The claim's id is made now, whatever the run's (the proof orders claims by it).
    const claimId = makeRunId(startedAt, randomBytes(3).toString('hex'));
    const own = leaseMarker(
      claimId,
      kind,
      startedAt,
      input.deadline,
      input.runId ?? claimId
    );
    try {
      await lease.claim(own);
    } catch (err) {
      return unchecked(own, `writing its marker failed: ${errorMessage(err)}`);
    }
    if (claimTooLate(startedAt, deps.clock.now(), lease.timing)) {
      if (attempt >= LEASE_CLAIM_ATTEMPTS) {
        return unchecked(
          own,
          `its marker took longer than ${lease.timing.claimMs.toString()} ms to write, ${attempt.toString()} times`
        );
      }
      await releaseLease(deps, claimId);
      continue;
    }
    const settled = startedAt.getTime() + settleMs(lease.timing);
    const left = settled - deps.clock.now().getTime();
    if (left > 0) await sleep(left);
    let markers: LeaseMarker[];
    try {
      markers = await lease.markers();
    } catch (err) {
      return unchecked(own, `listing the markers failed: ${errorMessage(err)}`);
    }
    const decision = decideLease(own, markers, deps.clock.now());
    for (const stale of decision.stale) {
      deps.warn?.('a stale run lease marker (a crashed run?) is deleted', {
        ...stale,
      });
      await releaseLease(deps, claimIdOf(stale));
    }
    if (!decision.proceed) {
      await releaseLease(deps, claimId);
      throw new RunSkippedError(own.runId, decision.holder);
    }
    return { runId: own.runId, claimId, held: true };
  }
}

/**
 * A peek at the run lease, for a run that will take it later (a distributed audit's plan:
 * its merge takes it): a live marker of another run means that run holds the lease (or is
 * claiming it), so this one stops before any work, as its merge would. A peek claims
 * nothing and proves nothing (core/report/lease.ts): the merge still takes the lease. Markers
 * that cannot be listed do not stop the run (told; the merge's claim decides).
 * @throws RunSkippedError when another run's live marker is there
 */
export async function peekLease(
  deps: Pick<JobDeps, 'lease' | 'clock' | 'warn'>,
  runId: string
): Promise<void> {
  if (!deps.lease) return;
  let markers: LeaseMarker[];
  try {
    markers = await deps.lease.markers();
  } catch (err) {
    deps.warn?.(
      'the run lease could not be peeked at; the run goes on (its merge takes the lease)',
      { runId, error: errorMessage(err) }
    );
    return;
  }
  const holder = liveHolder(markers, deps.clock.now(), runId);
  if (holder) throw new RunSkippedError(runId, holder);
}

/** Deletes a marker; a failure is told, never thrown (the marker then expires). */
async function releaseLease(deps: JobDeps, claimId: string): Promise<void> {
  try {
    await deps.lease?.release(claimId);
  } catch (err) {
    deps.warn?.(
      'a run lease marker could not be deleted; it expires on its own',
      {
        claimId,
        error: errorMessage(err),
      }
    );
  }
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

/** A new run id, from the clock's time. */
export function newRunId(clock: Clock): string {
  return makeRunId(clock.now(), randomBytes(3).toString('hex'));
}

/**
 * What every job starts with: a run id (`runId`, the lease's when runJob took one; else made
 * now), its settings, the run's deadline as one abort signal (in the settings, and held by
 * every HTTP client), and the configured registries' clients. `stop()` disarms the deadline
 * once the use case is done.
 */
export async function startRun(
  deps: Pick<JobDeps, 'clock' | 'resolveCredentials' | 'onProgress'>,
  input: JobInput,
  runId: string = newRunId(deps.clock)
): Promise<{
  settings: RunContext['settings'];
  clients: Clients;
  stop: () => void;
}> {
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

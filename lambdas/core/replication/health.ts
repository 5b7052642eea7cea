import { ruleOf } from '../findings';
import { diffContextFor, diffShard } from '../inventory/diff';
import type { PolicyAssignment } from '../inventory/discover';
import { errorMessage } from '../errors';
import { parseHarborCron, previousFire } from '../harbor/cron';
import { mapWithConcurrency } from '../../use-cases/limit';
import type { ExpectedRef, ReplicationPolicy } from '../model';
import type { PlanResult } from '../inventory/plan/types';
import type {
  Clock,
  ReplicationEndpoint,
  ReplicationExecution,
  ReplicationTask,
  TargetObserver,
} from '../ports';
import type {
  ExecutionSummary,
  FailedTask,
  Finding,
  PolicyHealth,
  Report,
  RetriggerRecord,
  TargetReport,
} from '../report/schema';
import { decideRetriggers, pastStartsOf, retriggerKey } from './retrigger';
import type {
  RetriggerCandidate,
  RetriggerDecision,
  RetriggerSettings,
} from './retrigger';

/** The `retrigger` section of the config, as the health check and the act step use it. */
export interface ReplicationSettings extends RetriggerSettings {
  /** After a start, wait (within the deadline) and observe the policy's refs again. */
  verify: boolean;
  /** An execution InProgress for longer is reported as stuck. */
  stuckAfterMinutes: number;
  /** Stop executions InProgress for longer than this; unset = never stop. */
  stopStuckAfterMinutes?: number;
  /** The look-back window; unset = since the previous audit (24 h when there is none). */
  lookbackHours?: number;
  /** Between two reads of a started execution (verify). @default 5000 */
  pollIntervalMs?: number;
}

/** The replication ports of a run. */
export interface ReplicationDeps {
  /** The primary's executions (push policies). */
  primary: ReplicationEndpoint;
  /** Each Harbor target's, by target name (its own pull policies). */
  targets: ReadonlyMap<string, ReplicationEndpoint>;
  /** Earlier audit reports, newest first: look-back window and cooldowns. */
  history: readonly Report[];
  /** Injected for tests. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** A target as verification re-observes it. */
export interface ReplicationTargetView {
  name: string;
  observer: TargetObserver;
}

/** Everything one health check and act step needs. */
export interface ReplicationRun {
  deps: ReplicationDeps;
  settings: ReplicationSettings;
  clock: Clock;
  deadline: Date;
  concurrency: number;
  assignments: readonly PolicyAssignment[];
  plan: PlanResult;
  targets: readonly ReplicationTargetView[];
}

const DEFAULT_LOOKBACK_HOURS = 24;
const SINGLE_ACTIVE_SKIP =
  /execution skipped: active replication still in progress/i;
/** A schedule gets this long to show its execution before it counts as missed. */
const SCHEDULE_GRACE_MS = 5 * 60_000;
const MAX_LISTED_PROBLEMS = 5;
const MAX_EXECUTIONS_WITH_TASKS = 3;
const MAX_LOGS_PER_POLICY = 5;
const MAX_LOG_LINES = 10;
const MAX_LOG_LINE = 300;
const RELEVANT_LOG_LINE =
  /\[(?:ERROR|WARNING|FATAL)\]|fail|error|skip|stopped|denied|unauthori[sz]ed/i;

/** What was read of one policy's executions. */
export interface ExecutionObservation {
  /** Newest first, reaching back to the window's start (and one beyond). */
  recent: ReplicationExecution[];
  /** Every InProgress execution, however old. */
  inProgress: ReplicationExecution[];
  /** The latest scheduled execution, for scheduled policies. */
  lastScheduled?: ReplicationExecution;
}

/** Inputs of the pure health assessment of one policy on one target. */
export interface PolicyHealthInput {
  assignment: PolicyAssignment;
  /** Undefined with `error` when the executions could not be read. */
  observed?: ExecutionObservation;
  error?: string;
  /** The target's findings (every state but synced). */
  findings: readonly Finding[];
  since: Date;
  now: Date;
  stuckAfterMinutes: number;
}

/** The health of one policy, and what the re-trigger decision needs of it. */
export interface PolicyHealthAssessment {
  health: PolicyHealth;
  candidate: RetriggerCandidate;
  /** Executions in the window (and those in progress), for the report. */
  executions: ExecutionSummary[];
  /** Stuck executions, oldest first. */
  stuck: ReplicationExecution[];
  /** Failed or Stopped executions in the window whose tasks are worth reading, newest first. */
  failedExecutions: ReplicationExecution[];
}

/**
 * Missing and mismatched refs that a re-trigger of this policy can bring (the `retrigger`
 * column of core/findings.ts).
 */
export function attributableOf(
  findings: readonly Finding[],
  policy: Pick<ReplicationPolicy, 'id' | 'name' | 'override'>
): { missing: number; mismatched: number } {
  const out = { missing: 0, mismatched: 0 };
  for (const f of findings) {
    if (f.policy?.id !== policy.id || f.policy.name !== policy.name) continue;
    const rule = ruleOf(f.state);
    const copies =
      rule.retrigger === 'copies' ||
      (rule.retrigger === 'copies-if-override' && policy.override);
    if (copies && (rule.bucket === 'missing' || rule.bucket === 'mismatched')) {
      out[rule.bucket] += 1;
    }
  }
  return out;
}

/** The lines of a task log that explain a failure: errors, warnings, skips; the last few. */
export function logExcerpt(log: string): string[] {
  return log
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && RELEVANT_LOG_LINE.test(l))
    .slice(-MAX_LOG_LINES)
    .map((l) => (l.length > MAX_LOG_LINE ? `${l.slice(0, MAX_LOG_LINE)}…` : l));
}

/** Start of the look-back window: configured hours, else the previous audit, else 24 h. */
export function windowStart(
  now: Date,
  lookbackHours: number | undefined,
  history: readonly Report[]
): Date {
  const hours = (h: number) => new Date(now.getTime() - h * 3_600_000);
  if (lookbackHours !== undefined) return hours(lookbackHours);
  const previous = history[0] ? Date.parse(history[0].startedAt) : NaN;
  if (Number.isNaN(previous) || previous > now.getTime())
    return hours(DEFAULT_LOOKBACK_HOURS);
  return new Date(previous);
}

function isSkip(e: ReplicationExecution): boolean {
  return e.status === 'Failed' && SINGLE_ACTIVE_SKIP.test(e.statusText);
}

function startMs(e: ReplicationExecution): number | undefined {
  if (e.startTime === undefined) return undefined;
  const ms = Date.parse(e.startTime);
  return Number.isNaN(ms) ? undefined : ms;
}

function minutesBetween(fromMs: number, to: Date): number {
  return Math.floor((to.getTime() - fromMs) / 60_000);
}

function summaryOf(
  e: ReplicationExecution,
  policy: ReplicationPolicy,
  mode: 'push' | 'pull'
): ExecutionSummary {
  return {
    policyId: policy.id,
    policyName: policy.name,
    id: e.id,
    status: e.status,
    statusText: e.statusText,
    trigger: e.trigger,
    ...(e.startTime ? { startTime: e.startTime } : {}),
    ...(e.endTime ? { endTime: e.endTime } : {}),
    total: e.total,
    failed: e.failed,
    succeed: e.succeed,
    inProgress: e.inProgress,
    stopped: e.stopped,
    mode,
  };
}

/**
 * Assesses one policy's replication health over the window. Pure.
 *
 * Problems: Failed and Stopped executions; executions InProgress for longer than
 * `stuckAfterMinutes`; a latest execution that Succeeded without copying anything while the
 * audit finds the policy's refs missing; a schedule whose last scheduled run is older than
 * its latest fire time; a disabled policy the config expects; executions that
 * single_active_replication marked Failed.
 */
export function assessPolicyHealth(
  input: PolicyHealthInput
): PolicyHealthAssessment {
  const { assignment, observed, now } = input;
  const { policy, target, mode } = assignment;
  const attributable = attributableOf(input.findings, policy);
  const sinceMs = input.since.getTime();
  const problems: PolicyHealth['problems'] = [];
  if (!policy.enabled) {
    problems.push({
      kind: 'disabled',
      message: `the policy is disabled: its replicas on ${target} are not being maintained`,
    });
  }
  const base = {
    policyId: policy.id,
    policyName: policy.name,
    mode,
    enabled: policy.enabled,
    trigger: policy.trigger.type,
    ...(policy.trigger.cron ? { cron: policy.trigger.cron } : {}),
    since: input.since.toISOString(),
    attributable,
  };
  const candidate: RetriggerCandidate = {
    key: retriggerKey(target, mode, policy.id),
    target,
    mode,
    policyId: policy.id,
    policyName: policy.name,
    enabled: policy.enabled,
    ...attributable,
    inProgress: false,
    executionsKnown: observed !== undefined,
    harborManualStarts: [],
  };
  if (!observed) {
    problems.push({
      kind: 'unreadable',
      message: `executions could not be read: ${input.error ?? 'unknown error'}`,
    });
    return {
      health: {
        ...base,
        status: 'unknown',
        executionsByStatus: {
          InProgress: 0,
          Succeed: 0,
          Failed: 0,
          Stopped: 0,
        },
        problems,
      },
      candidate,
      executions: [],
      stuck: [],
      failedExecutions: [],
    };
  }

  const inWindow = observed.recent.filter((e) => {
    const ms = startMs(e);
    return ms === undefined || ms >= sinceMs || e.status === 'InProgress';
  });
  const byId = new Map<number, ReplicationExecution>();
  for (const e of [...observed.inProgress, ...inWindow]) byId.set(e.id, e);
  const listed = [...byId.values()].sort(
    (a, b) => (startMs(b) ?? 0) - (startMs(a) ?? 0) || b.id - a.id
  );
  const counts = { InProgress: 0, Succeed: 0, Failed: 0, Stopped: 0 };
  for (const e of listed) counts[e.status] += 1;

  const latest = observed.recent.find((e) => !isSkip(e));
  const failedExecutions = inWindow.filter(
    (e) => (e.status === 'Failed' && !isSkip(e)) || e.status === 'Stopped'
  );
  for (const kind of ['Failed', 'Stopped'] as const) {
    const list = failedExecutions.filter((e) => e.status === kind);
    for (const e of list.slice(0, MAX_LISTED_PROBLEMS)) {
      problems.push({
        kind: kind === 'Failed' ? 'failed' : 'stopped',
        executionId: e.id,
        message: `execution ${e.id.toString()} (${e.trigger}, ${e.startTime ?? 'start unknown'}) ${kind}: ${e.failed.toString()} failed, ${e.stopped.toString()} stopped of ${e.total.toString()} task(s)${e.statusText ? `; ${e.statusText}` : ''}`,
      });
    }
    if (list.length > MAX_LISTED_PROBLEMS) {
      problems.push({
        kind: kind === 'Failed' ? 'failed' : 'stopped',
        message: `… and ${(list.length - MAX_LISTED_PROBLEMS).toString()} more ${kind} execution(s) in the window`,
      });
    }
  }

  const stuck = observed.inProgress
    .filter((e) => {
      const ms = startMs(e);
      return (
        ms !== undefined &&
        now.getTime() - ms > input.stuckAfterMinutes * 60_000
      );
    })
    .sort((a, b) => (startMs(a) ?? 0) - (startMs(b) ?? 0));
  for (const e of stuck) {
    problems.push({
      kind: 'stuck',
      executionId: e.id,
      message: `execution ${e.id.toString()} has been InProgress since ${e.startTime ?? '?'} (${minutesBetween(startMs(e) ?? 0, now).toString()} min; threshold ${input.stuckAfterMinutes.toString()} min)`,
    });
  }

  if (
    latest?.status === 'Succeed' &&
    latest.total === 0 &&
    attributable.missing > 0
  ) {
    problems.push({
      kind: 'empty-success',
      executionId: latest.id,
      message: `execution ${latest.id.toString()} Succeeded without copying anything${latest.statusText ? ` (${latest.statusText})` : ''} while the audit finds ${attributable.missing.toString()} of its ref(s) missing`,
    });
  }

  const skips = inWindow.filter(isSkip);
  if (skips.length > 0) {
    problems.push({
      kind: 'single-active-skipped',
      executionId: skips[0]?.id,
      message: `${skips.length.toString()} execution(s) marked Failed by single_active_replication (skipped while another ran)`,
    });
  }

  // A failure before the window still stands while no later execution has run: the
  // replicas it did not copy are still missing.
  if (
    latest &&
    (latest.status === 'Failed' || latest.status === 'Stopped') &&
    !failedExecutions.includes(latest)
  ) {
    problems.push({
      kind: latest.status === 'Failed' ? 'failed' : 'stopped',
      executionId: latest.id,
      message: `the latest execution ${latest.id.toString()} (${latest.trigger}, ${latest.startTime ?? 'start unknown'}) ${latest.status}, before this window, and none has run since`,
    });
  }
  problems.push(...scheduleProblems(policy, observed.lastScheduled, now));

  candidate.inProgress = observed.inProgress.length > 0;
  candidate.harborManualStarts = observed.recent
    .filter((e) => e.trigger === 'manual')
    .map(startMs)
    .filter((ms): ms is number => ms !== undefined);
  if (latest) {
    candidate.latest = {
      id: latest.id,
      status: latest.status,
      statusText: latest.statusText,
    };
  }
  const status =
    problems.length > 0 || attributable.missing + attributable.mismatched > 0
      ? 'problem'
      : 'healthy';
  return {
    health: {
      ...base,
      status,
      executionsByStatus: counts,
      ...(latest
        ? {
            latestExecution: {
              id: latest.id,
              status: latest.status,
              statusText: latest.statusText,
              trigger: latest.trigger,
              ...(latest.startTime ? { startTime: latest.startTime } : {}),
              ...(latest.endTime ? { endTime: latest.endTime } : {}),
            },
          }
        : {}),
      problems,
    },
    candidate,
    executions: listed.map((e) => summaryOf(e, policy, mode)),
    stuck,
    failedExecutions,
  };
}

/**
 * A scheduled policy whose latest scheduled execution is older than the schedule's latest
 * fire time (with a grace period) has a schedule that silently stopped.
 */
export function scheduleProblems(
  policy: ReplicationPolicy,
  lastScheduled: ReplicationExecution | undefined,
  now: Date
): PolicyHealth['problems'] {
  if (!policy.enabled || policy.trigger.type !== 'scheduled') return [];
  const expression = policy.trigger.cron ?? '';
  let fire: Date | undefined;
  try {
    fire = previousFire(
      parseHarborCron(expression),
      new Date(now.getTime() - SCHEDULE_GRACE_MS)
    );
  } catch (err) {
    return [
      {
        kind: 'unreadable',
        message: `its schedule "${expression}" cannot be evaluated: ${errorMessage(err)}`,
      },
    ];
  }
  if (!fire) return [];
  // A policy created or changed after that fire time had no chance to run at it.
  const changed = Date.parse(policy.updateTime ?? policy.creationTime ?? '');
  if (!Number.isNaN(changed) && changed > fire.getTime()) return [];
  const last = lastScheduled ? startMs(lastScheduled) : undefined;
  // Harbor starts a scheduled execution within seconds of the fire time.
  if (last !== undefined && last >= fire.getTime() - 60_000) return [];
  return [
    {
      kind: 'schedule-stale',
      ...(lastScheduled ? { executionId: lastScheduled.id } : {}),
      message: `its schedule "${expression}" should have run at ${fire.toISOString()}, but the latest scheduled execution ${lastScheduled ? `started at ${lastScheduled.startTime ?? '?'}` : 'is not listed'}: the schedule may have stopped`,
    },
  ];
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

function endpointOf(
  deps: ReplicationDeps,
  assignment: PolicyAssignment
): ReplicationEndpoint | undefined {
  return assignment.mode === 'push'
    ? deps.primary
    : deps.targets.get(assignment.target);
}

async function observeExecutions(
  endpoint: ReplicationEndpoint,
  policy: ReplicationPolicy,
  listSince: Date
): Promise<ExecutionObservation> {
  const [recent, inProgress, lastScheduled] = await Promise.all([
    endpoint.read.listExecutions(policy.id, { since: listSince }),
    endpoint.read.listExecutions(policy.id, { status: 'InProgress' }),
    policy.trigger.type === 'scheduled'
      ? endpoint.read.listExecutions(policy.id, {
          trigger: 'scheduled',
          limit: 1,
        })
      : Promise.resolve([]),
  ]);
  return {
    recent,
    inProgress,
    ...(lastScheduled[0] ? { lastScheduled: lastScheduled[0] } : {}),
  };
}

async function failedTasksOf(
  endpoint: ReplicationEndpoint,
  policy: ReplicationPolicy,
  executions: readonly ReplicationExecution[]
): Promise<FailedTask[]> {
  const out: FailedTask[] = [];
  let logs = 0;
  for (const e of executions.slice(0, MAX_EXECUTIONS_WITH_TASKS)) {
    let tasks: ReplicationTask[];
    try {
      tasks = [
        ...(await endpoint.read.listTasks(e.id, 'Failed')),
        ...(await endpoint.read.listTasks(e.id, 'Stopped')),
      ];
    } catch {
      // The execution itself is reported; its tasks are detail.
      continue;
    }
    for (const t of tasks) {
      let excerpt: string[] | undefined;
      if (logs < MAX_LOGS_PER_POLICY) {
        logs += 1;
        try {
          excerpt = logExcerpt(await endpoint.read.getTaskLog(e.id, t.id));
        } catch (err) {
          excerpt = [`(the task log could not be read: ${errorMessage(err)})`];
        }
      }
      out.push({
        policyName: policy.name,
        policyId: policy.id,
        executionId: e.id,
        taskId: t.id,
        status: t.status,
        operation: t.operation,
        srcResource: t.srcResource,
        dstResource: t.dstResource,
        ...(excerpt ? { logExcerpt: excerpt } : {}),
      });
    }
  }
  return out;
}

interface PolicyWork {
  assignment: PolicyAssignment;
  endpoint: ReplicationEndpoint | undefined;
  assessment: PolicyHealthAssessment;
  failedTasks: FailedTask[];
}

/**
 * The replication health check and act step of an audit run: reads every policy's
 * executions, assesses their health, stops stuck executions when configured, decides and
 * carries out re-triggers, verifies them when configured, and fills each target report's
 * `replication` section.
 *
 * Primary course:
 * 1. per policy in scope: executions in the window, in progress, last scheduled; failed
 *    and stopped tasks with their log lines;
 * 2. assess each policy (assessPolicyHealth);
 * 3. when re-triggering is enabled and `stopStuckAfterMinutes` set, stop stuck executions;
 * 4. decide re-triggers (decideRetriggers, with earlier reports' starts) and start them
 *    (POST, never retried);
 * 5. with `verify`, wait within the deadline for each started execution and observe the
 *    policy's refs again.
 * Nothing here throws for an upstream failure: it is reported.
 */
export async function assessReplication(
  run: ReplicationRun,
  reports: TargetReport[]
): Promise<void> {
  const { deps, settings } = run;
  const now = run.clock.now();
  const since = windowStart(now, settings.lookbackHours, deps.history);
  // Cooldowns reach further back than a short window.
  const listSince = new Date(
    Math.min(since.getTime(), now.getTime() - settings.cooldownMinutes * 60_000)
  );
  const findingsOf = (target: string) =>
    reports.find((r) => r.name === target)?.findings ?? [];

  const work = await mapWithConcurrency(
    run.assignments,
    Math.max(1, Math.floor(run.concurrency / 2)),
    async (assignment): Promise<PolicyWork> => {
      const endpoint = endpointOf(deps, assignment);
      let observed: ExecutionObservation | undefined;
      let error: string | undefined;
      if (!endpoint) {
        error = `no Harbor API is configured for ${assignment.target}`;
      } else if (run.clock.now() >= run.deadline) {
        error = 'the run reached its deadline';
      } else {
        try {
          observed = await observeExecutions(
            endpoint,
            assignment.policy,
            listSince
          );
        } catch (err) {
          error = errorMessage(err);
        }
      }
      const assessment = assessPolicyHealth({
        assignment,
        ...(observed ? { observed } : {}),
        ...(error !== undefined ? { error } : {}),
        findings: findingsOf(assignment.target),
        since,
        now,
        stuckAfterMinutes: settings.stuckAfterMinutes,
      });
      const failedTasks =
        endpoint && observed
          ? await failedTasksOf(
              endpoint,
              assignment.policy,
              assessment.failedExecutions
            )
          : [];
      return { assignment, endpoint, assessment, failedTasks };
    }
  );

  if (settings.enabled) await stopStuck(run, work);

  const decisions = decideRetriggers(
    work.map((w) => w.assessment.candidate),
    pastStartsOf(deps.history),
    settings,
    now
  );
  const records = await carryOut(run, work, decisions);

  for (const report of reports) {
    const mine = work.filter((w) => w.assignment.target === report.name);
    report.replication = {
      executions: mine.flatMap((w) => w.assessment.executions),
      failedTasks: mine.flatMap((w) => w.failedTasks),
      retriggered: records
        .filter((r) => r.target === report.name)
        .map((r) => r.record),
      health: mine.map((w) => w.assessment.health),
    };
  }
}

async function stopStuck(
  run: ReplicationRun,
  work: readonly PolicyWork[]
): Promise<void> {
  const after = run.settings.stopStuckAfterMinutes;
  if (after === undefined) return;
  const now = run.clock.now();
  for (const w of work) {
    const old = w.assessment.stuck.filter((e) => {
      const ms = startMs(e);
      return ms !== undefined && now.getTime() - ms > after * 60_000;
    });
    if (old.length === 0 || !w.endpoint) continue;
    const stops: NonNullable<PolicyHealth['stops']> = [];
    for (const e of old) {
      if (run.settings.dryRun) {
        stops.push({ executionId: e.id, dryRun: true, outcome: 'dry-run' });
        continue;
      }
      try {
        const result = await w.endpoint.control.stopExecution(e.id);
        stops.push({
          executionId: e.id,
          dryRun: false,
          outcome: result.outcome,
          ...(result.outcome !== 'stopped' ? { detail: result.detail } : {}),
        });
      } catch (err) {
        stops.push({
          executionId: e.id,
          dryRun: false,
          outcome: 'unknown',
          detail: errorMessage(err),
        });
      }
    }
    w.assessment.health.stops = stops;
  }
}

async function carryOut(
  run: ReplicationRun,
  work: readonly PolicyWork[],
  decisions: readonly RetriggerDecision[]
): Promise<{ target: string; record: RetriggerRecord }[]> {
  const byKey = new Map(work.map((w) => [w.assessment.candidate.key, w]));
  const out: {
    target: string;
    record: RetriggerRecord;
    verify?: () => Promise<RetriggerRecord['verify']>;
  }[] = [];
  for (const d of decisions) {
    const w = byKey.get(d.candidate.key);
    if (!w) continue;
    w.assessment.health.retrigger = { action: d.action, reason: d.reason };
    if (d.action === 'skip') {
      w.assessment.health.retrigger.reason = `${d.reason} (needed: ${d.need})`;
      continue;
    }
    const { policy, target, mode } = w.assignment;
    const base = {
      policyId: policy.id,
      policyName: policy.name,
      reason: d.reason,
      dryRun: d.dryRun,
      mode,
      at: run.clock.now().toISOString(),
    };
    if (d.dryRun) {
      out.push({ target, record: { ...base, outcome: 'dry-run' } });
      continue;
    }
    if (!w.endpoint) continue;
    const endpoint = w.endpoint;
    try {
      const result = await endpoint.control.startExecution(policy.id);
      if (result.outcome === 'started') {
        const record: RetriggerRecord = {
          ...base,
          outcome: 'started',
          ...(result.executionId !== undefined
            ? { executionId: result.executionId }
            : {}),
        };
        const id = result.executionId;
        out.push({
          target,
          record,
          ...(run.settings.verify
            ? {
                verify: () =>
                  id === undefined
                    ? Promise.resolve({
                        outcome: 'unknown' as const,
                        detail: 'Harbor named no execution to wait for',
                      })
                    : verifyStart(run, endpoint, id, w.assignment),
              }
            : {}),
        });
      } else {
        out.push({
          target,
          record: { ...base, outcome: result.outcome, detail: result.detail },
        });
      }
    } catch (err) {
      out.push({
        target,
        record: {
          ...base,
          outcome: 'unknown',
          detail: `no answer to the start (not retried; an execution may have started): ${errorMessage(err)}`,
        },
      });
    }
  }
  await Promise.all(
    out.map(async (o) => {
      if (!o.verify) return;
      const verify = await o.verify();
      if (verify) o.record.verify = verify;
    })
  );
  return out.map(({ target, record }) => ({ target, record }));
}

/**
 * Waits (within the run's deadline) for a started execution to end, then observes the
 * policy's expected refs on the target again.
 */
async function verifyStart(
  run: ReplicationRun,
  endpoint: ReplicationEndpoint,
  executionId: number,
  assignment: PolicyAssignment
): Promise<NonNullable<RetriggerRecord['verify']>> {
  const sleep = run.deps.sleep ?? defaultSleep;
  const poll = run.settings.pollIntervalMs ?? 5_000;
  let status = 'InProgress';
  let failures = 0;
  for (;;) {
    try {
      status = (await endpoint.read.getExecution(executionId)).status;
      failures = 0;
    } catch (err) {
      failures += 1;
      if (failures >= 3) {
        return {
          outcome: 'unknown',
          detail: `the execution could not be read: ${errorMessage(err)}`,
        };
      }
    }
    if (status !== 'InProgress') break;
    if (run.clock.now().getTime() + poll >= run.deadline.getTime()) {
      return {
        outcome: 'unknown',
        executionStatus: status,
        detail:
          'the run reached its deadline while the execution was in progress',
      };
    }
    await sleep(poll);
  }
  const target = run.targets.find((t) => t.name === assignment.target);
  const plan = run.plan.targets.find((t) => t.target === assignment.target);
  const { policy } = assignment;
  const expected: ExpectedRef[] = (plan?.expected ?? []).filter(
    (r) => r.policy.id === policy.id && r.policy.name === policy.name
  );
  if (!target || expected.length === 0) {
    return {
      outcome: status === 'Succeed' ? 'healed' : 'unknown',
      executionStatus: status,
      detail: 'the policy has no expected refs on this target to observe',
    };
  }
  let findings: Finding[];
  try {
    const repos = [...new Set(expected.map((r) => r.repository))].sort();
    const observation = await target.observer.observe(repos, expected);
    findings = diffShard(
      expected,
      observation,
      diffContextFor(run.plan, assignment.target)
    );
  } catch (err) {
    return {
      outcome: 'unknown',
      executionStatus: status,
      detail: `the target could not be observed again: ${errorMessage(err)}`,
    };
  }
  const mine = findings.filter(
    (f) => f.policy?.id === policy.id && f.policy.name === policy.name
  );
  const unknown = mine.filter((f) => f.state === 'unknown').length;
  const { missing, mismatched } = attributableOf(mine, policy);
  const remaining = missing + mismatched;
  if (remaining > 0) {
    return {
      outcome: 'still-missing',
      executionStatus: status,
      remaining,
      detail: `${remaining.toString()} ref(s) still missing or mismatched after execution ${executionId.toString()} ${status}`,
    };
  }
  if (unknown > 0) {
    return {
      outcome: 'unknown',
      executionStatus: status,
      detail: `${unknown.toString()} ref(s) could not be observed`,
    };
  }
  return { outcome: 'healed', executionStatus: status, remaining: 0 };
}

/** Lines for the terminal: policies with problems, re-triggers and their outcomes. */
export function renderReplicationSummary(report: Report): string {
  const lines: string[] = [];
  for (const t of report.targets) {
    for (const h of t.replication.health ?? []) {
      if (h.status === 'healthy' && !h.retrigger) continue;
      const first = h.problems[0];
      const parts = [
        `${h.policyName} (${h.mode})`,
        h.status.toUpperCase(),
        h.attributable.missing > 0
          ? `${h.attributable.missing.toString()} missing`
          : '',
        h.attributable.mismatched > 0
          ? `${h.attributable.mismatched.toString()} mismatched`
          : '',
        first ? `${first.kind}: ${first.message}` : '',
        h.problems.length > 1
          ? `(+${(h.problems.length - 1).toString()} more)`
          : '',
      ].filter((p) => p !== '');
      lines.push(`  ${t.name}: ${parts.join(', ')}`);
      for (const s of h.stops ?? []) {
        lines.push(
          `    stop execution ${s.executionId.toString()}: ${s.outcome}${s.detail ? ` (${s.detail})` : ''}`
        );
      }
      if (h.retrigger?.action === 'skip') {
        lines.push(`    not re-triggered: ${h.retrigger.reason}`);
      }
    }
    for (const r of t.replication.retriggered) {
      const verify = r.verify
        ? `; verify: ${r.verify.outcome}${r.verify.detail ? ` (${r.verify.detail})` : ''}`
        : '';
      lines.push(
        `  ${t.name}: re-trigger ${r.policyName}${r.dryRun ? ' (dry run)' : ''}: ${r.outcome}${r.executionId !== undefined ? ` (execution ${r.executionId.toString()})` : ''}${r.detail ? ` (${r.detail})` : ''}${verify}`
      );
    }
  }
  return lines.length === 0 ? '' : `Replication:\n${lines.join('\n')}\n`;
}

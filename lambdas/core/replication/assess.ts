import { ruleOf } from '../findings';
import type { PolicyAssignment } from '../inventory/discover';
import type { ReplicationPolicy } from '../model';
import type { Finding } from '../report/schema';
import type { ReplicationExecution } from '../ports';
import type { ExecutionSummary, PolicyHealth, Report } from '../report/schema';
import { isSkip, startMs } from './execution';
import { retriggerKey } from './retrigger';
import type { RetriggerCandidate } from './retrigger';
import { scheduleProblems } from './schedule';

const DEFAULT_LOOKBACK_HOURS = 24;
const MAX_LISTED_PROBLEMS = 5;
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
  /** Why Harbor cannot run the policy at all (a plan error of the whole policy). */
  cannotRun?: string;
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
    // A start would fail again: Harbor cannot run the policy for this ref.
    if (f.cannotRun !== undefined) continue;
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
    ...(input.cannotRun === undefined ? {} : { cannotRun: input.cannotRun }),
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

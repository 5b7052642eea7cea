import { errorMessage } from '../errors';
import { diffContextFor } from '../inventory/diff';
import type { DiffContext } from '../inventory/diff';
import type { PolicyAssignment } from '../inventory/discover';
import type { PlanResult } from '../inventory/plan/types';
import type { ExpectedRef, ReplicationPolicy } from '../model';
import type { Finding } from '../report/schema';
import type {
  ReplicationExecution,
  ReplicationTask,
  StartExecutionResult,
  StopExecutionResult,
} from '../ports';
import type {
  FailedTask,
  PolicyHealth,
  RetriggerRecord,
} from '../report/schema';
import { attributableOf } from './assess';
import { startMs } from './execution';
import type { RetriggerDecision } from './retrigger';

// What the act step decides before it calls Harbor, and how it records each answer: the
// use case (use-cases/act.ts) only awaits the ports and passes their answers here.

/** One stop of a stuck execution, as the report's policy health records it. */
export type StopRecord = NonNullable<PolicyHealth['stops']>[number];

/** What the verification of one started execution found. */
export type VerifyResult = NonNullable<RetriggerRecord['verify']>;

/** A re-trigger record and the target report it belongs to. */
export interface TargetRetrigger {
  target: string;
  record: RetriggerRecord;
}

/** Task logs read at most per policy and per run: each costs a request. */
export const MAX_LOGS_PER_POLICY = 5;
/** Failed or stopped executions whose tasks are read, newest first. */
export const MAX_EXECUTIONS_WITH_TASKS = 3;

/** How often a started execution is read at most without an answer before giving up. */
export const MAX_VERIFY_READ_FAILURES = 3;

/**
 * Where to start listing executions: the window, or further back when the cooldown reaches
 * beyond it (a start inside the cooldown must be seen).
 */
export function listingStart(
  since: Date,
  now: Date,
  cooldownMinutes: number
): Date {
  return new Date(
    Math.min(since.getTime(), now.getTime() - cooldownMinutes * 60_000)
  );
}

/** Stuck executions InProgress for longer than `afterMinutes`: the ones to stop. */
export function stopsDue(
  stuck: readonly ReplicationExecution[],
  afterMinutes: number,
  now: Date
): ReplicationExecution[] {
  return stuck.filter((e) => {
    const ms = startMs(e);
    return ms !== undefined && now.getTime() - ms > afterMinutes * 60_000;
  });
}

/** A stop not sent: the run is a dry run. */
export function dryRunStop(executionId: number): StopRecord {
  return { executionId, dryRun: true, outcome: 'dry-run' };
}

/** A stop Harbor answered (stopped, or refused). */
export function answeredStop(
  executionId: number,
  result: StopExecutionResult
): StopRecord {
  return {
    executionId,
    dryRun: false,
    outcome: result.outcome,
    ...(result.outcome !== 'stopped' ? { detail: result.detail } : {}),
  };
}

/** A stop without an answer: the execution may or may not have stopped. */
export function unansweredStop(executionId: number, err: unknown): StopRecord {
  return {
    executionId,
    dryRun: false,
    outcome: 'unknown',
    detail: errorMessage(err),
  };
}

/** The policy health's `retrigger` entry for a decision. */
export function retriggerHealth(
  d: RetriggerDecision
): NonNullable<PolicyHealth['retrigger']> {
  return d.action === 'skip'
    ? { action: d.action, reason: `${d.reason} (needed: ${d.need})` }
    : { action: d.action, reason: d.reason };
}

/** The fields of a re-trigger record known before the start is sent. */
export function retriggerBase(
  assignment: PolicyAssignment,
  decision: Extract<RetriggerDecision, { action: 'start' }>,
  at: Date
): Omit<RetriggerRecord, 'outcome'> {
  const { policy, mode } = assignment;
  return {
    policyId: policy.id,
    policyName: policy.name,
    reason: decision.reason,
    dryRun: decision.dryRun,
    mode,
    at: at.toISOString(),
  };
}

/** A start Harbor answered (started, or refused). */
export function answeredStart(
  base: Omit<RetriggerRecord, 'outcome'>,
  result: StartExecutionResult
): RetriggerRecord {
  if (result.outcome === 'started') {
    return {
      ...base,
      outcome: 'started',
      ...(result.executionId !== undefined
        ? { executionId: result.executionId }
        : {}),
    };
  }
  return { ...base, outcome: result.outcome, detail: result.detail };
}

/** A start without an answer: never retried, since an execution may have started. */
export function unansweredStart(
  base: Omit<RetriggerRecord, 'outcome'>,
  err: unknown
): RetriggerRecord {
  return {
    ...base,
    outcome: 'unknown',
    detail: `no answer to the start (not retried; an execution may have started): ${errorMessage(err)}`,
  };
}

/**
 * A start the run's deadline (or `why`) kept from being sent: nothing started, so it is no past start
 * (pastStartsOf counts only `started` and `unknown`) and the next run may start it at once.
 */
export function unsentStart(
  base: Omit<RetriggerRecord, 'outcome'>,
  why = "the run's deadline came before the start was sent"
): RetriggerRecord {
  return {
    ...base,
    outcome: 'not-sent',
    detail: `${why}; nothing was started`,
  };
}

/** A stop the run's deadline (or `why`) kept from being sent: the execution runs on. */
export function unsentStop(
  executionId: number,
  why = "the run's deadline came before the stop was sent"
): StopRecord {
  return { executionId, dryRun: false, outcome: 'not-sent', detail: why };
}

/** Verification of a start whose answer named no execution. */
export const UNNAMED_EXECUTION: VerifyResult = {
  outcome: 'unknown',
  detail: 'Harbor named no execution to wait for',
};

/** Verification given up: the started execution could not be read. */
export function unreadableExecution(err: unknown): VerifyResult {
  return {
    outcome: 'unknown',
    detail: `the execution could not be read: ${errorMessage(err)}`,
  };
}

/** Verification given up: the deadline came while the execution ran. */
export function deadlineReached(executionStatus: string): VerifyResult {
  return {
    outcome: 'unknown',
    executionStatus,
    detail: 'the run reached its deadline while the execution was in progress',
  };
}

/** The refs a policy is expected to bring to its target, to observe again. */
function expectedOfPolicy(
  plan: PlanResult,
  assignment: PolicyAssignment
): ExpectedRef[] {
  const { policy } = assignment;
  return (
    plan.targets.find((t) => t.target === assignment.target)?.expected ?? []
  ).filter((r) => r.policy.id === policy.id && r.policy.name === policy.name);
}

/** The expected refs of a policy to observe again after its execution ended. */
export interface PolicyObservation {
  expected: ExpectedRef[];
  repositories: string[];
  context: DiffContext;
}

/** What to observe again after a start; undefined when the policy has no expected refs there. */
export function policyObservation(
  plan: PlanResult,
  assignment: PolicyAssignment
): PolicyObservation | undefined {
  const expected = expectedOfPolicy(plan, assignment);
  if (expected.length === 0) return undefined;
  return {
    expected,
    repositories: [...new Set(expected.map((r) => r.repository))].sort(),
    context: diffContextFor(plan, assignment.target),
  };
}

/** Verification with nothing to observe: the execution's own status is all there is. */
export function nothingToObserve(executionStatus: string): VerifyResult {
  return {
    outcome: executionStatus === 'Succeed' ? 'healed' : 'unknown',
    executionStatus,
    detail: 'the policy has no expected refs on this target to observe',
  };
}

/** Verification given up: the target could not be observed again. */
export function unobservableTarget(
  executionStatus: string,
  err: unknown
): VerifyResult {
  return {
    outcome: 'unknown',
    executionStatus,
    detail: `the target could not be observed again: ${errorMessage(err)}`,
  };
}

/**
 * The verdict on a started execution from the findings of its policy's refs observed again:
 * still missing or mismatched, unknown when some refs could not be seen, else healed.
 */
export function verifyOutcome(
  findings: readonly Finding[],
  policy: ReplicationPolicy,
  executionId: number,
  executionStatus: string
): VerifyResult {
  const mine = findings.filter(
    (f) => f.policy?.id === policy.id && f.policy.name === policy.name
  );
  const unknown = mine.filter((f) => f.state === 'unknown').length;
  const { missing, mismatched } = attributableOf(mine, policy);
  const remaining = missing + mismatched;
  if (remaining > 0) {
    return {
      outcome: 'still-missing',
      executionStatus,
      remaining,
      detail: `${remaining.toString()} ref(s) still missing or mismatched after execution ${executionId.toString()} ${executionStatus}`,
    };
  }
  if (unknown > 0) {
    return {
      outcome: 'unknown',
      executionStatus,
      detail: `${unknown.toString()} ref(s) could not be observed`,
    };
  }
  return { outcome: 'healed', executionStatus, remaining: 0 };
}

/** One failed or stopped task for the report, with its log's telling lines when read. */
export function failedTaskOf(
  policy: ReplicationPolicy,
  executionId: number,
  task: ReplicationTask,
  excerpt: string[] | undefined
): FailedTask {
  return {
    policyName: policy.name,
    policyId: policy.id,
    executionId,
    taskId: task.id,
    status: task.status,
    operation: task.operation,
    srcResource: task.srcResource,
    dstResource: task.dstResource,
    ...(excerpt ? { logExcerpt: excerpt } : {}),
  };
}

/** The excerpt in place of a task log that could not be read. */
export function unreadableLog(err: unknown): string[] {
  return [`(the task log could not be read: ${errorMessage(err)})`];
}

import { diffShard } from '../core/inventory/diff';
import type { PolicyAssignment } from '../core/inventory/discover';
import type { PlanResult } from '../core/inventory/plan/types';
import type { Finding } from '../core/report/schema';
import type { Clock, ReplicationEndpoint, TargetObserver } from '../core/ports';
import type { PolicyHealthAssessment } from '../core/replication/assess';
import {
  answeredStart,
  answeredStop,
  deadlineReached,
  dryRunStop,
  MAX_VERIFY_READ_FAILURES,
  nothingToObserve,
  policyObservation,
  retriggerBase,
  retriggerHealth,
  stopsDue,
  unansweredStart,
  unansweredStop,
  UNNAMED_EXECUTION,
  unsentStart,
  unsentStop,
  unobservableTarget,
  unreadableExecution,
  verifyOutcome,
} from '../core/replication/outcomes';
import type {
  StopRecord,
  TargetRetrigger,
  VerifyResult,
} from '../core/replication/outcomes';
import type { RetriggerDecision } from '../core/replication/retrigger';
import type { ReplicationSettings } from '../core/replication/settings';
import type { FailedTask } from '../core/report/schema';

/** A target as verification re-observes it. */
export interface ReplicationTargetView {
  name: string;
  observer: TargetObserver;
}

/** One policy on one target, as the health check left it for the act step. */
export interface PolicyWork {
  assignment: PolicyAssignment;
  endpoint: ReplicationEndpoint | undefined;
  assessment: PolicyHealthAssessment;
  failedTasks: FailedTask[];
}

/** What the act step needs of a run. */
export interface ActRun {
  settings: ReplicationSettings;
  clock: Clock;
  deadline: Date;
  /** The run's deadline as an abort signal: it ends a verify poll's wait at once. */
  signal?: AbortSignal;
  plan: PlanResult;
  targets: readonly ReplicationTargetView[];
  /** Injected for tests. @default setTimeout, ended early by `signal` */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_POLL_INTERVAL_MS = 5_000;

/** Waits `ms`, or until `signal` aborts (resolving: the caller checks the signal). */
const sleepUntil = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** Past the run's deadline nothing new is sent (the pool refuses it too, as an error). */
const pastDeadline = (run: ActRun): boolean =>
  run.signal?.aborted === true || run.clock.now() >= run.deadline;

/**
 * Stops the executions stuck for longer than `stopStuckAfterMinutes` (PUT, never retried)
 * and records each stop in its policy's health.
 *
 * Primary course:
 * 1. per policy, the stuck executions old enough to stop (stopsDue);
 * 2. in a dry run record them; else stop each and record Harbor's answer.
 */
export async function stopStuck(
  run: ActRun,
  work: readonly PolicyWork[]
): Promise<void> {
  const after = run.settings.stopStuckAfterMinutes;
  if (after === undefined) return;
  const now = run.clock.now();
  for (const w of work) {
    const old = stopsDue(w.assessment.stuck, after, now);
    if (old.length === 0 || !w.endpoint) continue;
    const stops: StopRecord[] = [];
    for (const e of old) {
      if (run.settings.dryRun) {
        stops.push(dryRunStop(e.id));
        continue;
      }
      if (run.settings.held !== undefined) {
        stops.push(unsentStop(e.id, run.settings.held));
        continue;
      }
      if (pastDeadline(run)) {
        stops.push(unsentStop(e.id));
        continue;
      }
      try {
        stops.push(
          answeredStop(e.id, await w.endpoint.control.stopExecution(e.id))
        );
      } catch (err) {
        stops.push(unansweredStop(e.id, err));
      }
    }
    w.assessment.health.stops = stops;
  }
}

/**
 * Carries out the re-trigger decisions and returns a record per start (or dry run).
 *
 * Primary course:
 * 1. record each decision in its policy's health;
 * 2. start each policy to start (POST, never retried) and record Harbor's answer;
 * 3. with `verify`, wait for the started executions together and record what each brought.
 */
export async function carryOut(
  run: ActRun,
  work: readonly PolicyWork[],
  decisions: readonly RetriggerDecision[]
): Promise<TargetRetrigger[]> {
  const byKey = new Map(work.map((w) => [w.assessment.candidate.key, w]));
  const out: (TargetRetrigger & { verify?: () => Promise<VerifyResult> })[] =
    [];
  for (const d of decisions) {
    const w = byKey.get(d.candidate.key);
    if (!w) continue;
    w.assessment.health.retrigger = retriggerHealth(d);
    if (d.action === 'skip') continue;
    const { target } = w.assignment;
    const base = retriggerBase(w.assignment, d, run.clock.now());
    if (d.dryRun) {
      out.push({ target, record: { ...base, outcome: 'dry-run' } });
      continue;
    }
    if (!w.endpoint) continue;
    if (run.settings.held !== undefined) {
      out.push({ target, record: unsentStart(base, run.settings.held) });
      continue;
    }
    if (pastDeadline(run)) {
      out.push({ target, record: unsentStart(base) });
      continue;
    }
    const endpoint = w.endpoint;
    try {
      const result = await endpoint.control.startExecution(
        w.assignment.policy.id
      );
      const record = answeredStart(base, result);
      const id = result.outcome === 'started' ? result.executionId : undefined;
      out.push({
        target,
        record,
        ...(result.outcome === 'started' && run.settings.verify
          ? {
              verify: () =>
                id === undefined
                  ? Promise.resolve(UNNAMED_EXECUTION)
                  : verifyStart(run, endpoint, id, w.assignment),
            }
          : {}),
      });
    } catch (err) {
      out.push({ target, record: unansweredStart(base, err) });
    }
  }
  await Promise.all(
    out.map(async (o) => {
      if (!o.verify) return;
      o.record.verify = await o.verify();
    })
  );
  return out.map(({ target, record }) => ({ target, record }));
}

/**
 * Waits (within the run's deadline) for a started execution to end, then observes the
 * policy's expected refs on the target again.
 *
 * Primary course:
 * 1. read the execution every `pollIntervalMs` until it is no longer InProgress (three
 *    failed reads in a row, or the deadline, end the wait as unknown);
 * 2. observe the policy's expected refs on the target and diff them;
 * 3. judge the outcome (verifyOutcome).
 */
async function verifyStart(
  run: ActRun,
  endpoint: ReplicationEndpoint,
  executionId: number,
  assignment: PolicyAssignment
): Promise<VerifyResult> {
  const sleep = run.sleep ?? ((ms: number) => sleepUntil(ms, run.signal));
  const late = (): boolean =>
    run.signal?.aborted === true ||
    run.clock.now().getTime() + poll >= run.deadline.getTime();
  const poll = run.settings.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  let status = 'InProgress';
  let failures = 0;
  for (;;) {
    try {
      status = (await endpoint.read.getExecution(executionId)).status;
      failures = 0;
    } catch (err) {
      failures += 1;
      if (failures >= MAX_VERIFY_READ_FAILURES) return unreadableExecution(err);
    }
    if (status !== 'InProgress') break;
    if (late()) return deadlineReached(status);
    await sleep(poll);
    if (run.signal?.aborted) return deadlineReached(status);
  }
  const target = run.targets.find((t) => t.name === assignment.target);
  const plan = policyObservation(run.plan, assignment);
  if (!target || !plan) return nothingToObserve(status);
  let findings: Finding[];
  try {
    const observation = await target.observer.observe(
      plan.repositories,
      plan.expected
    );
    findings = diffShard(plan.expected, observation, plan.context);
  } catch (err) {
    return unobservableTarget(status, err);
  }
  return verifyOutcome(findings, assignment.policy, executionId, status);
}

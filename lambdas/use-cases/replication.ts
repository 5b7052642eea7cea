import { errorMessage } from '../core/errors';
import type { PolicyAssignment } from '../core/inventory/discover';
import type { PlanResult } from '../core/inventory/plan/types';
import type { ReplicationPolicy } from '../core/model';
import type {
  Clock,
  ReplicationEndpoint,
  ReplicationExecution,
  ReplicationTask,
} from '../core/ports';
import {
  assessPolicyHealth,
  logExcerpt,
  windowStart,
} from '../core/replication/assess';
import type { ExecutionObservation } from '../core/replication/assess';
import {
  failedTaskOf,
  listingStart,
  MAX_EXECUTIONS_WITH_TASKS,
  MAX_LOGS_PER_POLICY,
  unreadableLog,
} from '../core/replication/outcomes';
import { decideRetriggers, pastStartsOf } from '../core/replication/retrigger';
import type { ReplicationSettings } from '../core/replication/settings';
import type { FailedTask, Report, TargetReport } from '../core/report/schema';
import { carryOut, stopStuck } from './act';
import type { PolicyWork, ReplicationTargetView } from './act';
import { mapWithConcurrency } from './limit';

export type { ReplicationTargetView } from './act';

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

/** Everything one health check and act step needs. */
export interface ReplicationRun {
  deps: ReplicationDeps;
  settings: ReplicationSettings;
  clock: Clock;
  deadline: Date;
  /** The run's deadline as an abort signal (ends the verify polling at once). */
  signal?: AbortSignal;
  concurrency: number;
  assignments: readonly PolicyAssignment[];
  plan: PlanResult;
  targets: readonly ReplicationTargetView[];
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
  const listSince = listingStart(since, now, settings.cooldownMinutes);
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
      } else if (run.clock.now() >= run.deadline || run.signal?.aborted) {
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
        ...cannotRunOf(run.plan, assignment),
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

  const act = {
    settings,
    clock: run.clock,
    deadline: run.deadline,
    ...(run.signal ? { signal: run.signal } : {}),
    plan: run.plan,
    targets: run.targets,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
  if (settings.enabled) await stopStuck(act, work);

  const decisions = decideRetriggers(
    work.map((w) => w.assessment.candidate),
    pastStartsOf(deps.history),
    settings,
    now
  );
  const records = await carryOut(act, work, decisions);

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
          excerpt = unreadableLog(err);
        }
      }
      out.push(failedTaskOf(policy, e.id, t, excerpt));
    }
  }
  return out;
}

/** The plan error that stops the whole policy on its target (not one repository's). */
function cannotRunOf(
  plan: PlanResult,
  assignment: PolicyAssignment
): { cannotRun?: string } {
  const error = plan.targets
    .find((t) => t.target === assignment.target)
    ?.policyErrors.find(
      (e) => e.policy.id === assignment.policy.id && e.repository === undefined
    );
  return error === undefined ? {} : { cannotRun: error.message };
}

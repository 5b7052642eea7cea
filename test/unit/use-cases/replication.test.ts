import type {
  ReplicationEndpoint,
  ReplicationExecution,
} from '../../../lambdas/core/ports';
import type { ReplicationSettings } from '../../../lambdas/core/replication/settings';
import type { TargetReport } from '../../../lambdas/core/report/schema';
import { assessReplication } from '../../../lambdas/use-cases/replication';
import type { ReplicationRun } from '../../../lambdas/use-cases/replication';
import { policy } from '../../helpers/policy-fixture';
import { report, targetReport } from '../../helpers/report-fixture';
import { pastStartsOf } from '../../../lambdas/core/replication/retrigger';
import { NOW, ago, execution, missing } from '../core/replication/fixtures';

// The act step with fake ports: stops, starts (sent once) and the verification's polling,
// with an injected sleep that moves a fake clock.

const SETTINGS: ReplicationSettings = {
  enabled: true,
  dryRun: false,
  maxPerRun: 5,
  cooldownMinutes: 60,
  verify: false,
  stuckAfterMinutes: 180,
  pollIntervalMs: 1_000,
};

interface Fake {
  endpoint: ReplicationEndpoint;
  calls: string[];
}

function fakeEndpoint(opts: {
  recent?: ReplicationExecution[];
  inProgress?: ReplicationExecution[];
  start?: () => Promise<{ outcome: 'started'; executionId?: number }>;
  statuses?: ReplicationExecution['status'][];
}): Fake {
  const calls: string[] = [];
  const statuses = [...(opts.statuses ?? ['Succeed'])];
  return {
    calls,
    endpoint: {
      read: {
        listExecutions: (_id, query) =>
          Promise.resolve(
            query?.status === 'InProgress'
              ? (opts.inProgress ?? [])
              : (opts.recent ?? [])
          ),
        getExecution: (id) => {
          calls.push(`get ${id.toString()}`);
          const status = statuses.length > 1 ? statuses.shift() : statuses[0];
          return Promise.resolve(
            execution({ id, status: status ?? 'Succeed' })
          );
        },
        listTasks: () => Promise.resolve([]),
        getTaskLog: () => Promise.resolve(''),
      },
      control: {
        startExecution: (policyId) => {
          calls.push(`start ${policyId.toString()}`);
          return opts.start
            ? opts.start()
            : Promise.resolve({ outcome: 'started', executionId: 50 });
        },
        stopExecution: (id) => {
          calls.push(`stop ${id.toString()}`);
          return Promise.resolve({ outcome: 'stopped' });
        },
      },
    },
  };
}

function runOf(
  fake: Fake,
  settings: Partial<ReplicationSettings> = {}
): { run: ReplicationRun; slept: number[] } {
  let now = NOW.getTime();
  const slept: number[] = [];
  return {
    slept,
    run: {
      deps: {
        primary: fake.endpoint,
        targets: new Map(),
        history: [],
        sleep: (ms) => {
          slept.push(ms);
          now += ms;
          return Promise.resolve();
        },
      },
      settings: { ...SETTINGS, ...settings },
      clock: { now: () => new Date(now) },
      deadline: new Date(NOW.getTime() + 10_000),
      concurrency: 2,
      assignments: [
        {
          policy: policy({ trigger: { type: 'manual' } }),
          target: 'cluster1',
          mode: 'push',
          destinationType: 'docker-registry',
        },
      ],
      plan: {
        targets: [],
        warnings: [],
        primary: { projectListComplete: true, projects: [] },
      },
      targets: [],
    },
  };
}

function reportsWith(findings: TargetReport['findings']): TargetReport[] {
  return [targetReport({ findings })];
}

/** Aborts the run's deadline signal once the executions were read: the act step comes after. */
function deadlineAfterReading(fake: Fake, run: ReplicationRun): void {
  const deadline = new AbortController();
  run.signal = deadline.signal;
  const { read } = fake.endpoint;
  const list = read.listExecutions.bind(read);
  read.listExecutions = async (...args) => {
    const executions = await list(...args);
    deadline.abort();
    return executions;
  };
}

describe('assessReplication (act step)', () => {
  it('stops executions stuck past stopStuckAfterMinutes, once each', async () => {
    // Arrange
    const stuck = execution({
      id: 7,
      status: 'InProgress',
      startTime: ago(400),
    });
    const fake = fakeEndpoint({ recent: [stuck], inProgress: [stuck] });
    const { run } = runOf(fake, { stopStuckAfterMinutes: 300 });
    const reports = reportsWith([]);

    // Act
    await assessReplication(run, reports);

    // Assert
    expect(fake.calls).toEqual(['stop 7']);
    expect(reports[0]?.replication.health?.[0]?.stops).toEqual([
      { executionId: 7, dryRun: false, outcome: 'stopped' },
    ]);
  });

  it('records a stop in a dry run without sending it', async () => {
    const stuck = execution({
      id: 7,
      status: 'InProgress',
      startTime: ago(400),
    });
    const fake = fakeEndpoint({ recent: [stuck], inProgress: [stuck] });
    const { run } = runOf(fake, { stopStuckAfterMinutes: 300, dryRun: true });
    const reports = reportsWith([]);

    await assessReplication(run, reports);

    expect(fake.calls).toEqual([]);
    expect(reports[0]?.replication.health?.[0]?.stops).toEqual([
      { executionId: 7, dryRun: true, outcome: 'dry-run' },
    ]);
  });

  it('starts a policy with missing refs and polls its execution until it ends', async () => {
    const fake = fakeEndpoint({
      recent: [execution({ id: 3, trigger: 'event_based' })],
      statuses: ['InProgress', 'InProgress', 'Succeed'],
    });
    const { run, slept } = runOf(fake, { verify: true });
    const reports = reportsWith([missing()]);

    await assessReplication(run, reports);

    expect(fake.calls).toEqual(['start 1', 'get 50', 'get 50', 'get 50']);
    expect(slept).toEqual([1_000, 1_000]);
    const [record] = reports[0]?.replication.retriggered ?? [];
    expect(record).toMatchObject({
      policyId: 1,
      outcome: 'started',
      executionId: 50,
      dryRun: false,
      at: NOW.toISOString(),
      verify: {
        outcome: 'healed',
        executionStatus: 'Succeed',
        detail: 'the policy has no expected refs on this target to observe',
      },
    });
    expect(reports[0]?.replication.health?.[0]?.retrigger?.action).toBe(
      'start'
    );
  });

  it('gives up waiting at the deadline', async () => {
    const fake = fakeEndpoint({
      recent: [execution({ id: 3, trigger: 'event_based' })],
      statuses: ['InProgress'],
    });
    const { run, slept } = runOf(fake, { verify: true, pollIntervalMs: 4_000 });
    const reports = reportsWith([missing()]);

    await assessReplication(run, reports);

    // 0 s and 4 s leave room for a poll before the 10 s deadline; 8 s does not.
    expect(slept).toEqual([4_000, 4_000]);
    expect(reports[0]?.replication.retriggered[0]?.verify).toEqual({
      outcome: 'unknown',
      executionStatus: 'InProgress',
      detail:
        'the run reached its deadline while the execution was in progress',
    });
  });

  it('ends a verify poll wait when the run deadline signal aborts (issue 11: the abort reaches polling)', async () => {
    const fake = fakeEndpoint({
      recent: [execution({ id: 3, trigger: 'event_based' })],
      statuses: ['InProgress'],
    });
    const { run } = runOf(fake, { verify: true, pollIntervalMs: 60_000 });
    // The real (abortable) wait, a deadline an hour away on the clock: only the signal ends it.
    delete run.deps.sleep;
    run.deadline = new Date(NOW.getTime() + 3_600_000);
    run.signal = AbortSignal.timeout(200);
    const reports = reportsWith([missing()]);
    const started = Date.now();

    await assessReplication(run, reports);

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(reports[0]?.replication.retriggered[0]?.verify).toMatchObject({
      outcome: 'unknown',
      executionStatus: 'InProgress',
    });
  });

  it('sends a start that got no answer once and records it as unknown', async () => {
    const fake = fakeEndpoint({
      recent: [execution({ id: 3, trigger: 'event_based' })],
      start: () => Promise.reject(new Error('socket hang up')),
    });
    const { run } = runOf(fake, { verify: true });
    const reports = reportsWith([missing()]);

    await assessReplication(run, reports);

    expect(fake.calls).toEqual(['start 1']);
    expect(reports[0]?.replication.retriggered[0]).toMatchObject({
      outcome: 'unknown',
      detail:
        'no answer to the start (not retried; an execution may have started): socket hang up',
    });
    expect(reports[0]?.replication.retriggered[0]?.verify).toBeUndefined();
  });

  it('sends no start once the run is past its deadline, and records it as not sent (no past start for the cooldown)', async () => {
    const fake = fakeEndpoint({
      recent: [execution({ id: 3, trigger: 'event_based' })],
    });
    const { run } = runOf(fake);
    deadlineAfterReading(fake, run);
    const reports = reportsWith([missing()]);

    await assessReplication(run, reports);

    expect(fake.calls).toEqual([]);
    const record = reports[0]?.replication.retriggered[0];
    expect(record).toMatchObject({
      outcome: 'not-sent',
      detail:
        "the run's deadline came before the start was sent; nothing was started",
    });
    const earlier = report({ targets: reports });
    expect(pastStartsOf([earlier])).toEqual([]);
  });

  it('sends no stop once the run is past its deadline, and records it as not sent', async () => {
    const stuck = execution({
      id: 7,
      status: 'InProgress',
      startTime: ago(400),
    });
    const fake = fakeEndpoint({ recent: [stuck], inProgress: [stuck] });
    const { run } = runOf(fake, { stopStuckAfterMinutes: 300 });
    deadlineAfterReading(fake, run);
    const reports = reportsWith([]);

    await assessReplication(run, reports);

    expect(fake.calls).toEqual([]);
    expect(reports[0]?.replication.health?.[0]?.stops).toEqual([
      {
        executionId: 7,
        dryRun: false,
        outcome: 'not-sent',
        detail: "the run's deadline came before the stop was sent",
      },
    ]);
  });

  it('sends no start and no stop while the run is held (its run lease unchecked), and records each as not sent with why', async () => {
    const stuck = execution({
      id: 7,
      status: 'InProgress',
      startTime: ago(400),
    });
    const failed = fakeEndpoint({
      recent: [execution({ id: 3, trigger: 'event_based' })],
    });
    const stuckOne = fakeEndpoint({ recent: [stuck], inProgress: [stuck] });
    const held =
      'the run lease could not be checked (x), so it sends no start or stop';
    const starts = reportsWith([missing()]);
    const stops = reportsWith([]);

    await assessReplication(runOf(failed, { held }).run, starts);
    await assessReplication(
      runOf(stuckOne, { held, stopStuckAfterMinutes: 300 }).run,
      stops
    );

    expect(failed.calls).toEqual([]);
    expect(stuckOne.calls).toEqual([]);
    expect(starts[0]?.replication.retriggered[0]).toMatchObject({
      outcome: 'not-sent',
      dryRun: false,
      detail: `${held}; nothing was started`,
    });
    expect(stops[0]?.replication.health?.[0]?.stops).toEqual([
      { executionId: 7, dryRun: false, outcome: 'not-sent', detail: held },
    ]);
  });
});

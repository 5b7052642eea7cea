import {
  assessPolicyHealth,
  attributableOf,
  logExcerpt,
  renderReplicationSummary,
  scheduleProblems,
  windowStart,
} from '../../../../lambdas/core/replication/health';
import type { PolicyHealthInput } from '../../../../lambdas/core/replication/health';
import {
  cronMatches,
  parseHarborCron,
  previousFire,
} from '../../../../lambdas/core/harbor/cron';
import type { Finding } from '../../../../lambdas/core/report/schema';
import type { ReplicationExecution } from '../../../../lambdas/core/ports';
import { policy } from '../../../helpers/policy-fixture';
import { report, targetReport } from '../../../helpers/report-fixture';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const ago = (minutes: number) =>
  new Date(NOW.getTime() - minutes * 60_000).toISOString();

function execution(
  overrides: Partial<ReplicationExecution> = {}
): ReplicationExecution {
  return {
    id: 1,
    policyId: 1,
    status: 'Succeed',
    statusText: '',
    trigger: 'manual',
    startTime: ago(30),
    endTime: ago(29),
    total: 1,
    failed: 0,
    succeed: 1,
    inProgress: 0,
    stopped: 0,
    ...overrides,
  };
}

function missing(overrides: Partial<Finding> = {}): Finding {
  return {
    state: 'missing',
    target: 'cluster1',
    repository: 'app/a',
    reference: '1.0',
    policy: { id: 1, name: 'to-cluster1', override: true, deletion: false },
    ...overrides,
  };
}

function input(overrides: Partial<PolicyHealthInput> = {}): PolicyHealthInput {
  return {
    assignment: {
      policy: policy({ trigger: { type: 'manual' } }),
      target: 'cluster1',
      mode: 'push',
      destinationType: 'docker-registry',
    },
    observed: { recent: [execution()], inProgress: [] },
    findings: [],
    since: new Date(NOW.getTime() - 24 * 3_600_000),
    now: NOW,
    stuckAfterMinutes: 180,
    ...overrides,
  };
}

describe('Harbor cron', () => {
  it.each<[string, string, string]>([
    ['daily at 02:00', '0 0 2 * * *', '2026-11-29T02:00:00.000Z'],
    ['every 6 hours at :30', '0 30 */6 * * *', '2026-11-29T06:30:00.000Z'],
    // 2026-11-29 is a Sunday.
    ['weekdays at 23:00', '0 0 23 * * MON-FRI', '2026-11-27T23:00:00.000Z'],
    ['Sundays written as 7', '0 0 1 * * 7', '2026-11-29T01:00:00.000Z'],
    ['first of the month', '0 15 10 1 * ?', '2026-11-01T10:15:00.000Z'],
    ['a named month', '0 0 0 1 JUN *', '2026-06-01T00:00:00.000Z'],
    // robfig: day-of-month OR day-of-week when neither is a star.
    ['the 15th or Fridays', '0 0 0 15 * FRI', '2026-11-27T00:00:00.000Z'],
  ])('%s: %s last fired at %s', (_name, expr, expected) => {
    const cron = parseHarborCron(expr);
    expect(previousFire(cron, NOW)?.toISOString()).toBe(expected);
    expect(cronMatches(cron, new Date(expected))).toBe(true);
  });

  it('a fire time equal to now counts', () => {
    expect(
      previousFire(parseHarborCron('0 0 12 * * *'), NOW)?.toISOString()
    ).toBe(NOW.toISOString());
  });

  it('a schedule that never fires has no previous fire time', () => {
    expect(previousFire(parseHarborCron('0 0 0 30 2 *'), NOW)).toBeUndefined();
  });

  it.each([
    ['five fields', '0 2 * * *', /6 fields/],
    ['a minute of 60', '0 60 * * * *', /outside 0-59/],
    ['a word', '0 0 2 * * funday', /not a number/],
    ['a zero step', '0 */0 * * * *', /outside/],
  ])('rejects %s', (_name, expr, message) => {
    expect(() => parseHarborCron(expr)).toThrow(message);
  });
});

describe('scheduleProblems', () => {
  const scheduled = policy({
    trigger: { type: 'scheduled', cron: '0 0 2 * * *' },
    creationTime: '2026-01-01T00:00:00.000Z',
  });

  it('flags a schedule whose latest scheduled run is older than its latest fire time', () => {
    const problems = scheduleProblems(
      scheduled,
      execution({
        id: 4,
        trigger: 'scheduled',
        startTime: '2026-11-27T02:00:01.000Z',
      }),
      NOW
    );
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'schedule-stale',
        executionId: 4,
        message: expect.stringContaining(
          'should have run at 2026-11-29T02:00:00.000Z'
        ) as unknown,
      }),
    ]);
  });

  it('flags a schedule that never ran at all', () => {
    expect(scheduleProblems(scheduled, undefined, NOW)[0]?.message).toMatch(
      /latest scheduled execution is not listed/
    );
  });

  it.each<[string, Parameters<typeof scheduleProblems>]>([
    [
      'a run at the fire time',
      [
        scheduled,
        execution({
          trigger: 'scheduled',
          startTime: '2026-11-29T02:00:03.000Z',
        }),
        NOW,
      ],
    ],
    [
      'a policy changed after the fire time',
      [
        { ...scheduled, updateTime: '2026-11-29T08:00:00.000Z' },
        undefined,
        NOW,
      ],
    ],
    [
      'a fire time within the grace period (yesterday’s run is there)',
      [
        scheduled,
        execution({
          trigger: 'scheduled',
          startTime: '2026-11-28T02:00:02.000Z',
        }),
        new Date('2026-11-29T02:03:00.000Z'),
      ],
    ],
    [
      'a manual policy',
      [policy({ trigger: { type: 'manual' } }), undefined, NOW],
    ],
    ['a disabled policy', [{ ...scheduled, enabled: false }, undefined, NOW]],
  ])('does not flag %s', (_name, args) => {
    expect(scheduleProblems(...args)).toEqual([]);
  });

  it('reports a cron it cannot evaluate instead of guessing', () => {
    const [p] = scheduleProblems(
      policy({ trigger: { type: 'scheduled', cron: '0 0 2 * *' } }),
      undefined,
      NOW
    );
    expect(p?.kind).toBe('unreadable');
  });
});

describe('attributableOf', () => {
  it('counts missing refs and accessories, and mismatches only when the policy overrides', () => {
    const findings: Finding[] = [
      missing(),
      missing({ state: 'accessory-missing' }),
      missing({ state: 'digest-mismatch' }),
      missing({ state: 'index-children-missing' }),
      missing({ state: 'orphaned' }),
      missing({ state: 'unknown' }),
      missing({
        policy: { id: 2, name: 'other', override: true, deletion: false },
      }),
    ];
    expect(
      attributableOf(findings, { id: 1, name: 'to-cluster1', override: true })
    ).toEqual({ missing: 2, mismatched: 1 });
    expect(
      attributableOf(findings, { id: 1, name: 'to-cluster1', override: false })
    ).toEqual({ missing: 2, mismatched: 0 });
  });
});

describe('assessPolicyHealth', () => {
  it('a policy whose runs succeed and whose refs are there is healthy', () => {
    const a = assessPolicyHealth(input());
    expect(a.health).toMatchObject({
      status: 'healthy',
      problems: [],
      executionsByStatus: { InProgress: 0, Succeed: 1, Failed: 0, Stopped: 0 },
      latestExecution: { id: 1, status: 'Succeed' },
    });
    expect(a.candidate).toMatchObject({
      inProgress: false,
      executionsKnown: true,
      latest: { id: 1, status: 'Succeed' },
      harborManualStarts: [Date.parse(ago(30))],
    });
  });

  it('reports failed and stopped executions in the window, not those before it', () => {
    const a = assessPolicyHealth(
      input({
        since: new Date(ago(120)),
        observed: {
          recent: [
            execution({ id: 9, status: 'Stopped', stopped: 1, succeed: 0 }),
            execution({
              id: 8,
              status: 'Failed',
              failed: 1,
              succeed: 0,
              statusText: 'failed to fetch artifacts: boom',
              startTime: ago(60),
            }),
            execution({ id: 7, status: 'Failed', startTime: ago(300) }),
          ],
          inProgress: [],
        },
      })
    );
    expect(a.health.problems.map((p) => [p.kind, p.executionId])).toEqual([
      ['failed', 8],
      ['stopped', 9],
    ]);
    expect(a.health.problems[0]?.message).toContain(
      'failed to fetch artifacts: boom'
    );
    expect(a.failedExecutions.map((e) => e.id)).toEqual([9, 8]);
    expect(a.executions.map((e) => e.id)).toEqual([9, 8]);
    expect(a.candidate.latest).toEqual({
      id: 9,
      status: 'Stopped',
      statusText: '',
    });
  });

  it('still reports a latest execution that failed before the window, while none ran since', () => {
    const a = assessPolicyHealth(
      input({
        since: new Date(ago(120)),
        observed: {
          recent: [
            execution({
              id: 7,
              status: 'Failed',
              failed: 1,
              startTime: ago(300),
            }),
            execution({ id: 6, status: 'Succeed', startTime: ago(600) }),
          ],
          inProgress: [],
        },
      })
    );

    expect(a.health.status).toBe('problem');
    expect(a.health.problems.map((p) => [p.kind, p.executionId])).toEqual([
      ['failed', 7],
    ]);
    expect(a.health.problems[0]?.message).toContain('before this window');
    expect(a.candidate.latest?.status).toBe('Failed');
  });

  it('reports stuck executions however old, and marks the policy in progress', () => {
    const old = execution({
      id: 3,
      status: 'InProgress',
      startTime: ago(600),
      endTime: undefined,
    });
    const young = execution({
      id: 4,
      status: 'InProgress',
      startTime: ago(10),
    });
    const a = assessPolicyHealth(
      input({
        since: new Date(ago(60)),
        observed: { recent: [young], inProgress: [young, old] },
      })
    );
    expect(a.stuck.map((e) => e.id)).toEqual([3]);
    expect(a.health.problems).toEqual([
      expect.objectContaining({
        kind: 'stuck',
        executionId: 3,
        message: expect.stringContaining(
          '600 min; threshold 180 min'
        ) as unknown,
      }),
    ]);
    expect(a.health.executionsByStatus.InProgress).toBe(2);
    expect(a.candidate.inProgress).toBe(true);
  });

  it('flags a success that copied nothing while the policy’s refs are missing', () => {
    const a = assessPolicyHealth(
      input({
        observed: {
          recent: [
            execution({
              total: 0,
              succeed: 0,
              statusText: 'no resources need to be replicated',
            }),
          ],
          inProgress: [],
        },
        findings: [missing()],
      })
    );
    expect(a.health.status).toBe('problem');
    expect(a.health.problems).toEqual([
      expect.objectContaining({
        kind: 'empty-success',
        message: expect.stringContaining(
          'no resources need to be replicated'
        ) as unknown,
      }),
    ]);
    expect(a.candidate).toMatchObject({ missing: 1, mismatched: 0 });
  });

  it('does not take a single_active_replication skip for the latest run', () => {
    const skip = execution({
      id: 6,
      status: 'Failed',
      total: 0,
      statusText: 'Execution skipped: active replication still in progress.',
    });
    const a = assessPolicyHealth(
      input({
        observed: {
          recent: [skip, execution({ id: 5, startTime: ago(40) })],
          inProgress: [],
        },
      })
    );
    expect(a.health.problems.map((p) => [p.kind, p.executionId])).toEqual([
      ['single-active-skipped', 6],
    ]);
    expect(a.candidate.latest?.id).toBe(5);
    expect(a.failedExecutions).toEqual([]);
  });

  it('reports a disabled policy the config expects', () => {
    const a = assessPolicyHealth(
      input({
        assignment: {
          policy: policy({ enabled: false }),
          target: 'cluster1',
          mode: 'push',
          destinationType: 'docker-registry',
        },
      })
    );
    expect(a.health.problems.map((p) => p.kind)).toEqual(['disabled']);
    expect(a.candidate.enabled).toBe(false);
  });

  it('unreadable executions leave the health unknown, and the candidate unsafe to start', () => {
    const a = assessPolicyHealth(
      input({ observed: undefined, error: 'HTTP 403 FORBIDDEN' })
    );
    expect(a.health.status).toBe('unknown');
    expect(a.health.problems[0]?.message).toContain('HTTP 403 FORBIDDEN');
    expect(a.candidate.executionsKnown).toBe(false);
  });
});

describe('logExcerpt', () => {
  it('keeps errors, warnings and skips, the last ten, each cut to 300 characters', () => {
    const log = [
      '2026-11-29T10:00:00Z [INFO] [/x.go:1]: client created',
      '2026-11-29T10:00:01Z [WARNING] [/x.go:2]: the same name artifact exists, skip',
      ...Array.from({ length: 12 }, (_, i) => `[ERROR] failed ${i.toString()}`),
      `[ERROR] ${'x'.repeat(400)}`,
      '',
    ].join('\n');
    const lines = logExcerpt(log);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('[ERROR] failed 3');
    expect(lines.at(-1)).toHaveLength(301);
    expect(lines.some((l) => l.includes('client created'))).toBe(false);
  });
});

describe('windowStart', () => {
  it('uses the configured hours, else the previous audit, else 24 hours', () => {
    const previous = report({ startedAt: '2026-11-29T09:00:00.000Z' });
    expect(windowStart(NOW, 6, [previous]).toISOString()).toBe(
      '2026-11-29T06:00:00.000Z'
    );
    expect(windowStart(NOW, undefined, [previous]).toISOString()).toBe(
      '2026-11-29T09:00:00.000Z'
    );
    expect(windowStart(NOW, undefined, []).toISOString()).toBe(
      '2026-11-28T12:00:00.000Z'
    );
  });
});

describe('renderReplicationSummary', () => {
  it('lists problem policies, skips and re-triggers with their outcome', () => {
    const base = targetReport();
    const r = report({
      targets: [
        {
          ...base,
          replication: {
            ...base.replication,
            retriggered: [
              {
                policyId: 1,
                policyName: 'to-cluster1',
                reason: '1 missing',
                dryRun: false,
                outcome: 'started',
                executionId: 12,
                verify: { outcome: 'healed', remaining: 0 },
              },
            ],
            health: [
              {
                ...assessPolicyHealth(input({ findings: [missing()] })).health,
                retrigger: { action: 'start', reason: '1 missing' },
              },
              {
                ...assessPolicyHealth(input()).health,
                policyName: 'quiet',
              },
            ],
          },
        },
      ],
    });
    const text = renderReplicationSummary(r);
    expect(text).toContain('cluster1: to-cluster1 (push), PROBLEM, 1 missing');
    expect(text).toContain(
      'cluster1: re-trigger to-cluster1: started (execution 12); verify: healed'
    );
    expect(text).not.toContain('quiet');
    expect(renderReplicationSummary(report())).toBe('');
  });
});

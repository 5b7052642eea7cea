import {
  assessPolicyHealth,
  attributableOf,
  logExcerpt,
  windowStart,
} from '../../../../lambdas/core/replication/assess';
import type { Finding } from '../../../../lambdas/core/report/schema';
import { policy } from '../../../helpers/policy-fixture';
import { report } from '../../../helpers/report-fixture';
import { NOW, ago, execution, input, missing } from './fixtures';

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

  it('leaves out refs whose policy cannot run: a start would not bring them', () => {
    const findings: Finding[] = [
      missing(),
      missing({ cannotRun: 'flattening: no destination name' }),
    ];
    expect(
      attributableOf(findings, { id: 1, name: 'to-cluster1', override: true })
    ).toEqual({ missing: 1, mismatched: 0 });
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

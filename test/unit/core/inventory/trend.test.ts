import type {
  Finding,
  Report,
  TargetReport,
} from '../../../../lambdas/core/report/schema';
import {
  firstSeenDelays,
  lastCompleteAudit,
  previousObservation,
  rpoTrend,
} from '../../../../lambdas/core/inventory/trend';

function targetReport(over: Partial<TargetReport> = {}): TargetReport {
  return {
    name: 'cluster-1',
    kind: 'distribution',
    url: 'http://c1',
    verdict: 'DEGRADED',
    counts: {
      expected: 2,
      synced: 1,
      missing: 1,
      mismatched: 0,
      orphaned: 0,
      unknown: 0,
    },
    findings: [],
    shards: [{ project: 'mirror', status: 'audited' }],
    rpo: {
      objectiveSeconds: 3600,
      estimateSeconds: 600,
      oldestUnsyncedPushTime: null,
      p50DelaySeconds: null,
      p95DelaySeconds: null,
      maxDelaySeconds: null,
    },
    replication: { executions: [], failedTasks: [], retriggered: [] },
    drift: [],
    errors: [],
    ...over,
  };
}

function report(
  runId: string,
  startedAt: string,
  over: Partial<Report> = {},
  t = targetReport()
): Report {
  return {
    schemaVersion: 1,
    runId,
    kind: 'audit',
    startedAt,
    finishedAt: startedAt,
    tool: { name: 'harbor-dr-auditor', version: '0' },
    primary: { name: 'p', url: 'http://p' },
    verdict: t.verdict,
    policies: [],
    targets: [t],
    errors: [],
    ...over,
  };
}

const synced = (reference: string, pushTime: string): Finding => ({
  state: 'synced',
  target: 'cluster-1',
  repository: 'mirror/api',
  reference,
  expectedDigest: `sha256:${reference.replace(/\W/g, '').padEnd(8, '0')}`,
  source: { repository: 'team-a/api', reference, pushTime },
});

describe('rpoTrend', () => {
  it('lists earlier runs oldest first, once each, then the current run', () => {
    const history = [
      report('r3', '2026-11-29T02:00:00Z'),
      report('r1', '2026-11-27T02:00:00Z', { kind: 'readiness' }),
      report('r2', '2026-11-28T02:00:00Z'),
      report('r2', '2026-11-28T02:00:00Z'),
      report(
        'other',
        '2026-11-28T03:00:00Z',
        {},
        targetReport({ name: 'cluster-2' })
      ),
    ];
    const current = {
      runId: 'now',
      kind: 'readiness' as const,
      at: '2026-11-29T12:00:00Z',
      verdict: 'READY' as const,
      estimateSeconds: 0,
      p95DelaySeconds: null,
    };

    const trend = rpoTrend(history, 'cluster-1', current);

    expect(trend.map((p) => `${p.runId}:${p.kind}`)).toEqual([
      'r1:readiness',
      'r2:audit',
      'r3:audit',
      'now:readiness',
    ]);
    expect(trend[0]?.estimateSeconds).toBe(600);
  });
});

describe('firstSeenDelays', () => {
  const previous = {
    startedAt: '2026-11-29T10:00:00Z',
    target: targetReport({
      findings: [
        {
          state: 'missing',
          target: 'cluster-1',
          repository: 'mirror/api',
          reference: 'late',
          expectedDigest: 'sha256:late0000',
        },
      ],
    }),
  };
  const observedAt = new Date('2026-11-29T12:00:00Z');

  it('dates refs pushed since the previous run and refs it saw missing', () => {
    const findings = [
      synced('new', '2026-11-29T11:30:00Z'),
      synced('late', '2026-11-29T09:00:00Z'),
      synced('old', '2026-11-28T09:00:00Z'),
    ];

    expect(firstSeenDelays(findings, previous, observedAt)).toEqual([
      1800, 10800,
    ]);
  });

  it('dates nothing without a previous run', () => {
    expect(
      firstSeenDelays(
        [synced('new', '2026-11-29T11:30:00Z')],
        undefined,
        observedAt
      )
    ).toEqual([]);
  });

  it('finds the previous observation of a target among newer-first reports', () => {
    const history = [
      report('r2', '2026-11-29T02:00:00Z', {}, targetReport({ name: 'x' })),
      report('r1', '2026-11-28T02:00:00Z'),
    ];
    expect(previousObservation(history, 'cluster-1')?.startedAt).toBe(
      '2026-11-28T02:00:00Z'
    );
  });
});

describe('lastCompleteAudit', () => {
  it('skips readiness runs, incomplete targets and runs with errors', () => {
    const history = [
      report('r5', '2026-11-29T05:00:00Z', { kind: 'readiness' }),
      report(
        'r4',
        '2026-11-29T04:00:00Z',
        {},
        targetReport({ shards: [{ project: 'm', status: 'not-audited' }] })
      ),
      report('r3', '2026-11-29T03:00:00Z', {
        errors: [{ scope: 'primary', message: 'x' }],
      }),
      report('r2', '2026-11-29T02:00:00Z'),
    ];

    expect(lastCompleteAudit(history, 'cluster-1')).toEqual({
      runId: 'r2',
      finishedAt: '2026-11-29T02:00:00Z',
    });
    expect(lastCompleteAudit([], 'cluster-1')).toBeNull();
  });
});

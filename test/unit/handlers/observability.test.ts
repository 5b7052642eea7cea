import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../../../lambdas/shared/env-keys';
import { recordReportMetrics } from '../../../lambdas/shared/observability';
import { report, targetReport } from '../../helpers/report-fixture';

interface EmfLine {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[];
  };
  [key: string]: unknown;
}

function captureEmf(act: (metrics: Metrics) => void): EmfLine[] {
  const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const metrics = new Metrics({
      namespace: METRICS.namespace,
      serviceName: 'harbor-dr-audit',
    });
    act(metrics);
    metrics.publishStoredMetrics();
    return spy.mock.calls.map(([line]) => JSON.parse(String(line)) as EmfLine);
  } finally {
    spy.mockRestore();
  }
}

describe('recordReportMetrics', () => {
  beforeAll(() => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  });
  afterAll(() => {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  });

  it('emits run metrics with the service dimension and per-target metrics with targetRegistry', () => {
    // Arrange
    const run = report({
      verdict: 'NOT_READY',
      targets: [
        targetReport({
          name: 'cluster1',
          verdict: 'NOT_READY',
          counts: {
            expected: 10,
            synced: 6,
            missing: 3,
            mismatched: 1,
            orphaned: 0,
            unknown: 0,
          },
          rpo: {
            objectiveSeconds: 3600,
            estimateSeconds: 7200,
            oldestUnsyncedPushTime: '2026-11-29T00:00:00.000Z',
            p50DelaySeconds: null,
            p95DelaySeconds: null,
            maxDelaySeconds: null,
          },
          replication: {
            executions: [],
            failedTasks: [],
            retriggered: [
              {
                policyId: 1,
                policyName: 'p',
                reason: 'missing',
                dryRun: false,
                executionId: 42,
                outcome: 'started',
              },
              {
                policyId: 2,
                policyName: 'q',
                reason: 'missing',
                dryRun: true,
                outcome: 'dry-run',
              },
            ],
          },
        }),
        targetReport({
          name: 'dr',
          rpo: {
            objectiveSeconds: 3600,
            estimateSeconds: null,
            oldestUnsyncedPushTime: null,
            p50DelaySeconds: null,
            p95DelaySeconds: null,
            maxDelaySeconds: null,
          },
        }),
      ],
      errors: [{ scope: 'primary', message: 'policy 9 unreadable' }],
    });

    // Act
    const lines = captureEmf((m) => {
      recordReportMetrics(m, run);
    });

    // Assert
    const runLine = lines.find((l) => METRICS.problems in l);
    expect(runLine).toMatchObject({
      service: 'harbor-dr-audit',
      [METRICS.problems]: 2,
      [METRICS.artifactsMissing]: 4,
      [METRICS.retriggersStarted]: 1,
    });
    expect(runLine?._aws.CloudWatchMetrics[0]?.Namespace).toBe('HarborDR');
    expect(runLine?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service'],
    ]);
    const cluster1 = lines.filter((l) => l.targetRegistry === 'cluster1');
    expect(cluster1.length).toBeGreaterThan(0);
    expect(Object.assign({}, ...cluster1)).toMatchObject({
      [METRICS.artifactsMissing]: 4,
      [METRICS.targetReady]: 0,
      [METRICS.exposureSeconds]: 7200,
      verdict: 'NOT_READY',
    });
    const dr = Object.assign(
      {},
      ...lines.filter((l) => l.targetRegistry === 'dr')
    ) as Record<string, unknown>;
    expect(dr[METRICS.targetReady]).toBe(1);
    // No estimate, no datapoint: a zero would read as "nothing exposed".
    expect(dr).not.toHaveProperty(METRICS.exposureSeconds);
  });

  // A proven breach (bound 2h > objective 1h, estimate unknown) used to emit no exposure at
  // all: the report said NOT_READY for exposure while the exposure alarm stayed OK.
  it('emits the lower bound as ExposureAtLeastSeconds (never as ExposureSeconds) when the estimate is unknown, and neither when nothing is proven', () => {
    // Arrange
    const unknownRpo = {
      objectiveSeconds: 3600,
      estimateSeconds: null,
      oldestUnsyncedPushTime: null,
      p50DelaySeconds: null,
      p95DelaySeconds: null,
      maxDelaySeconds: null,
    };
    const unseen = {
      expected: 10,
      synced: 6,
      missing: 2,
      mismatched: 0,
      orphaned: 0,
      unknown: 2,
    };
    const run = report({
      verdict: 'NOT_READY',
      targets: [
        targetReport({
          name: 'bounded',
          verdict: 'NOT_READY',
          counts: unseen,
          rpo: {
            ...unknownRpo,
            estimateAtLeastSeconds: 7200,
            oldestUnsyncedPushTime: '2026-11-29T00:00:00.000Z',
          },
        }),
        targetReport({
          name: 'blind',
          verdict: 'UNKNOWN',
          counts: unseen,
          rpo: unknownRpo,
        }),
        targetReport({
          name: 'known',
          rpo: { ...unknownRpo, estimateSeconds: 600 },
        }),
      ],
    });

    // Act
    const lines = captureEmf((m) => {
      recordReportMetrics(m, run);
    });

    // Assert
    const of = (target: string) =>
      Object.assign(
        {},
        ...lines.filter((l) => l.targetRegistry === target)
      ) as Record<string, unknown>;
    const bounded = lines.filter(
      (l) =>
        l.targetRegistry === 'bounded' && METRICS.exposureAtLeastSeconds in l
    );
    expect(bounded).toHaveLength(1);
    expect(bounded[0]).toMatchObject({
      [METRICS.exposureAtLeastSeconds]: 7200,
      verdict: 'NOT_READY',
    });
    expect(bounded[0]?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'HarborDR',
      Dimensions: [['service', 'targetRegistry']],
      Metrics: [{ Name: METRICS.exposureAtLeastSeconds, Unit: 'Seconds' }],
    });
    expect(of('bounded')).not.toHaveProperty(METRICS.exposureSeconds);
    // Neither an estimate nor a bound: no exposure datapoint of either kind.
    expect(of('blind')).not.toHaveProperty(METRICS.exposureSeconds);
    expect(of('blind')).not.toHaveProperty(METRICS.exposureAtLeastSeconds);
    expect(of('blind')[METRICS.targetReady]).toBe(0);
    // A known estimate is the estimate only.
    expect(of('known')[METRICS.exposureSeconds]).toBe(600);
    expect(of('known')).not.toHaveProperty(METRICS.exposureAtLeastSeconds);
  });

  it('emits no bound for a stale estimateAtLeastSeconds beside a known estimate', () => {
    // Arrange: the schema allows both; the bound means nothing once the estimate is known.
    const run = report({
      targets: [
        targetReport({
          name: 'known',
          rpo: {
            ...targetReport().rpo,
            estimateSeconds: 900,
            estimateAtLeastSeconds: 7200,
          },
        }),
      ],
    });

    // Act
    const lines = captureEmf((m) => {
      recordReportMetrics(m, run);
    });

    // Assert
    expect(lines.some((l) => METRICS.exposureAtLeastSeconds in l)).toBe(false);
    expect(
      lines.find((l) => METRICS.exposureSeconds in l)?.[METRICS.exposureSeconds]
    ).toBe(900);
  });
});

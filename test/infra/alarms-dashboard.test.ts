import { Stack } from 'aws-cdk-lib';
import { METRICS } from '../../lambdas/shared/env-keys';
import { synthStack } from './helpers/stack';
import { configWith } from './helpers/synth';

type Template = ReturnType<ReturnType<typeof synthStack>['template']>;

interface Widget {
  type: string;
  properties: {
    title?: string;
    metrics?: unknown[][];
    annotations?: { horizontal?: { value: number; label: string }[] };
  };
}

/** The dashboard body, with the function and region tokens resolved to placeholders. */
function dashboardWidgets(template: Template): Widget[] {
  const dashboards = Object.values(
    template.findResources('AWS::CloudWatch::Dashboard')
  );
  expect(dashboards).toHaveLength(1);
  const body = (dashboards[0] as { Properties: { DashboardBody: unknown } })
    .Properties.DashboardBody;
  const text =
    typeof body === 'string'
      ? body
      : (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
          .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
          .join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

function alarmsOn(template: Template, metricName: string) {
  return Object.values(
    template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: metricName, Namespace: 'HarborDR' },
    })
  ).map((r) => (r as { Properties: Record<string, unknown> }).Properties);
}

interface MetricQuery {
  Id: string;
  Expression?: string;
  ReturnData: boolean;
  MetricStat?: {
    Metric: {
      Namespace: string;
      MetricName: string;
      Dimensions: { Name: string; Value: string }[];
    };
    Period: number;
    Stat: string;
  };
}

/** The per-target exposure alarms: metric math over ExposureSeconds and its lower bound. */
function exposureAlarms(template: Template) {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((r) => (r as { Properties: Record<string, unknown> }).Properties)
    .filter((p) =>
      ((p.Metrics ?? []) as MetricQuery[]).some(
        (m) => m.MetricStat?.Metric.MetricName === METRICS.exposureSeconds
      )
    );
}

function targetOf(alarm: Record<string, unknown>): string | undefined {
  const query = (alarm.Metrics as MetricQuery[]).find(
    (m) => m.MetricStat !== undefined
  );
  return query?.MetricStat?.Metric.Dimensions.find(
    (d) => d.Name === 'targetRegistry'
  )?.Value;
}

/** Alarms go to the alarms topic (an alarm cannot set message attributes). */
const TOPIC_ACTION = [{ Ref: expect.stringMatching(/^Alarms/) as unknown }];

describe('heartbeat alarm', () => {
  it('fires when no audit completed within 26 hours, missing data breaching, to the topic', () => {
    // Act
    const template = synthStack(configWith()).template();

    // Assert: Problems is published once per completed run, so its sample count counts runs.
    const heartbeat = alarmsOn(template, 'Problems').filter(
      (p) => p.Statistic === 'SampleCount'
    );
    expect(heartbeat).toHaveLength(1);
    expect(heartbeat[0]).toMatchObject({
      Dimensions: [{ Name: 'service', Value: 'harbor-dr-audit' }],
      Period: 3600,
      EvaluationPeriods: 26,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(heartbeat[0]?.AlarmActions).toEqual(TOPIC_ACTION);
    expect(
      (heartbeat[0]?.Period as number) *
        (heartbeat[0]?.EvaluationPeriods as number)
    ).toBe(26 * 3600);
  });
});

describe('exposure alarms', () => {
  it('one per configured target, above rpoObjectiveMinutes*60, on its targetRegistry, missing data not breaching', () => {
    // Arrange
    const config = configWith({ rpoObjectiveMinutes: 90 });

    // Act
    const template = synthStack(config).template();

    // Assert
    const alarms = exposureAlarms(template);
    expect(alarms).toHaveLength(2);
    const byTarget = new Map(alarms.map((p) => [targetOf(p), p]));
    expect([...byTarget.keys()].sort()).toEqual(['cluster1', 'dr']);
    for (const alarm of byTarget.values()) {
      expect(alarm).toMatchObject({
        Threshold: 5400,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: TOPIC_ACTION,
      });
    }
  });

  // A proven breach (estimate unknown, bound 2h > objective 1h) used to leave the alarm OK:
  // it watched ExposureSeconds alone, which is not emitted when the estimate is unknown.
  it('watches the larger of the estimate and the lower bound, per target, each its Maximum over the hour', () => {
    // Act
    const template = synthStack(configWith()).template();

    // Assert
    const alarms = exposureAlarms(template);
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) {
      const target = targetOf(alarm);
      const queries = alarm.Metrics as MetricQuery[];
      const stat = (metricName: string) => ({
        Metric: {
          Namespace: 'HarborDR',
          MetricName: metricName,
          Dimensions: [
            { Name: 'service', Value: 'harbor-dr-audit' },
            { Name: 'targetRegistry', Value: target },
          ],
        },
        Period: 3600,
        Stat: 'Maximum',
      });
      // IF, not MAX: CloudWatch documents that a comparison of two series treats a missing
      // value as 0 and how IF picks per timestamp (lib/constructs/audit-monitoring.ts), so:
      // estimate alone → estimate, bound alone → bound, both → the larger, neither → none.
      expect(queries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Expression: 'IF(estimate >= atLeast, estimate, atLeast)',
            ReturnData: true,
          }),
          {
            Id: 'estimate',
            MetricStat: stat(METRICS.exposureSeconds),
            ReturnData: false,
          },
          {
            Id: 'atLeast',
            MetricStat: stat(METRICS.exposureAtLeastSeconds),
            ReturnData: false,
          },
        ])
      );
      expect(queries).toHaveLength(3);
      expect(queries.filter((q) => q.ReturnData)).toHaveLength(1);
      // Metric math alarms carry no single metric of their own.
      expect(alarm).not.toHaveProperty('MetricName');
    }
  });

  it('follows the default objective (60 min) when the config sets none', () => {
    const template = synthStack(configWith()).template();

    const alarms = exposureAlarms(template);
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) {
      expect(alarm.Threshold).toBe(3600);
    }
  });

  it('a config of 200 targets synthesizes 200 exposure alarms within the 500-resource limit', () => {
    // Arrange
    const targets = Array.from({ length: 200 }, (_, i) => ({
      name: `cluster-${String(i)}`,
      url: `https://cluster-${String(i)}.example.com`,
      kind: 'distribution',
      credentials: { secretId: 'harbor-dr/primary' },
    }));

    // Act
    const template = synthStack(configWith({ targets })).template();

    // Assert
    expect(exposureAlarms(template)).toHaveLength(200);
    expect(
      Object.keys(template.toJSON().Resources as object).length
    ).toBeLessThan(500);
    const exposureWidgets = dashboardWidgets(template).filter((w) =>
      w.properties.title?.startsWith('Exposure: ')
    );
    expect(exposureWidgets).toHaveLength(200);
  });
});

describe('dashboard', () => {
  it('has one exposure widget per target, the estimate and its lower bound as separate lines, with the objective as a horizontal annotation', () => {
    // Act
    const { stack, template } = synthStack(
      configWith({ rpoObjectiveMinutes: 45 })
    );
    const widgets = dashboardWidgets(template());

    // Assert
    template().hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: `${Stack.of(stack).stackName}-audit`,
    });
    const exposure = widgets.filter((w) =>
      w.properties.title?.startsWith('Exposure: ')
    );
    expect(exposure.map((w) => w.properties.title)).toEqual([
      'Exposure: dr',
      'Exposure: cluster1',
    ]);
    for (const [i, target] of ['dr', 'cluster1'].entries()) {
      const props = exposure[i]?.properties;
      const line = (metricName: string, label: string): unknown[] => [
        'HarborDR',
        metricName,
        'service',
        'harbor-dr-audit',
        'targetRegistry',
        target,
        expect.objectContaining({ stat: 'Maximum', label }) as unknown,
      ];
      // The bound is its own line, labelled as a floor: never merged into the estimate.
      expect(props?.metrics).toEqual([
        line('ExposureSeconds', `${target} exposure`),
        line(
          'ExposureAtLeastSeconds',
          `${target} exposure at least (estimate unknown)`
        ),
      ]);
      expect(props?.annotations?.horizontal).toEqual([
        expect.objectContaining({ value: 2700, label: 'objective 45 min' }),
      ]);
    }
  });

  it('graphs verdict, missing, per-run problems and re-triggers, and run duration from emitted metrics only', () => {
    // Act
    const widgets = dashboardWidgets(synthStack(configWith()).template());
    const text = JSON.stringify(widgets);

    // Assert
    const titles = widgets.map((w) => w.properties.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Verdict per target (1 = READY)',
        'Missing + mismatched per target',
        'Per run: problems, missing + mismatched, re-triggers',
        'Audit run duration',
      ])
    );
    expect(text).toContain('MetricName=\\"TargetReady\\"');
    expect(text).toContain('MetricName=\\"ArtifactsMissing\\"');
    expect(text).toContain('"RetriggersStarted"');
    expect(text).toContain('"AWS/Lambda","Duration"');
    // Every HarborDR metric the dashboard names is one the handlers emit.
    const emitted: string[] = Object.entries(METRICS)
      .filter(([key]) => key !== 'namespace')
      .map(([, name]) => name);
    const named = [
      ...text.matchAll(/"HarborDR","(\w+)"|MetricName=\\"(\w+)\\"/g),
    ].map((m) => m[1] ?? m[2]);
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(emitted).toContain(name);
  });
});

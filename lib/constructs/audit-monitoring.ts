import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS } from '../../lambdas/shared/env-keys';

/** Hours without a completed audit before the heartbeat alarm fires (a nightly run, plus slack). */
export const HEARTBEAT_HOURS = 26;

/** The per-target metrics' dimension (lambdas/shared/observability.ts). */
export const TARGET_DIMENSION = 'targetRegistry';

/** The dashboard colour of the exposure's lower bound (the objective line is red). */
const AT_LEAST_COLOR = '#ff7f0e';

/** A target's per-target exposure metrics: the estimate, and its lower bound when unknown. */
interface ExposureMetrics {
  readonly estimate: (target: string) => Metric;
  readonly atLeast: (target: string) => Metric;
}

/**
 * The exposure a target's alarm watches: per period, the larger of the estimate
 * (`ExposureSeconds`) and the lower bound (`ExposureAtLeastSeconds`, emitted only while the
 * estimate is unknown), so that a breach the refs seen prove alarms like a known one.
 *
 * Not `MAX([estimate, atLeast])`: CloudWatch's metric math documentation does not say how MAX
 * of an array treats a timestamp missing from one series, and advises against MAX in alarms.
 * It does say (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html,
 * "Comparison and logical operators" and "Using IF expressions") that a comparison between
 * two time series treats a value missing from one as 0, and that IF(c, a, b) takes `a` where
 * c is true (0 if `a` has no value there) and `b` where c is false (no point if `b` has no
 * value there). So, per timestamp, with the bound emitted only when positive:
 * estimate alone → the estimate (estimate ≥ 0); bound alone → the bound (0 ≥ bound is
 * false); both (two runs in one period) → the larger; neither → no datapoint, which
 * `treatMissingData` decides as before.
 */
function provenExposure(target: string, exposure: ExposureMetrics) {
  return new MathExpression({
    expression: 'IF(estimate >= atLeast, estimate, atLeast)',
    usingMetrics: {
      estimate: exposure.estimate(target),
      atLeast: exposure.atLeast(target),
    },
    period: Duration.hours(1),
    label: `${target} exposure, estimated or proven`,
  });
}

/** Properties of {@link AuditMonitoring}. */
export interface AuditMonitoringProps {
  /** The audit function (its Lambda `Duration` metric is the run duration). */
  readonly auditFunction: IFunction;
  /** The audit's `service` dimension (`POWERTOOLS_SERVICE_NAME`). */
  readonly serviceName: string;
  /** The configured targets' names, one exposure alarm and widget each. */
  readonly targetNames: readonly string[];
  /** The RPO objective (config `rpoObjectiveMinutes`). */
  readonly rpoObjectiveMinutes: number;
  /** Where alarms go (the same topic as the functions' alarms). */
  readonly alarmTopic: ITopic;
  /** The dashboard's name. */
  readonly dashboardName: string;
}

/**
 * What an on-call engineer watches: a heartbeat alarm (no completed audit within
 * {@link HEARTBEAT_HOURS} hours), one alarm per target on exposure above the objective
 * (the estimate, or the lower bound the refs seen prove when it is unknown),
 * and a dashboard of the metrics the audit handler really emits (recordReportMetrics).
 */
export class AuditMonitoring extends Construct {
  readonly heartbeatAlarm: Alarm;
  /** By target name. */
  readonly exposureAlarms: ReadonlyMap<string, Alarm>;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: AuditMonitoringProps) {
    super(scope, id);
    const action = new SnsAction(props.alarmTopic);
    const objectiveSeconds = props.rpoObjectiveMinutes * 60;
    const service = { service: props.serviceName };

    // Problems is stored and published once per completed run (failed runs publish none):
    // its sample count is the number of completed runs.
    this.heartbeatAlarm = new Alarm(this, 'HeartbeatAlarm', {
      alarmDescription: `${props.serviceName}: no completed audit within ${String(HEARTBEAT_HOURS)} hours (the schedule did not fire, or every run failed)`,
      metric: new Metric({
        namespace: METRICS.namespace,
        metricName: METRICS.problems,
        dimensionsMap: service,
        period: Duration.hours(1),
        statistic: 'SampleCount',
      }),
      threshold: 1,
      evaluationPeriods: HEARTBEAT_HOURS,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      // No datapoint is exactly the failure this alarm is for.
      treatMissingData: TreatMissingData.BREACHING,
    });
    this.heartbeatAlarm.addAlarmAction(action);

    const targetMetric = (metricName: string) => (target: string) =>
      new Metric({
        namespace: METRICS.namespace,
        metricName,
        dimensionsMap: { ...service, [TARGET_DIMENSION]: target },
        period: Duration.hours(1),
        statistic: 'Maximum',
      });
    const exposure: ExposureMetrics = {
      estimate: targetMetric(METRICS.exposureSeconds),
      atLeast: targetMetric(METRICS.exposureAtLeastSeconds),
    };
    const alarms = new Map<string, Alarm>();
    for (const target of props.targetNames) {
      const alarm = new Alarm(this, `Exposure-${target}`, {
        alarmDescription: `${target}: RPO exposure above the ${String(props.rpoObjectiveMinutes)} min objective (the oldest unreplicated change is older), estimated or proven by the refs seen while others went unseen`,
        metric: provenExposure(target, exposure),
        threshold: objectiveSeconds,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        // An exposure that could not be computed, and of which the refs seen prove nothing,
        // emits no datapoint: UNKNOWN is reported by the problems alarm and the report, not
        // guessed here.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarms.set(target, alarm);
    }
    this.exposureAlarms = alarms;

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(14),
      widgets: this.widgets(props, exposure, objectiveSeconds),
    });
  }

  private widgets(
    props: AuditMonitoringProps,
    exposure: ExposureMetrics,
    objectiveSeconds: number
  ): IWidget[][] {
    const perRun = (metricName: string, label: string) =>
      new Metric({
        namespace: METRICS.namespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        period: Duration.hours(1),
        statistic: 'Maximum',
        label,
      });
    // Any number of targets in one graph: a SEARCH over the per-target dimension.
    const perTarget = (metricName: string, statistic: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${METRICS.namespace},service,${TARGET_DIMENSION}} MetricName="${metricName}" service="${props.serviceName}"', '${statistic}', 3600)`,
        usingMetrics: {},
        label,
        period: Duration.hours(1),
      });
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: `# harbor-dr-auditor\nRPO objective: ${String(props.rpoObjectiveMinutes)} min. Unknown counts are not emitted as metrics: see the reports.`,
          width: 24,
          height: 2,
        }),
      ],
      [
        new GraphWidget({
          title: 'Verdict per target (1 = READY)',
          left: [perTarget(METRICS.targetReady, 'Minimum', 'ready')],
          leftYAxis: { min: 0, max: 1 },
          width: 8,
        }),
        new GraphWidget({
          title: 'Missing + mismatched per target',
          left: [perTarget(METRICS.artifactsMissing, 'Maximum', 'missing')],
          leftYAxis: { min: 0 },
          width: 8,
        }),
        new GraphWidget({
          title: 'Per run: problems, missing + mismatched, re-triggers',
          left: [
            perRun(METRICS.problems, 'problems'),
            perRun(METRICS.artifactsMissing, 'missing + mismatched'),
            perRun(METRICS.retriggersStarted, 're-triggers started'),
          ],
          leftYAxis: { min: 0 },
          width: 8,
        }),
      ],
      [
        new GraphWidget({
          title: 'Audit run duration',
          left: [
            props.auditFunction.metricDuration({
              period: Duration.hours(1),
              statistic: 'Maximum',
            }),
          ],
          width: 24,
        }),
      ],
    ];
    const exposureWidgets = props.targetNames.map(
      (target) =>
        new GraphWidget({
          title: `Exposure: ${target}`,
          // The bound is a line of its own: a floor, not the estimate.
          left: [
            exposure.estimate(target).with({ label: `${target} exposure` }),
            exposure.atLeast(target).with({
              label: `${target} exposure at least (estimate unknown)`,
              color: AT_LEAST_COLOR,
            }),
          ],
          leftYAxis: { min: 0, label: 'seconds', showUnits: false },
          leftAnnotations: [
            {
              value: objectiveSeconds,
              label: `objective ${String(props.rpoObjectiveMinutes)} min`,
              color: '#d62728',
            },
          ],
          width: 6,
        })
    );
    for (let i = 0; i < exposureWidgets.length; i += 4) {
      rows.push(exposureWidgets.slice(i, i + 4));
    }
    return rows;
  }
}

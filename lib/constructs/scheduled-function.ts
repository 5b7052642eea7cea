import {
  Duration,
  RemovalPolicy,
  Stack,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  Effect,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type CfnFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import {
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../../lambdas/shared/env-keys';
import { lambdaNodeOptions } from './node-options';

/** An EventBridge Scheduler expression and the time zone it is read in. */
export interface FunctionSchedule {
  /** `cron(m h dom mon dow year)` or `rate(n unit)`. */
  readonly expression: string;
  /** An IANA time zone name. */
  readonly timeZone: string;
}

/** Subnets and security groups for a function that must reach a private Harbor. */
export interface FunctionVpcPlacement {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

/** Properties of {@link ScheduledFunction}. */
export interface ScheduledFunctionProps {
  /** The handler's TypeScript entry file. */
  readonly entry: string;
  /** What the function does, for the console. */
  readonly description: string;
  /** `POWERTOOLS_SERVICE_NAME`, also the `service` dimension of its metrics. */
  readonly serviceName: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  /** `POWERTOOLS_LOG_LEVEL`. */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Variables the handler reads (besides the Powertools ones this construct sets). */
  readonly environment: Readonly<Record<string, string>>;
  /** Where alarms go. */
  readonly alarmTopic: ITopic;
  /**
   * Runs the function on this schedule through EventBridge Scheduler.
   * @default - on demand only
   */
  readonly schedule?: FunctionSchedule;
  /**
   * At most this many concurrent executions (1: runs never overlap).
   * @default - the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
  /**
   * Places the function in these subnets.
   * @default - outside any VPC
   */
  readonly vpc?: FunctionVpcPlacement;
  /**
   * Alarms when a run finds problems (the `Problems` metric of this service). Only functions
   * that publish that metric, under a service name no other alarm watches, should have one:
   * otherwise the alarm cannot fire, or the same problems page twice.
   * @default true
   */
  readonly problemsAlarm?: boolean;
  /** The lock file esbuild bundling resolves dependencies with. */
  readonly depsLockFilePath: string;
  /** The directory that holds package.json and node_modules. */
  readonly projectRoot: string;
}

/**
 * One use case as a Lambda function, the Powertools example app's pattern: a NodejsFunction
 * bundled by local esbuild (Node.js 24, arm64, X-Ray active), its own least-privilege role
 * and log group, an encrypted TLS-only queue for failed invocations (the function's async
 * on-failure destination and the Scheduler's dead-letter queue), an optional EventBridge
 * Scheduler schedule with retries, and alarms on errors, on duration near the timeout, on
 * problems found and on failed invocations, all to the alarm topic.
 */
export class ScheduledFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Failed invocations: the async on-failure destination and the Scheduler's DLQ. */
  readonly failures: Queue;
  readonly schedule: Schedule | undefined;
  readonly errorsAlarm: Alarm;
  readonly durationAlarm: Alarm;
  /** Undefined when `problemsAlarm: false`. */
  readonly problemsAlarm: Alarm | undefined;
  readonly failuresAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ScheduledFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      // Logs expire on their own; a retained group would only block a re-deploy's cleanup.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // A role of our own instead of AWSLambdaBasicExecutionRole: it may write to this log
    // group only, and gets nothing else but the grants made explicitly.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.serviceName}: runtime role`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      })
    );

    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords, and the Lambda VPC network-interface actions when a VPC is set, support no resource-level permissions.',
    });

    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // This queue is itself the dead-letter destination; nag only recognises queues that
    // another queue's RedrivePolicy names.
    for (const id of [
      'AwsSolutions::AwsSolutions-SQS3',
      'Serverless::Serverless-SQSRedrivePolicy',
    ]) {
      Validations.of(this.failures).acknowledge({
        id,
        reason:
          "This queue is the dead-letter destination (the function's async on-failure destination and the schedule's DLQ); a queue behind it would only move the problem.",
      });
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency,
      // Scheduler invokes asynchronously: Lambda retries twice, then records the failure.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.failures),
      environment: {
        ...props.environment,
        NODE_OPTIONS: lambdaNodeOptions(props.memorySize),
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
      },
      projectRoot: props.projectRoot,
      depsLockFilePath: props.depsLockFilePath,
      bundling: {
        format: OutputFormat.CJS,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        target: 'node24',
        // Ship the SDK version the tests ran against, not the runtime's.
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });

    if (props.vpc) this.placeInVpc(props.vpc);

    if (props.schedule) {
      this.schedule = new Schedule(this, 'Schedule', {
        description: `${props.serviceName}: ${props.schedule.expression} (${props.schedule.timeZone})`,
        schedule: ScheduleExpression.expression(
          props.schedule.expression,
          TimeZone.of(props.schedule.timeZone)
        ),
        target: new LambdaInvoke(this.function, {
          role: this.schedulerRole(),
          // The handler's event schema: an empty object is a full, real run.
          input: ScheduleTargetInput.fromObject({}),
          retryAttempts: 3,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: this.failures,
        }),
      });
    }

    const alarmAction = new SnsAction(props.alarmTopic);
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `${props.serviceName} failed (an infrastructure error: drift is reported, not thrown)`,
      metric: this.function.metricErrors({
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const nearTimeoutMs = Math.floor(props.timeout.toMilliseconds() * 0.9);
    this.durationAlarm = new Alarm(this, 'DurationAlarm', {
      alarmDescription: `${props.serviceName} ran for 90% of its ${props.timeout.toHumanString()} timeout: shards may go unaudited`,
      metric: this.function.metricDuration({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: nearTimeoutMs,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.problemsAlarm =
      (props.problemsAlarm ?? true)
        ? new Alarm(this, 'ProblemsAlarm', {
            alarmDescription: `${props.serviceName} found problems (targets not READY, or run errors)`,
            metric: new Metric({
              namespace: METRICS.namespace,
              metricName: METRICS.problems,
              dimensionsMap: { service: props.serviceName },
              period: Duration.minutes(5),
              statistic: 'Maximum',
            }),
            threshold: 1,
            evaluationPeriods: 1,
            comparisonOperator:
              ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          })
        : undefined;
    this.failuresAlarm = new Alarm(this, 'FailuresAlarm', {
      alarmDescription: `${props.serviceName}: an invocation failed after its retries (see the failures queue)`,
      metric: this.failures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [
      this.errorsAlarm,
      this.durationAlarm,
      ...(this.problemsAlarm ? [this.problemsAlarm] : []),
      this.failuresAlarm,
    ]) {
      alarm.addAlarmAction(alarmAction);
    }
  }

  /**
   * The role EventBridge Scheduler assumes, for schedules of this account only (the
   * confused-deputy guard the shared default role lacks). LambdaInvoke grants it
   * lambda:InvokeFunction on this function.
   */
  private schedulerRole(): Role {
    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
      description: 'EventBridge Scheduler: invoke one function',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        'LambdaInvoke grants the function and its versions (<arn>:*); the wildcard covers versions of this one function only.',
    });
    return role;
  }

  /**
   * Sets the VPC configuration at the CloudFormation level: the config names subnets and
   * security groups only, and the L2 API would need the VPC itself. The ENI permissions
   * are those of AWSLambdaVPCAccessExecutionRole, inline.
   */
  private placeInVpc(vpc: FunctionVpcPlacement): void {
    const cfn = this.function.node.defaultChild as CfnFunction;
    cfn.vpcConfig = {
      subnetIds: [...vpc.subnetIds],
      securityGroupIds: [...vpc.securityGroupIds],
    };
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      })
    );
  }
}

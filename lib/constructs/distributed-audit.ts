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
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import {
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Errors,
  JsonPath,
  LogLevel,
  S3JsonItemReader,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  ScheduledFunction,
  type FunctionSchedule,
  type ScheduledFunctionProps,
} from './scheduled-function';

/** The key prefix of a distributed run's intermediate objects in the reports bucket. */
export const RUNS_PREFIX = 'runs';

/** The state names, as tests and the local execution address them. */
export const DISTRIBUTED_STATES = {
  plan: 'Plan',
  leaseHeld: 'LeaseHeld',
  skipped: 'Skipped',
  shards: 'Shards',
  shard: 'AuditShard',
  recordFailure: 'RecordShardFailure',
  merge: 'Merge',
} as const;

/** Errors of the Lambda service itself (throttling, capacity), retried with backoff. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
];

type FunctionCommon = Omit<
  ScheduledFunctionProps,
  | 'entry'
  | 'description'
  | 'serviceName'
  | 'memorySize'
  | 'timeout'
  | 'schedule'
  | 'reservedConcurrency'
  | 'problemsAlarm'
>;

/** Properties of {@link DistributedAudit}. */
export interface DistributedAuditProps {
  /** What every function shares (environment, logs, VPC, bundling). */
  readonly functions: FunctionCommon;
  readonly entries: {
    readonly plan: string;
    readonly shard: string;
    readonly merge: string;
  };
  /** Plan and merge: the audit function's size. */
  readonly stepSizing: {
    readonly memoryMiB: number;
    readonly timeout: Duration;
  };
  /** Each shard function. */
  readonly shardSizing: {
    readonly memoryMiB: number;
    readonly timeout: Duration;
  };
  /**
   * The merge's `service` metric dimension: the audit's, so that the audit function's
   * problems alarm and the heartbeat alarm watch the merge's runs.
   */
  readonly auditServiceName: string;
  /** Where the run objects go (under runs/) and the reports (the merge's own grants). */
  readonly bucket: Bucket;
  /** Shard functions running at once, all targets together. */
  readonly maxConcurrency: number;
  /** A project expecting more refs is split into repository ranges. */
  readonly maxRefsPerShard: number;
  /** The execution stops (TimedOut, alarmed) after this long. */
  readonly timeout: Duration;
  /** Days run objects are kept. */
  readonly runRetentionDays: number;
  readonly logRetention: RetentionDays;
  readonly alarmTopic: ITopic;
  /** Starts the state machine on this schedule. @default on demand only */
  readonly schedule?: FunctionSchedule;
  readonly description: string;
}

/**
 * The distributed audit: a Step Functions state machine (plan Task → Distributed Map over
 * the shard list that the plan writes to S3, each item one shard Lambda with retries on
 * throttling and a Catch that records the failure → merge Task), its three functions, a
 * lifecycle rule on the run objects, an optional schedule, and alarms on failed and
 * timed-out executions.
 *
 * Failed shards never stop the run: the Catch records why (ToleratedFailurePercentage 100
 * covers an item whose recording failed too), and the merge reports every shard without a
 * partial UNKNOWN. The Map keeps no results (ResultPath null): the merge reads the partials,
 * so no payload limit is near whatever the number of shards.
 */
export class DistributedAudit extends Construct {
  readonly plan: ScheduledFunction;
  readonly shard: ScheduledFunction;
  readonly merge: ScheduledFunction;
  readonly stateMachine: StateMachine;
  readonly schedule: Schedule | undefined;
  readonly failedAlarm: Alarm;
  readonly timedOutAlarm: Alarm;

  constructor(scope: Construct, id: string, props: DistributedAuditProps) {
    super(scope, id);
    // No ProblemsAlarm on any step. The plan and shard handlers publish no Problems metric
    // (only run-handler and audit-merge call recordReportMetrics), so theirs could never
    // fire. The merge publishes Problems under the audit's service name (auditServiceName,
    // its POWERTOOLS_SERVICE_NAME), the very metric (HarborDR/Problems, service=<audit>)
    // that the stack's audit function's ProblemsAlarm watches: a second alarm on it would
    // page twice for every problem.
    const step = (
      name: string,
      entry: string,
      description: string,
      sizing: { memoryMiB: number; timeout: Duration },
      serviceName: string
    ) =>
      new ScheduledFunction(this, name, {
        ...props.functions,
        entry,
        description: `${props.description}: ${description}`,
        serviceName,
        memorySize: sizing.memoryMiB,
        timeout: sizing.timeout,
        problemsAlarm: false,
      });
    this.plan = step(
      'PlanFunction',
      props.entries.plan,
      'plan (reads the primary, writes the shards)',
      props.stepSizing,
      'harbor-dr-audit-plan'
    );
    this.shard = step(
      'ShardFunction',
      props.entries.shard,
      'one shard (observe + diff)',
      props.shardSizing,
      'harbor-dr-audit-shard'
    );
    this.merge = step(
      'MergeFunction',
      props.entries.merge,
      'merge (assess, report, notify)',
      props.stepSizing,
      props.auditServiceName
    );
    this.grantRuns(props.bucket);
    props.bucket.addLifecycleRule({
      id: 'ExpireRunObjects',
      prefix: `${RUNS_PREFIX}/`,
      expiration: Duration.days(props.runRetentionDays),
      noncurrentVersionExpiration: Duration.days(1),
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(this.definition(props)),
      timeout: props.timeout,
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'ExecutionLogs', {
          retention: props.logRetention,
          // As the functions' groups: logs expire on their own, and a retained group would
          // only block a re-deploy's cleanup.
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
      comment: props.description,
    });
    // The item reader is given the bucket by path (the plan's output), so CDK adds no grant:
    // the state machine reads the shard lists only.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadShardLists',
        actions: ['s3:GetObject'],
        resources: [props.bucket.arnForObjects(`${RUNS_PREFIX}/*/shards.json`)],
      })
    );
    this.acknowledgeStateMachineFindings(props.bucket);

    if (props.schedule) this.schedule = this.scheduleRuns(props.schedule);

    const alarmAction = new SnsAction(props.alarmTopic);
    this.failedAlarm = new Alarm(this, 'FailedAlarm', {
      alarmDescription:
        'A distributed audit execution failed (the plan or the merge failed after its retries): no report was written',
      metric: this.stateMachine.metricFailed({
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.timedOutAlarm = new Alarm(this, 'TimedOutAlarm', {
      alarmDescription: `A distributed audit execution ran longer than ${props.timeout.toHumanString()} and was stopped: no report was written`,
      metric: this.stateMachine.metricTimedOut({
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.failedAlarm, this.timedOutAlarm]) {
      alarm.addAlarmAction(alarmAction);
    }
  }

  /** The functions, for the grants the stack makes (config, secrets). */
  get functions(): ScheduledFunction[] {
    return [this.plan, this.shard, this.merge];
  }

  private definition(props: DistributedAuditProps) {
    const throttling = {
      errors: LAMBDA_SERVICE_ERRORS,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.seconds(60),
    };
    const plan = new LambdaInvoke(this, DISTRIBUTED_STATES.plan, {
      lambdaFunction: this.plan.function,
      payload: TaskInput.fromObject({
        run: JsonPath.objectAt('$$.Execution.Input'),
        maxRefsPerShard: props.maxRefsPerShard,
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    }).addRetry(throttling);

    const shard = new LambdaInvoke(this, DISTRIBUTED_STATES.shard, {
      lambdaFunction: this.shard.function,
      payload: TaskInput.fromObject({
        runId: JsonPath.stringAt('$.runId'),
        shard: JsonPath.stringAt('$.shard'),
      }),
      payloadResponseOnly: true,
      resultPath: JsonPath.DISCARD,
      retryOnServiceExceptions: false,
    })
      .addRetry(throttling)
      // The handler's own failure (an S3 error, a crash): once more, later.
      .addRetry({
        errors: [Errors.TASKS_FAILED, Errors.TIMEOUT],
        interval: Duration.seconds(10),
        backoffRate: 2,
        maxAttempts: 2,
      });
    const recordFailure = new LambdaInvoke(
      this,
      DISTRIBUTED_STATES.recordFailure,
      {
        lambdaFunction: this.shard.function,
        payload: TaskInput.fromObject({
          runId: JsonPath.stringAt('$.runId'),
          shard: JsonPath.stringAt('$.shard'),
          // The Catch's {Error, Cause}, as caught.
          failure: JsonPath.objectAt('$.failure'),
        }),
        payloadResponseOnly: true,
        resultPath: JsonPath.DISCARD,
        retryOnServiceExceptions: false,
      }
    ).addRetry(throttling);
    shard.addCatch(recordFailure, {
      errors: [Errors.ALL],
      resultPath: '$.failure',
    });

    const shards = new DistributedMap(this, DISTRIBUTED_STATES.shards, {
      itemReader: new S3JsonItemReader({
        bucketNamePath: JsonPath.stringAt('$.bucket'),
        key: JsonPath.stringAt('$.shardList'),
      }),
      itemSelector: {
        runId: JsonPath.stringAt('$.runId'),
        shard: JsonPath.stringAt('$$.Map.Item.Value.shard'),
      },
      maxConcurrency: props.maxConcurrency,
      // Failed shards reach the merge (UNKNOWN there); the Map Run itself never fails.
      toleratedFailurePercentage: 100,
      mapExecutionType: StateMachineType.STANDARD,
      resultPath: JsonPath.DISCARD,
      label: 'shards',
    });
    shards.itemProcessor(shard);

    const merge = new LambdaInvoke(this, DISTRIBUTED_STATES.merge, {
      lambdaFunction: this.merge.function,
      payload: TaskInput.fromObject({ runId: JsonPath.stringAt('$.runId') }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    }).addRetry(throttling);

    // The plan peeked at the run lease: another run holds it, so this one ends here (its
    // merge would be skipped too), before any shard work; the output says who holds it.
    const leaseHeld = new Choice(this, DISTRIBUTED_STATES.leaseHeld)
      .when(
        Condition.booleanEquals('$.skipped', true),
        new Succeed(this, DISTRIBUTED_STATES.skipped, {
          comment: 'Another run holds the run lease: nothing was audited',
        })
      )
      .otherwise(shards);
    shards.next(merge);
    return plan.next(leaseHeld);
  }

  /**
   * Least privilege on the run objects: the plan writes them, a shard reads its own and
   * writes its partial, the merge lists the partials and reads them (S3 answers a missing key
   * with AccessDenied to a caller that may not list it: the merge lists, so that a missing
   * partial is missing, not an access error). They expire with a lifecycle rule.
   */
  private grantRuns(bucket: Bucket): void {
    const objects = bucket.arnForObjects(`${RUNS_PREFIX}/*`);
    this.plan.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteRunObjects',
        actions: ['s3:PutObject'],
        resources: [objects],
      })
    );
    this.shard.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadShardWritePartial',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [objects],
      })
    );
    this.merge.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadRunObjects',
        actions: ['s3:GetObject'],
        resources: [objects],
      })
    );
    this.merge.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListRunObjects',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${RUNS_PREFIX}/*`] } },
      })
    );
    for (const fn of this.functions) {
      Validations.of(fn.role.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(bucket.node.defaultChild as never)}.Arn>/${RUNS_PREFIX}/*]`,
        reason:
          'Each run writes new objects under runs/<runId>/ (plan, shards, partials); the grant is on that prefix only, and a lifecycle rule expires them.',
      });
    }
  }

  private acknowledgeStateMachineFindings(bucket: Bucket): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    const stack = Stack.of(this);
    const fnId = (fn: ScheduledFunction) =>
      stack.getLogicalId(fn.function.node.defaultChild as never);
    for (const fn of this.functions) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${fnId(fn)}.Arn>:*]`,
        reason:
          'LambdaInvoke grants the function and its versions (<arn>:*); the wildcard covers versions of this one function only.',
      });
    }
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery (CreateLogDelivery, ...) and X-Ray (PutTraceSegments, ...) for the execution logs and traces support no resource-level permissions.',
    });
    // The Distributed Map starts, describes, stops and redrives its own child executions.
    const mapPolicy = this.stateMachine.node.tryFindChild(
      'DistributedMapPolicy'
    );
    const machineId = stack.getLogicalId(
      this.stateMachine.node.defaultChild as never
    );
    const execution = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machineId}"}]}]}`;
    if (mapPolicy) {
      for (const resource of [`${execution}:*`, `${execution}/shards:*`]) {
        Validations.of(mapPolicy).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`,
          reason:
            "The Distributed Map's child executions of this state machine only (named at run time): describe and stop them, and redrive the Map Run labelled shards.",
        });
      }
    }
    Validations.of(policy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(bucket.node.defaultChild as never)}.Arn>/${RUNS_PREFIX}/*/shards.json]`,
      reason:
        "The item reader reads each run's shard list (runs/<runId>/shards.json), whose run id is known only at run time.",
    });
  }

  /**
   * Starts the state machine on the schedule, with `{}` (a full run), through a role of its
   * own that may start this state machine only, for schedules of this account only.
   */
  private scheduleRuns(schedule: FunctionSchedule): Schedule {
    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
      description: 'EventBridge Scheduler: start the distributed audit',
    });
    return new Schedule(this, 'Schedule', {
      description: `harbor-dr distributed audit: ${schedule.expression} (${schedule.timeZone})`,
      schedule: ScheduleExpression.expression(
        schedule.expression,
        TimeZone.of(schedule.timeZone)
      ),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        role,
        input: ScheduleTargetInput.fromObject({}),
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
        deadLetterQueue: this.plan.failures,
      }),
    });
  }
}

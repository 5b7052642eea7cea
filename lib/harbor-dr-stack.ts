import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArnFormat,
  CfnOutput,
  Duration,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { HarborDrConfig } from '../lambdas/shared/config';
import { ENV_KEYS } from '../lambdas/shared/env-keys';
import { leaseFolder } from '../lambdas/core/report/lease';
import { AuditMonitoring } from './constructs/audit-monitoring';
import {
  DistributedAudit,
  type DistributedAuditProps,
} from './constructs/distributed-audit';
import { ScheduledFunction } from './constructs/scheduled-function';
import {
  deploymentProblems,
  DeploymentConfigError,
  runtimeConfig,
} from './deployment-checks';

/** The key prefix the functions may read and write under (the design's layout). */
export const REPORTS_PREFIX = 'reports';
/** Where the run lease's markers are (`reports/runs-active/`), as the report store keeps them. */
const RUN_LEASE_FOLDER = leaseFolder(REPORTS_PREFIX);

const PROJECT_ROOT = join(__dirname, '..');
/** The audit function's `service` metric dimension (`POWERTOOLS_SERVICE_NAME`). */
export const AUDIT_SERVICE = 'harbor-dr-audit';

const COMPLETE_SECRET_ARN = /:secret:.+-[A-Za-z0-9]{6}$/;

function retentionDays(days: number): RetentionDays {
  const found = Object.values(RetentionDays).find(
    (v): v is RetentionDays => (v as number) === days
  );
  // The config schema only admits CloudWatch's values, so this is a programming error.
  if (found === undefined)
    throw new Error(`no RetentionDays of ${String(days)}`);
  return found;
}

/** The entry file of each use case's handler. */
export interface HandlerEntries {
  readonly audit: string;
  readonly readiness?: string;
  readonly distributed?: {
    readonly plan: string;
    readonly shard: string;
    readonly merge: string;
  };
}

/** The distributed audit's entry points (deployment.mode: distributed). */
export const DISTRIBUTED_HANDLER_ENTRIES = {
  plan: join(PROJECT_ROOT, 'lambdas', 'handlers', 'audit-plan.ts'),
  shard: join(PROJECT_ROOT, 'lambdas', 'handlers', 'audit-shard.ts'),
  merge: join(PROJECT_ROOT, 'lambdas', 'handlers', 'audit-merge.ts'),
};

/** The Lambda entry points in lambdas/handlers, one per use case. */
export const DEFAULT_HANDLER_ENTRIES: HandlerEntries = {
  audit: join(PROJECT_ROOT, 'lambdas', 'handlers', 'audit.ts'),
  readiness: join(PROJECT_ROOT, 'lambdas', 'handlers', 'readiness.ts'),
};

/** Properties of {@link HarborDrStack}. */
export interface HarborDrStackProps extends StackProps {
  /** The validated configuration (credential references only, never secret values). */
  readonly config: HarborDrConfig;
  /**
   * The handlers' entry files.
   * @default - lambdas/handlers/audit.ts and lambdas/handlers/readiness.ts
   */
  readonly handlerEntries?: {
    readonly audit: string;
    readonly readiness: string;
    /** @default - lambdas/handlers/audit-{plan,shard,merge}.ts */
    readonly distributed?: HandlerEntries['distributed'];
  };
}

/**
 * The harbor-dr-auditor deployment: a reports bucket, a notifications topic, and one
 * function per use case (audit on a schedule, readiness on demand), each reading only the
 * Harbor secrets the config names, writing only under `reports/` and publishing only to
 * the topic. It takes a configuration validated at synth time, so a bad config fails
 * `cdk synth` with the field named, before anything deploys.
 */
export class HarborDrStack extends Stack {
  readonly config: HarborDrConfig;
  /** Where audit and readiness reports land (`reports/<kind>/...`). */
  readonly reportsBucket: Bucket;
  /** Server access logs of the reports bucket. */
  readonly accessLogsBucket: Bucket;
  /**
   * Run summaries, each with the message attributes kind, verdict, severity, target,
   * format (and targets), for subscription filter policies.
   */
  readonly topic: Topic;
  /**
   * CloudWatch alarms (function errors, duration, problems, failed runs, heartbeat,
   * exposure per target). A topic of their own: an alarm action cannot set message
   * attributes, so a filter on `severity` would drop every alarm on a shared topic.
   */
  readonly alarmsTopic: Topic;
  /**
   * The Secrets Manager secrets holding Harbor and registry credentials, as ARNs for IAM
   * (`name-??????` where the config gives a name: Secrets Manager appends 6 characters).
   */
  readonly secretArns: readonly string[];
  readonly audit: ScheduledFunction;
  /** Absent until the readiness handler exists. */
  readonly readiness: ScheduledFunction | undefined;
  /**
   * The functions' configuration (JSON, credential references only), an S3 object in the
   * bootstrap assets bucket; its key is its content hash, so a changed config is a new key,
   * new function configuration, and new containers that read it.
   */
  readonly configAsset: Asset;
  /** The heartbeat and per-target exposure alarms, and the dashboard. */
  readonly monitoring: AuditMonitoring;
  /** The Step Functions audit, when deployment.mode is distributed. */
  readonly distributed: DistributedAudit | undefined;

  constructor(scope: Construct, id: string, props: HarborDrStackProps) {
    super(scope, id, {
      description: `harbor-dr-auditor: replication audits of ${props.config.primary.name}`,
      ...props,
    });
    this.config = props.config;
    // Access-log delivery through a bucket policy (ACLs stay disabled), whatever the app's
    // cdk.json says; set before any child exists, as context must be.
    this.node.setContext(
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy',
      true
    );
    const problems = deploymentProblems(props.config);
    if (problems.length > 0) throw new DeploymentConfigError(problems);
    const { deployment } = props.config;
    const retention = Duration.days(deployment.reportRetentionDays);

    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Server access logs can only be delivered to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: retention }],
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the reports bucket; logging it too would need a third bucket, and so on.',
    });

    this.reportsBucket = new Bucket(this, 'Reports', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'reports-bucket/',
      lifecycleRules: [
        {
          expiration: retention,
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });

    this.topic = this.tlsTopic(
      'Notifications',
      'harbor-dr-auditor',
      deployment.topicKmsKeyArn
    );
    this.alarmsTopic = this.tlsTopic(
      'Alarms',
      'harbor-dr-auditor alarms',
      deployment.topicKmsKeyArn
    );

    this.secretArns = this.secretPolicyArns(props.config);

    this.configAsset = this.configObject(props.config);
    const environment = {
      [ENV_KEYS.configBucket]: this.configAsset.s3BucketName,
      [ENV_KEYS.configKey]: this.configAsset.s3ObjectKey,
      [ENV_KEYS.reportBucket]: this.reportsBucket.bucketName,
      [ENV_KEYS.topicArn]: this.topic.topicArn,
    };
    const common = {
      logRetention: retentionDays(deployment.logRetentionDays),
      logLevel: deployment.logLevel,
      environment,
      alarmTopic: this.alarmsTopic,
      vpc: deployment.vpc,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    };

    const entries = props.handlerEntries ?? DEFAULT_HANDLER_ENTRIES;
    this.audit = new ScheduledFunction(this, 'Audit', {
      ...common,
      entry: entries.audit,
      description: `Audits the replication of ${props.config.primary.name} to its targets`,
      serviceName: AUDIT_SERVICE,
      memorySize: deployment.audit.memoryMiB,
      timeout: Duration.seconds(deployment.audit.timeoutSeconds),
      // In distributed mode the schedule starts the state machine instead.
      schedule:
        deployment.mode === 'single' ? deployment.audit.schedule : undefined,
      // None by default: an account with the default limit of 10 cannot reserve any. The
      // schedule starts one run a day and Lambda retries an async invoke only after it
      // failed, so scheduled runs do not overlap (unless the schedule is more frequent than
      // the timeout); 1 also refuses a concurrent manual audit. Not the readiness function's
      // runs: README "Overlapping runs" says what an overlap costs.
      reservedConcurrency: deployment.audit.reservedConcurrency,
    });
    this.readiness = entries.readiness
      ? new ScheduledFunction(this, 'Readiness', {
          ...common,
          entry: entries.readiness,
          description: `Failover readiness report of ${props.config.primary.name}'s targets`,
          serviceName: 'harbor-dr-readiness',
          memorySize: deployment.readiness.memoryMiB,
          timeout: Duration.seconds(deployment.readiness.timeoutSeconds),
          schedule: deployment.readiness.schedule,
        })
      : undefined;

    for (const fn of [
      this.audit,
      ...(this.readiness ? [this.readiness] : []),
    ]) {
      this.grantConfig(fn.role);
      this.grantReports(fn.role);
      this.grantPublish(fn.role);
      this.grantSecrets(fn.role);
      this.acknowledgeFunctionFindings(fn);
    }
    this.distributed =
      deployment.mode === 'distributed'
        ? this.distributedAudit(common, entries.distributed)
        : undefined;

    this.monitoring = new AuditMonitoring(this, 'Monitoring', {
      auditFunction: this.audit.function,
      serviceName: AUDIT_SERVICE,
      targetNames: props.config.targets.map((t) => t.name),
      rpoObjectiveMinutes: props.config.rpoObjectiveMinutes,
      alarmTopic: this.alarmsTopic,
      dashboardName: `${this.stackName}-audit`,
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.monitoring.dashboard.dashboardName,
    });

    new CfnOutput(this, 'AuditFunctionName', {
      value: this.audit.function.functionName,
    });
    new CfnOutput(this, 'ReportsBucketName', {
      value: this.reportsBucket.bucketName,
      description: `Reports land under s3://<bucket>/${REPORTS_PREFIX}/<audit|readiness>/`,
    });
    new CfnOutput(this, 'NotificationsTopicArn', {
      value: this.topic.topicArn,
      description:
        'Run summaries; subscriptions may filter on the message attributes kind, verdict, severity, target, targets, format',
    });
    new CfnOutput(this, 'AlarmsTopicArn', {
      value: this.alarmsTopic.topicArn,
      description:
        'CloudWatch alarms (no message attributes: subscribe without a filter policy)',
    });
    if (this.readiness) this.readinessOutputs(this.readiness);
  }

  /** A TLS-only topic, encrypted with the configured key (or acknowledged without one). */
  private tlsTopic(id: string, displayName: string, keyArn?: string): Topic {
    const topic = new Topic(this, id, {
      displayName,
      enforceSSL: true,
      masterKey: keyArn ? Key.fromKeyArn(this, `${id}Key`, keyArn) : undefined,
    });
    if (!keyArn) {
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SNS2',
        reason:
          'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed aws/sns key, and the messages hold no secrets (verdicts, counts, S3 URIs). deployment.topicKmsKeyArn sets a customer-managed key.',
      });
    }
    return topic;
  }

  /** The state machine and its functions; only the merge reads and writes reports. */
  private distributedAudit(
    common: DistributedAuditProps['functions'],
    entries: HandlerEntries['distributed'] = DISTRIBUTED_HANDLER_ENTRIES
  ): DistributedAudit {
    const { deployment } = this.config;
    const distributed = new DistributedAudit(this, 'DistributedAudit', {
      functions: common,
      entries,
      description: `Audits the replication of ${this.config.primary.name} (distributed)`,
      stepSizing: {
        memoryMiB: deployment.audit.memoryMiB,
        timeout: Duration.seconds(deployment.audit.timeoutSeconds),
      },
      shardSizing: {
        memoryMiB: deployment.distributed.memoryMiB,
        timeout: Duration.seconds(deployment.distributed.timeoutSeconds),
      },
      auditServiceName: AUDIT_SERVICE,
      bucket: this.reportsBucket,
      maxConcurrency: deployment.distributed.maxConcurrency,
      maxRefsPerShard: deployment.distributed.maxRefsPerShard,
      timeout: Duration.minutes(deployment.distributed.timeoutMinutes),
      runRetentionDays: 7,
      logRetention: common.logRetention,
      alarmTopic: this.alarmsTopic,
      schedule: deployment.audit.schedule,
    });
    for (const fn of distributed.functions) {
      this.grantConfig(fn.role);
      // Only the merge re-triggers replications, with the operator credential.
      this.grantSecrets(fn.role, { operator: fn === distributed.merge });
      this.acknowledgeFunctionFindings(fn);
    }
    this.grantReports(distributed.merge.role);
    // The plan peeks at the run lease before any work: it lists and reads the markers only.
    this.grantPeekLease(distributed.plan.role);
    this.grantPublish(distributed.merge.role);
    new CfnOutput(this, 'AuditStateMachineArn', {
      value: distributed.stateMachine.stateMachineArn,
      description:
        "Starts a distributed audit now: aws stepfunctions start-execution --state-machine-arn <arn> --input '{}'",
    });
    return distributed;
  }

  private readinessOutputs(readiness: ScheduledFunction): void {
    new CfnOutput(this, 'ReadinessFunctionName', {
      value: readiness.function.functionName,
    });
    // Asynchronous (Event): the CLI's 60 s read timeout would retry a synchronous invoke of
    // a run that takes minutes, starting it twice. The verdict arrives on the topic and in
    // reports/readiness/latest.json.
    new CfnOutput(this, 'ReadinessInvokeCommand', {
      value: `aws lambda invoke --function-name ${readiness.function.functionName} --invocation-type Event --payload '{}' --cli-binary-format raw-in-base64-out /dev/null`,
      description: `Starts a failover readiness report now (asynchronously); the verdict arrives on the topic and in s3://<ReportsBucketName>/${REPORTS_PREFIX}/readiness/latest.json`,
    });
  }

  /**
   * The distinct secrets the config names, as IAM resources; no values are read. Without
   * `operator`, the operator credential is left out (unless another reference names the
   * same secret): only the functions that re-trigger replications read it.
   */
  private secretPolicyArns(
    config: HarborDrConfig,
    { operator = true }: { operator?: boolean } = {}
  ): string[] {
    const ids = new Set<string>();
    const refs = [
      config.primary.credentials,
      // Least privilege: the account that starts and stops executions is read too.
      ...(operator ? [config.primary.operatorCredentials] : []),
      ...config.targets.map((t) => t.credentials),
    ];
    for (const ref of refs) {
      if (ref?.secretId !== undefined) ids.add(ref.secretId);
    }
    return [...ids].map((secretId) => {
      if (!secretId.startsWith('arn:')) {
        return this.formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${secretId}-??????`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        });
      }
      // A complete ARN ends in the 6-character suffix Secrets Manager adds to the name.
      return COMPLETE_SECRET_ARN.test(secretId)
        ? secretId
        : `${secretId}-??????`;
    });
  }

  /**
   * The runtime config as an asset: written to a file at synth, uploaded by `cdk deploy`
   * with the function code. Any number of targets: no 4 KB environment limit.
   */
  private configObject(config: HarborDrConfig): Asset {
    const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-config-'));
    const path = join(dir, 'harbor-dr-config.json');
    writeFileSync(path, JSON.stringify(runtimeConfig(config)), 'utf8');
    return new Asset(this, 'Config', { path });
  }

  private grantConfig(grantee: IGrantable): void {
    // GetObject on this one object, not the asset's grantRead (GetObject*, List* on the
    // whole bootstrap bucket).
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadConfig',
        actions: ['s3:GetObject'],
        resources: [
          this.configAsset.bucket.arnForObjects(this.configAsset.s3ObjectKey),
        ],
      })
    );
  }

  private grantReports(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadWriteReports',
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [this.reportsBucket.arnForObjects(`${REPORTS_PREFIX}/*`)],
      })
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListReports',
        actions: ['s3:ListBucket'],
        resources: [this.reportsBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${REPORTS_PREFIX}/*`] } },
      })
    );
    // The run lease (lambdas/core/report/lease.ts): a run deletes its own marker, and a
    // crashed run's once expired; written (PutObject) and listed under reports/ above.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReleaseRunLease',
        actions: ['s3:DeleteObject'],
        resources: [this.reportsBucket.arnForObjects(`${RUN_LEASE_FOLDER}*`)],
      })
    );
  }

  /** Lists and reads the run lease's markers (reports/runs-active/), nothing else. */
  private grantPeekLease(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadRunLease',
        actions: ['s3:GetObject'],
        resources: [this.reportsBucket.arnForObjects(`${RUN_LEASE_FOLDER}*`)],
      })
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListRunLease',
        actions: ['s3:ListBucket'],
        resources: [this.reportsBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${RUN_LEASE_FOLDER}*`] } },
      })
    );
  }

  private grantPublish(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PublishSummaries',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      })
    );
    if (this.topic.masterKey) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'EncryptSummaries',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.topic.masterKey.keyArn],
        })
      );
    }
  }

  /** Read access to the config's secrets; `operator: false` leaves the operator's out. */
  private grantSecrets(
    grantee: IGrantable,
    { operator = true }: { operator?: boolean } = {}
  ): void {
    const arns = operator
      ? this.secretArns
      : this.secretPolicyArns(this.config, { operator: false });
    if (arns.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadHarborCredentials',
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...arns],
      })
    );
  }

  private acknowledgeFunctionFindings(fn: ScheduledFunction): void {
    const policy = fn.role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.reportsBucket)}.Arn>/${REPORTS_PREFIX}/*]`,
      reason:
        'Each run writes new objects (reports/<kind>/<yyyy>/<mm>/<dd>/<runId>.json); the grant is PutObject/GetObject under the reports/ prefix only.',
    });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.reportsBucket)}.Arn>/${RUN_LEASE_FOLDER}*]`,
      reason:
        'The run lease: each run deletes its own marker (reports/runs-active/<claimId>.json, a new name per claim) and expired ones; DeleteObject under that folder only, never on reports. The distributed plan only reads the markers there (GetObject).',
    });
    Validations.of(fn.function).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'Failed async invocations go to the on-failure destination (an SQS queue), which records the error too; a DeadLetterConfig as well would file every failure twice.',
    });
  }

  private logicalIdOf(bucket: Bucket): string {
    return this.getLogicalId(bucket.node.defaultChild as never);
  }
}

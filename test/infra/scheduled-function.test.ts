import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { ScheduledFunction } from '../../lib/constructs/scheduled-function';
import { ECHO_ENTRY, fastApp } from './helpers/synth';

function build(
  extra: Partial<ConstructorParameters<typeof ScheduledFunction>[2]> = {}
) {
  const stack = new Stack(fastApp(), 'Fn', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const topic = new Topic(stack, 'Alarms');
  const fn = new ScheduledFunction(stack, 'Audit', {
    entry: ECHO_ENTRY,
    description: 'audit',
    serviceName: 'harbor-dr-audit',
    memorySize: 1024,
    timeout: Duration.seconds(900),
    logRetention: RetentionDays.THREE_MONTHS,
    logLevel: 'INFO',
    environment: { HARBOR_DR_REPORT_BUCKET: 'b' },
    alarmTopic: topic,
    projectRoot: process.cwd(),
    depsLockFilePath: 'package-lock.json',
    ...extra,
  });
  return { stack, fn, template: Template.fromStack(stack) };
}

describe('ScheduledFunction', () => {
  it('is a Node.js 24 arm64 function with explicit memory, timeout, X-Ray and Powertools env', () => {
    const { template } = build({ reservedConcurrency: 1 });

    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 900,
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 1,
      LoggingConfig: {
        LogGroup: { Ref: Match.stringLikeRegexp('^AuditLogs') },
      },
      Environment: {
        Variables: {
          HARBOR_DR_REPORT_BUCKET: 'b',
          // The young generation bounded as the CLI's; the old space from the memory (1024 MiB).
          NODE_OPTIONS:
            '--enable-source-maps --max-semi-space-size=16 --max-old-space-size=822',
          POWERTOOLS_SERVICE_NAME: 'harbor-dr-audit',
          POWERTOOLS_METRICS_NAMESPACE: 'HarborDR',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Delete',
    });
  });

  it('has no reserved concurrency unless asked', () => {
    const { template } = build();

    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('sends failed async invocations, after two retries, to an encrypted TLS-only queue', () => {
    const { template } = build();

    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^AuditFailures'), 'Arn'],
          },
        },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86400,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('writes only to its own log group, with no managed policy', () => {
    const { template } = build();

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'lambda.amazonaws.com' },
          }),
        ],
      },
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: {
              'Fn::GetAtt': [Match.stringLikeRegexp('^AuditLogs'), 'Arn'],
            },
          },
        ]),
      },
    });
  });

  it('runs on a schedule in its time zone, with retries and a dead-letter queue', () => {
    const { template } = build({
      schedule: { expression: 'cron(30 1 * * ? *)', timeZone: 'Europe/Paris' },
    });

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 1 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^AuditFunction'), 'Arn'],
        },
        Input: '{}',
        RetryPolicy: {
          MaximumRetryAttempts: 3,
          MaximumEventAgeInSeconds: 7200,
        },
        DeadLetterConfig: {
          Arn: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^AuditFailures'), 'Arn'],
          },
        },
      },
    });
    // The scheduler's role serves this account's schedules only.
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '123456789012' },
            },
          }),
        ],
      },
    });
  });

  it('has no schedule unless given one (on demand)', () => {
    const { template } = build();

    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
  });

  it('alarms to the topic on errors, duration near the timeout, problems found and failures', () => {
    const { template } = build();
    const toTopic = [{ Ref: Match.stringLikeRegexp('^Alarms') }];

    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: toTopic,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Threshold: 810_000,
      AlarmActions: toTopic,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Problems',
      Namespace: 'HarborDR',
      Dimensions: [{ Name: 'service', Value: 'harbor-dr-audit' }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: toTopic,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      AlarmActions: toTopic,
    });
  });

  it('has no problems alarm when problemsAlarm is false, and keeps the other three', () => {
    const { fn, template } = build({ problemsAlarm: false });

    expect(fn.problemsAlarm).toBeUndefined();
    expect(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'Problems' },
      })
    ).toEqual({});
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });

  it('joins the given subnets and security groups, with the ENI permissions inline', () => {
    const { template } = build({
      vpc: {
        subnetIds: ['subnet-0123abcd', 'subnet-0123456789abcdef0'],
        securityGroupIds: ['sg-0123abcd'],
      },
    });

    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SubnetIds: ['subnet-0123abcd', 'subnet-0123456789abcdef0'],
        SecurityGroupIds: ['sg-0123abcd'],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith([
              'ec2:CreateNetworkInterface',
              'ec2:DeleteNetworkInterface',
            ]),
            Resource: '*',
          }),
        ]),
      },
    });
  });
});

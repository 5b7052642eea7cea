import { Match } from 'aws-cdk-lib/assertions';
import { synthStack } from './helpers/stack';
import { configWith, fastApp } from './helpers/synth';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { HarborDrConfig } from '../../lambdas/shared/config';
import {
  DEFAULT_HANDLER_ENTRIES,
  HarborDrStack,
} from '../../lib/harbor-dr-stack';

type Statement = Record<string, unknown>;

/** The config the functions read: the asset file the stack staged, as `cdk deploy` uploads it. */
function deployedConfig(stack: HarborDrStack): HarborDrConfig {
  const staged = join(
    stack.node.root instanceof App ? stack.node.root.outdir : '',
    stack.configAsset.assetPath
  );
  return JSON.parse(readFileSync(staged, 'utf8')) as HarborDrConfig;
}
const NOTIFICATIONS: unknown = expect.stringMatching('^Notifications');

/** The statements of a function's role policy, by the role's construct id prefix. */
function roleStatements(
  template: ReturnType<ReturnType<typeof synthStack>['template']>,
  prefix: 'Audit' | 'Readiness'
): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const id = Object.keys(policies).find((k) =>
    k.startsWith(`${prefix}RoleDefaultPolicy`)
  );
  const doc = (
    policies[id ?? ''] as {
      Properties: { PolicyDocument: { Statement: Statement[] } };
    }
  ).Properties.PolicyDocument;
  return doc.Statement;
}

describe('HarborDrStack resources', () => {
  const { stack, template: t } = synthStack(configWith());
  const template = t();
  const bucketRef = stack.getLogicalId(
    stack.reportsBucket.node.defaultChild as never
  );

  it('logs access to the reports bucket in a private, TLS-only log bucket', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('^AccessLogs') },
        LogFilePrefix: 'reports-bucket/',
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
      }),
      OwnershipControls: {
        Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
      },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 400 })],
      },
      LoggingConfiguration: Match.absent(),
    });
    // Delivery through the bucket policy, not ACLs.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^AccessLogs') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
          }),
        ]),
      },
    });
  });

  it('keeps reports for the configured retention', () => {
    const { template: custom } = synthStack(
      configWith({ deployment: { reportRetentionDays: 30 } })
    );

    custom().hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 30 })],
      },
    });
  });

  it('has two TLS-only topics (summaries, alarms), unencrypted unless a key is configured', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2);
    for (const displayName of [
      'harbor-dr-auditor',
      'harbor-dr-auditor alarms',
    ]) {
      template.hasResourceProperties('AWS::SNS::Topic', {
        DisplayName: displayName,
        KmsMasterKeyId: Match.absent(),
      });
    }
    template.resourcePropertiesCountIs(
      'AWS::SNS::TopicPolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      },
      2
    );
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('encrypts the topic with the configured key and lets the functions use it', () => {
    const key =
      'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { template: custom } = synthStack(
      configWith({ deployment: { topicKmsKeyArn: key } })
    );
    const tpl = custom();

    tpl.resourcePropertiesCountIs(
      'AWS::SNS::Topic',
      { KmsMasterKeyId: key },
      2
    );
    expect(roleStatements(tpl, 'Audit')).toContainEqual({
      Sid: 'EncryptSummaries',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: key,
    });
  });

  it.each(['Audit', 'Readiness'] as const)(
    'grants the %s function exactly: its logs, X-Ray, its failure queue, reports/, the topic, the named secrets',
    (fn) => {
      const statements = roleStatements(template, fn);

      expect(statements).toEqual([
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: {
            'Fn::GetAtt': [expect.stringMatching(`^${fn}Logs`), 'Arn'],
          },
        },
        {
          Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          Effect: 'Allow',
          Resource: '*',
        },
        {
          Action: [
            'sqs:SendMessage',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
          ],
          Effect: 'Allow',
          Resource: {
            'Fn::GetAtt': [expect.stringMatching(`^${fn}Failures`), 'Arn'],
          },
        },
        {
          Sid: 'ReadConfig',
          Action: 's3:GetObject',
          Effect: 'Allow',
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':s3:::',
                {
                  'Fn::Sub':
                    'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}',
                },
                `/${stack.configAsset.s3ObjectKey}`,
              ],
            ],
          },
        },
        {
          Sid: 'ReadWriteReports',
          Action: ['s3:PutObject', 's3:GetObject'],
          Effect: 'Allow',
          Resource: {
            'Fn::Join': [
              '',
              [{ 'Fn::GetAtt': [bucketRef, 'Arn'] }, '/reports/*'],
            ],
          },
        },
        {
          Sid: 'ListReports',
          Action: 's3:ListBucket',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [bucketRef, 'Arn'] },
          Condition: { StringLike: { 's3:prefix': ['reports/*'] } },
        },
        {
          Sid: 'ReleaseRunLease',
          Action: 's3:DeleteObject',
          Effect: 'Allow',
          Resource: {
            'Fn::Join': [
              '',
              [{ 'Fn::GetAtt': [bucketRef, 'Arn'] }, '/reports/runs-active/*'],
            ],
          },
        },
        {
          Sid: 'PublishSummaries',
          Action: 'sns:Publish',
          Effect: 'Allow',
          Resource: { Ref: NOTIFICATIONS },
        },
        {
          Sid: 'ReadHarborCredentials',
          Action: 'secretsmanager:GetSecretValue',
          Effect: 'Allow',
          Resource: [
            {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':secretsmanager:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':secret:harbor-dr/primary-??????',
                ],
              ],
            },
            'arn:aws:secretsmanager:eu-west-1:123456789012:secret:harbor-dr/dr-AbC123',
          ],
        },
      ]);
    }
  );

  it('grants no secret when the config names none', () => {
    const { template: custom } = synthStack(
      configWith({
        primary: { name: 'p', url: 'https://p.example.com' },
        targets: [{ name: 't', url: 'https://t.example.com', kind: 'harbor' }],
      })
    );

    const all = JSON.stringify(roleStatements(custom(), 'Audit'));
    expect(all).not.toContain('secretsmanager');
  });

  it('grants the operator credential the re-trigger starts and stops with', () => {
    const { template: custom } = synthStack(
      configWith({
        primary: {
          name: 'harbor-primary',
          url: 'https://harbor.example.com',
          credentials: { secretId: 'harbor-dr/primary' },
          operatorCredentials: { secretId: 'harbor-dr/operator' },
        },
      })
    );

    for (const fn of ['Audit', 'Readiness'] as const) {
      const grant = roleStatements(custom(), fn).find(
        (s) => s.Sid === 'ReadHarborCredentials'
      );
      expect(JSON.stringify(grant?.Resource)).toContain(
        ':secret:harbor-dr/operator-??????'
      );
      expect(grant?.Action).toBe('secretsmanager:GetSecretValue');
    }
  });

  it('refuses an operator credential a Lambda cannot read, naming the field', () => {
    expect(() =>
      synthStack(
        configWith({
          primary: {
            name: 'harbor-primary',
            url: 'https://harbor.example.com',
            credentials: { secretId: 'harbor-dr/primary' },
            operatorCredentials: { file: './operator.json' },
          },
        })
      )
    ).toThrow(
      'primary.operatorCredentials: must be a secretId when deployed to AWS (env and file are for local runs)'
    );
  });

  it('gives the functions the config as an S3 object (references only, no deployment section), bucket and topic: no config in the environment', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(2);
    for (const fn of Object.values(functions) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[]) {
      const vars = fn.Properties.Environment.Variables;
      expect(vars.HARBOR_DR_CONFIG_BUCKET).toEqual({
        'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}',
      });
      expect(vars.HARBOR_DR_CONFIG_KEY).toBe(stack.configAsset.s3ObjectKey);
      expect(vars.HARBOR_DR_CONFIG_KEY).toMatch(/^[0-9a-f]{64}\.json$/);
      expect(vars.HARBOR_DR_REPORT_BUCKET).toEqual({ Ref: bucketRef });
      expect(vars.HARBOR_DR_TOPIC_ARN).toEqual({ Ref: NOTIFICATIONS });
      // No variable carries the config: every value is small.
      for (const value of Object.values(vars)) {
        expect(JSON.stringify(value).length).toBeLessThan(300);
      }
    }
    const deployed = deployedConfig(stack);
    expect(deployed).not.toHaveProperty('deployment');
    expect(deployed.primary).toMatchObject({
      credentials: { secretId: 'harbor-dr/primary' },
    });
  });

  it('reserves the configured concurrency for the audit (1: never two at once)', () => {
    const { template: custom } = synthStack(
      configWith({ deployment: { audit: { reservedConcurrency: 1 } } })
    );

    custom().hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'harbor-dr-audit',
        }),
      },
      ReservedConcurrentExecutions: 1,
    });
  });

  it('runs the audit nightly at 02:00 UTC, readiness on demand, neither reserving concurrency by default', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: Match.objectLike({
        Arn: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^AuditFunction'), 'Arn'],
        },
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'harbor-dr-audit',
        }),
      },
      // None reserved by default: deploys on an account whose limit is 10.
      ReservedConcurrentExecutions: Match.absent(),
      Timeout: 900,
      MemorySize: 1024,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'harbor-dr-readiness',
        }),
      },
      ReservedConcurrentExecutions: Match.absent(),
      Timeout: 300,
    });
  });

  it('schedules readiness too, and places both functions in the VPC, when configured', () => {
    const { template: custom } = synthStack(
      configWith({
        deployment: {
          readiness: {
            schedule: { expression: 'rate(6 hours)', timeZone: 'Europe/Paris' },
          },
          vpc: {
            subnetIds: ['subnet-0123abcd'],
            securityGroupIds: ['sg-0123abcd'],
          },
          logRetentionDays: 30,
          logLevel: 'DEBUG',
        },
      })
    );
    const tpl = custom();

    tpl.resourceCountIs('AWS::Scheduler::Schedule', 2);
    tpl.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      ScheduleExpressionTimezone: 'Europe/Paris',
    });
    const functions = Object.values(
      tpl.findResources('AWS::Lambda::Function')
    ) as { Properties: Record<string, unknown> }[];
    for (const fn of functions) {
      expect(fn.Properties.VpcConfig).toEqual({
        SubnetIds: ['subnet-0123abcd'],
        SecurityGroupIds: ['sg-0123abcd'],
      });
    }
    tpl.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    tpl.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'DEBUG' }),
      },
    });
  });

  it('alarms on problems found, per function, to the alarms topic (no alarm on the summaries topic)', () => {
    for (const service of ['harbor-dr-audit', 'harbor-dr-readiness']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'HarborDR',
        MetricName: 'Problems',
        Dimensions: [{ Name: 'service', Value: service }],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
      });
    }
    // CloudWatch cannot set message attributes: every alarm goes to the alarms topic, so a
    // subscription filtering the summaries on `severity` drops none.
    const alarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm')
    ) as { Properties: { AlarmActions?: { Ref: string }[] } }[];
    const actions = new Set(
      alarms.flatMap((a) => (a.Properties.AlarmActions ?? []).map((x) => x.Ref))
    );
    expect([...actions]).toEqual([
      expect.stringMatching(/^Alarms[0-9A-F]{8}$/),
    ]);
    // 4 per function, the heartbeat, and one exposure alarm per target (2).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 8 + 1 + 2);
  });

  it('outputs the function names, bucket, topic and the readiness invoke line', () => {
    const outputs = template.toJSON() as {
      Outputs: Record<string, { Value: unknown }>;
    };
    const readiness = stack.getLogicalId(
      stack.readiness?.function.node.defaultChild as never
    );

    expect(Object.keys(outputs.Outputs).sort()).toEqual([
      'AlarmsTopicArn',
      'AuditFunctionName',
      'DashboardName',
      'NotificationsTopicArn',
      'ReadinessFunctionName',
      'ReadinessInvokeCommand',
      'ReportsBucketName',
    ]);
    expect(outputs.Outputs.ReadinessInvokeCommand?.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'aws lambda invoke --function-name ',
          { Ref: readiness },
          " --invocation-type Event --payload '{}' --cli-binary-format raw-in-base64-out /dev/null",
        ],
      ],
    });
    expect(outputs.Outputs.ReportsBucketName?.Value).toEqual({
      Ref: bucketRef,
    });
  });

  it('refuses credentials a Lambda cannot read, naming the field', () => {
    expect(() =>
      synthStack(
        configWith({
          targets: [
            {
              name: 't',
              url: 'https://t.example.com',
              kind: 'harbor',
              credentials: { env: { username: 'U', password: 'P' } },
            },
          ],
        })
      )
    ).toThrow(
      'targets[0].credentials: must be a secretId when deployed to AWS (env and file are for local runs)'
    );
  });

  it('deploys a config of 200 targets: the asset holds them all, the environment stays small', () => {
    const targets = Array.from({ length: 200 }, (_, i) => ({
      name: `target-${String(i)}`,
      url: `https://registry-${String(i)}.cluster.example.com`,
      kind: 'distribution',
      credentials: { secretId: `harbor-dr/registry-${String(i)}` },
    }));

    const { stack: big, template: bigTemplate } = synthStack(
      configWith({ targets })
    );

    const deployed = deployedConfig(big);
    expect(deployed.targets).toHaveLength(200);
    expect(deployed.targets[199]).toMatchObject({ name: 'target-199' });
    const functions = Object.values(
      bigTemplate().findResources('AWS::Lambda::Function')
    ) as { Properties: { Environment: { Variables: object } } }[];
    for (const fn of functions) {
      expect(
        Buffer.byteLength(JSON.stringify(fn.Properties.Environment.Variables))
      ).toBeLessThan(1_000);
    }
  });

  it('deploys the handlers that exist: the audit, readiness once its handler lands', () => {
    const app = fastApp();
    const real = new HarborDrStack(app, 'Real', { config: configWith() });
    const tpl = Template.fromStack(real);

    expect(DEFAULT_HANDLER_ENTRIES.audit).toMatch(
      /lambdas\/handlers\/audit\.ts$/
    );
    tpl.resourceCountIs('AWS::Lambda::Function', real.readiness ? 2 : 1);
    tpl.hasOutput('AuditFunctionName', {});
  });
});

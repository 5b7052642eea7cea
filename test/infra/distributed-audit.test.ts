import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import {
  DISTRIBUTED_STATES,
  LAMBDA_SERVICE_ERRORS,
} from '../../lib/constructs/distributed-audit';
import { stateMachineDefinitions } from '../helpers/state-machine';
import { synthStack } from './helpers/stack';
import { configWith } from './helpers/synth';

interface State {
  Type: string;
  Resource?: string;
  Retry?: {
    ErrorEquals: string[];
    MaxAttempts?: number;
    BackoffRate?: number;
    IntervalSeconds?: number;
  }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  ItemReader?: {
    Resource: string;
    ReaderConfig: { InputType: string };
    Parameters: Record<string, string>;
  };
  ItemProcessor?: {
    ProcessorConfig: { Mode: string; ExecutionType: string };
    StartAt: string;
    States: Record<string, State>;
  };
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
  ResultPath?: string | null;
  Next?: string;
  Choices?: { Variable: string; BooleanEquals?: boolean; Next: string }[];
  Default?: string;
}

const distributed = configWith({
  deployment: {
    mode: 'distributed',
    distributed: { maxConcurrency: 7, timeoutMinutes: 90 },
  },
});
const synthesized = synthStack(distributed);
const template = synthesized.template();
const definition = [
  ...stateMachineDefinitions(
    template.toJSON() as Parameters<typeof stateMachineDefinitions>[0]
  ).values(),
][0] as {
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, State>;
};

function logicalIdOf(type: string, pattern: RegExp): string {
  const ids = Object.keys(template.findResources(type)).filter((id) =>
    pattern.test(id)
  );
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

describe('the distributed audit state machine', () => {
  it('plans, maps the shards in DISTRIBUTED mode from the S3 shard list, then merges', () => {
    expect(definition.StartAt).toBe(DISTRIBUTED_STATES.plan);
    expect(definition.States[DISTRIBUTED_STATES.plan]?.Next).toBe(
      DISTRIBUTED_STATES.leaseHeld
    );
    expect(definition.States[DISTRIBUTED_STATES.leaseHeld]?.Default).toBe(
      DISTRIBUTED_STATES.shards
    );
    const map = definition.States[DISTRIBUTED_STATES.shards]!;
    expect(map.Type).toBe('Map');
    expect(map.Next).toBe(DISTRIBUTED_STATES.merge);
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({
      Mode: 'DISTRIBUTED',
      ExecutionType: 'STANDARD',
    });
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.bucket', 'Key.$': '$.shardList' },
    });
    expect(map.MaxConcurrency).toBe(7);
    // Failed shards reach the merge, which reports them UNKNOWN.
    expect(map.ToleratedFailurePercentage).toBe(100);
    // No results in the state: the merge reads the partials (no payload limit).
    expect(map.ResultPath).toBeNull();
    expect(definition.TimeoutSeconds).toBe(90 * 60);
  });

  it('ends the execution as skipped, before any shard, when the plan found the run lease held', () => {
    const choice = definition.States[DISTRIBUTED_STATES.leaseHeld]!;
    expect(choice.Type).toBe('Choice');
    expect(choice.Choices).toEqual([
      {
        Variable: '$.skipped',
        BooleanEquals: true,
        Next: DISTRIBUTED_STATES.skipped,
      },
    ]);
    expect(definition.States[DISTRIBUTED_STATES.skipped]?.Type).toBe('Succeed');
  });

  it('retries a throttled shard with backoff, then records its failure for the merge', () => {
    const processor =
      definition.States[DISTRIBUTED_STATES.shards]!.ItemProcessor!;
    const shard = processor.States[DISTRIBUTED_STATES.shard]!;
    expect(shard.Retry?.[0]).toMatchObject({
      ErrorEquals: LAMBDA_SERVICE_ERRORS,
      MaxAttempts: 6,
      BackoffRate: 2,
      IntervalSeconds: 2,
    });
    expect(shard.Retry?.[0]?.ErrorEquals).toContain(
      'Lambda.TooManyRequestsException'
    );
    expect(shard.Catch).toEqual([
      {
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.failure',
        Next: DISTRIBUTED_STATES.recordFailure,
      },
    ]);
    const record = processor.States[DISTRIBUTED_STATES.recordFailure]!;
    expect(record.Resource).toBe(shard.Resource);
    for (const name of [DISTRIBUTED_STATES.plan, DISTRIBUTED_STATES.merge]) {
      expect(definition.States[name]?.Retry?.[0]?.ErrorEquals).toEqual(
        LAMBDA_SERVICE_ERRORS
      );
    }
  });

  it('is started by the nightly schedule instead of the audit function', () => {
    const machine = logicalIdOf(
      'AWS::StepFunctions::StateMachine',
      /^DistributedAudit/
    );
    const schedules = template.findResources('AWS::Scheduler::Schedule');
    const targets = Object.values(schedules).map(
      (s) =>
        (s as { Properties: { Target: { Arn: unknown } } }).Properties.Target
          .Arn
    );
    expect(targets).toEqual([{ Ref: machine }]);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      Target: { Input: '{}' },
    });
  });

  it('alarms on a failed and on a timed-out execution', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        Threshold: 1,
        AlarmActions: Match.anyValue(),
      });
    }
  });

  it('pages once for problems: the audit function alarms on the service the merge publishes under, the steps have no problems alarm', () => {
    const problems = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: {
          Namespace: 'HarborDR',
          MetricName: 'Problems',
          Statistic: 'Maximum',
        },
      })
    ).map(
      (a) =>
        (a as { Properties: { Dimensions: { Name: string; Value: string }[] } })
          .Properties.Dimensions
    );
    // One per service that publishes Problems: the audit (the merge's service) and the
    // readiness function; none on the plan's or the shard's service, which publish none.
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        [{ Name: 'service', Value: 'harbor-dr-audit' }],
        [{ Name: 'service', Value: 'harbor-dr-readiness' }],
      ])
    );
    const merge = logicalIdOf(
      'AWS::Lambda::Function',
      /^DistributedAuditMergeFunction/
    );
    expect(
      JSON.stringify(template.findResources('AWS::Lambda::Function')[merge])
    ).toContain('"POWERTOOLS_SERVICE_NAME":"harbor-dr-audit"');
    expect(
      Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter(
        (id) => /^DistributedAudit.*ProblemsAlarm/.test(id)
      )
    ).toEqual([]);
  });

  it('grants the run objects by prefix: the plan writes, a shard reads and writes, the merge reads', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statementsOf = (pattern: RegExp) =>
      Object.entries(policies)
        .filter(([id]) => pattern.test(id))
        .flatMap(
          ([, p]) =>
            (
              p as {
                Properties: {
                  PolicyDocument: {
                    Statement: {
                      Sid?: string;
                      Action: unknown;
                      Resource: unknown;
                    }[];
                  };
                };
              }
            ).Properties.PolicyDocument.Statement
        );
    const sids = (pattern: RegExp) =>
      statementsOf(pattern)
        .map((s) => s.Sid)
        .filter((s) => s !== undefined)
        .sort();
    expect(sids(/^DistributedAuditPlanFunction/)).toEqual([
      'ListRunLease',
      'ReadConfig',
      'ReadHarborCredentials',
      'ReadRunLease',
      'WriteRunObjects',
    ]);
    expect(sids(/^DistributedAuditShardFunction/)).toEqual([
      'ReadConfig',
      'ReadHarborCredentials',
      'ReadShardWritePartial',
    ]);
    expect(sids(/^DistributedAuditMergeFunction/)).toEqual([
      'ListReports',
      'ListRunObjects',
      'PublishSummaries',
      'ReadConfig',
      'ReadHarborCredentials',
      'ReadRunObjects',
      'ReadWriteReports',
      'ReleaseRunLease',
    ]);
    const shardGrant = statementsOf(/^DistributedAuditShardFunction/).find(
      (s) => s.Sid === 'ReadShardWritePartial'
    );
    expect(JSON.stringify(shardGrant?.Resource)).toContain('/runs/*');
    const machineRead = statementsOf(/^DistributedAuditStateMachineRole/).find(
      (s) => s.Sid === 'ReadShardLists'
    );
    expect(JSON.stringify(machineRead?.Resource)).toContain(
      '/runs/*/shards.json'
    );
  });

  it("lets the merge list the partials' prefix (it lists them rather than ask S3 for a missing one), and the plan list and read the lease markers only", () => {
    interface Statement {
      Sid?: string;
      Action: unknown;
      Resource: unknown;
      Condition?: { StringLike?: { 's3:prefix'?: string | string[] } };
    }
    const statementsOf = (pattern: RegExp): Statement[] =>
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([id]) => pattern.test(id))
        .flatMap(
          ([, p]) =>
            (
              p as {
                Properties: { PolicyDocument: { Statement: Statement[] } };
              }
            ).Properties.PolicyDocument.Statement
        );
    // IAM's StringLike: * any characters, ? one.
    const like = (pattern: string, value: string) =>
      new RegExp(
        `^${pattern
          .split('')
          .map((c) =>
            c === '*'
              ? '.*'
              : c === '?'
                ? '.'
                : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
          )
          .join('')}$`
      ).test(value);
    const listable = (pattern: RegExp, prefix: string) =>
      statementsOf(pattern).some((s) => {
        const actions = ([] as unknown[]).concat(s.Action);
        if (!actions.includes('s3:ListBucket')) return false;
        const prefixes = ([] as string[]).concat(
          s.Condition?.StringLike?.['s3:prefix'] ?? []
        );
        return prefixes.some((p) => like(p, prefix));
      });
    const partials = 'runs/20261130T020000000Z-abcdef/partials/';
    const markers = 'reports/runs-active/';

    expect(listable(/^DistributedAuditMergeFunction/, partials)).toBe(true);
    expect(listable(/^DistributedAuditMergeFunction/, markers)).toBe(true);
    expect(listable(/^DistributedAuditPlanFunction/, markers)).toBe(true);
    expect(listable(/^DistributedAuditPlanFunction/, 'reports/audit/')).toBe(
      false
    );
    expect(listable(/^DistributedAuditPlanFunction/, partials)).toBe(false);
    const planRead = statementsOf(/^DistributedAuditPlanFunction/).find(
      (s) => s.Sid === 'ReadRunLease'
    );
    expect(planRead?.Action).toBe('s3:GetObject');
    expect(JSON.stringify(planRead?.Resource)).toContain(
      '/reports/runs-active/*'
    );
  });

  it('lets only the merge, which re-triggers, read the operator credential', () => {
    const withOperator = synthStack(
      configWith({
        primary: {
          name: 'harbor-primary',
          url: 'https://harbor.example.com',
          credentials: { secretId: 'harbor-dr/primary' },
          operatorCredentials: { secretId: 'harbor-dr/operator' },
        },
        deployment: { mode: 'distributed' },
      })
    ).template();
    const policies = withOperator.findResources('AWS::IAM::Policy');
    const secretsOf = (pattern: RegExp) => {
      const grants = Object.entries(policies)
        .filter(([id]) => pattern.test(id))
        .flatMap(
          ([, p]) =>
            (
              p as {
                Properties: {
                  PolicyDocument: {
                    Statement: { Sid?: string; Resource: unknown }[];
                  };
                };
              }
            ).Properties.PolicyDocument.Statement
        )
        .filter((s) => s.Sid === 'ReadHarborCredentials');
      expect(grants).toHaveLength(1);
      return JSON.stringify(grants[0]!.Resource);
    };

    for (const step of [
      /^DistributedAuditPlanFunction/,
      /^DistributedAuditShardFunction/,
    ]) {
      const secrets = secretsOf(step);
      expect(secrets).not.toContain('harbor-dr/operator');
      expect(secrets).toContain(':secret:harbor-dr/primary-??????');
      expect(secrets).toContain(':secret:harbor-dr/dr-AbC123');
    }
    expect(secretsOf(/^DistributedAuditMergeFunction/)).toContain(
      ':secret:harbor-dr/operator-??????'
    );
  });

  it("deletes its execution log group with the stack, as the functions' groups", () => {
    const executionLogs = logicalIdOf(
      'AWS::Logs::LogGroup',
      /^DistributedAuditExecutionLogs/
    );
    expect(
      template.findResources('AWS::Logs::LogGroup')[executionLogs]
    ).toMatchObject({
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  it('expires the run objects with a lifecycle rule', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'runs/',
            ExpirationInDays: 7,
            Status: 'Enabled',
          }),
        ]),
      },
    });
  });

  it('passes the cdk-nag packs, every acknowledgement with a reason', () => {
    const { app } = synthStack(distributed, { nag: true });
    const assembly = app.synth();
    const report = JSON.parse(
      readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')
    ) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations?: unknown[];
        suppressedViolations?: { reason?: string }[];
      }[];
    };
    expect(
      report.pluginReports.map((p) => [
        p.pluginName,
        p.conclusion,
        p.violations,
      ])
    ).toEqual([
      ['AwsSolutions', 'success', []],
      ['Serverless', 'success', []],
    ]);
    for (const v of report.pluginReports.flatMap(
      (p) => p.suppressedViolations ?? []
    )) {
      expect(v.reason?.length ?? 0).toBeGreaterThan(40);
    }
  });
});

describe('deployment.mode single (the default)', () => {
  it('deploys no state machine and the schedule invokes the audit function', () => {
    const single = synthStack(configWith()).template();
    single.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    const schedules = Object.values(
      single.findResources('AWS::Scheduler::Schedule')
    );
    expect(schedules).toHaveLength(1);
    expect(
      JSON.stringify(
        (schedules[0] as { Properties: { Target: unknown } }).Properties.Target
      )
    ).toMatch(/AuditFunction/);
  });
});

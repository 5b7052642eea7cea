import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { synthStack } from './helpers/stack';
import { configWith } from './helpers/synth';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    suppressedViolations?: { ruleName: string; reason?: string }[];
  }[];
}

function nagReport(config?: Parameters<typeof synthStack>[0]) {
  const { app } = synthStack(config, { nag: true });
  const assembly = app.synth();
  return JSON.parse(
    readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')
  ) as ValidationReport;
}

describe('cdk-nag AwsSolutions and Serverless packs', () => {
  it.each<[string, Parameters<typeof synthStack>[0]]>([
    ['the example config', undefined],
    [
      'a VPC, a topic key and a readiness schedule',
      configWith({
        deployment: {
          readiness: { schedule: { expression: 'cron(0 6 ? * MON *)' } },
          vpc: {
            subnetIds: ['subnet-0123abcd'],
            securityGroupIds: ['sg-0123abcd'],
          },
          topicKmsKeyArn:
            'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        },
      }),
    ],
  ])('pass for %s, every acknowledgement with a reason', (_label, config) => {
    // Act
    const report = nagReport(config);

    // Assert
    expect(
      report.pluginReports.map((p) => [p.pluginName, p.conclusion])
    ).toEqual([
      ['AwsSolutions', 'success'],
      ['Serverless', 'success'],
    ]);
    const acknowledged = report.pluginReports.flatMap(
      (p) => p.suppressedViolations ?? []
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const v of acknowledged) {
      expect(v.reason?.length ?? 0).toBeGreaterThan(40);
    }
  });

  it('would fail without the acknowledgements (the packs really run)', () => {
    // A bucket without access logs or TLS enforcement is the canonical finding.
    const { app, stack } = synthStack(undefined, { nag: true });
    new Bucket(stack, 'Unacknowledged');

    expect(() => app.synth()).toThrow(/AwsSolutions-S1'/);
  });
});

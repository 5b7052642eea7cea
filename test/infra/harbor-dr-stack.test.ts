import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HarborDrStack } from '../../lib/harbor-dr-stack';
import { loadConfigFile } from '../../lambdas/shared/config-file';

describe('HarborDrStack', () => {
  it('synthesizes from the example config', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });

    const stack = new HarborDrStack(app, 'Test', {
      config: loadConfigFile('examples/harbor-dr.yaml'),
    });

    expect(stack.config.targets.map((t) => t.name)).toEqual([
      'harbor-dr-site',
      'cluster1-registry',
    ]);
    const template = Template.fromStack(stack);
    expect(template.toJSON()).toHaveProperty(
      'Description',
      'harbor-dr-auditor: replication audits of harbor-primary'
    );
  });

  it('keeps reports in a private, encrypted, versioned, TLS-only bucket', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new HarborDrStack(app, 'Test', {
      config: loadConfigFile('examples/minimal.json'),
    });

    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 400, Status: 'Enabled' })],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('the CDK app (bin/harbor-dr.ts)', () => {
  const synth = (config: string) =>
    execFileSync(
      process.execPath,
      ['--require', 'tsx/cjs', 'bin/harbor-dr.ts'],
      {
        env: {
          ...process.env,
          CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'cdk-out-')),
          CDK_CONTEXT_JSON: JSON.stringify({ config }),
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      }
    );

  it('loads the config named by the `config` context and synthesizes', () => {
    expect(() => synth('examples/minimal.json')).not.toThrow();
  }, 70_000);

  it('fails synth on a bad config, naming the field', () => {
    let stderr = '';
    try {
      synth('test/infra/fixtures/bad-config.yaml');
    } catch (err) {
      stderr = String((err as { stderr?: unknown }).stderr);
    }

    expect(stderr).toContain(
      'targets[0].kind: must be "harbor" or "distribution"'
    );
  }, 70_000);

  it('fails synth on credentials a Lambda cannot read, naming the field', () => {
    let stderr = '';
    try {
      synth('examples/local.yaml');
    } catch (err) {
      stderr = String((err as { stderr?: unknown }).stderr);
    }

    expect(stderr).toContain(
      'primary.credentials: must be a secretId when deployed to AWS (env and file are for local runs)'
    );
  }, 70_000);
});

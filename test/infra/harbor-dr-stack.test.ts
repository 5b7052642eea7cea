import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HarborDrStack } from '../../lib/harbor-dr-stack';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { CONFIG_PATH_ENV } from '../../lambdas/shared/env-keys';
import {
  configPathFor,
  DeploymentConfigError,
  exampleHostProblems,
  runtimeConfig,
} from '../../lib/deployment-checks';
import { exampleConfig, PRIVATE_CA_PEM } from './helpers/stack';
import { configWith } from './helpers/synth';

describe('HarborDrStack', () => {
  it('synthesizes from the example config (its CA bundle at a file that exists)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });

    const stack = new HarborDrStack(app, 'Test', { config: exampleConfig() });

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

  it('fails synth when a CA bundle file is missing, naming the field and the path', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const missing = join(tmpdir(), 'harbor-dr-no-such-ca.pem');
    const config = configWith({
      targets: [
        {
          name: 'cluster1',
          url: 'https://cluster1.example.com',
          kind: 'distribution',
          caBundle: missing,
        },
      ],
    });

    expect(() => new HarborDrStack(app, 'Test', { config })).toThrow(
      `targets[0].caBundle: cannot read ${missing} at synth (ENOENT)`
    );
  });

  it('refuses a CA bundle that holds no PEM certificate, naming the field', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = configWith({
      primary: {
        name: 'harbor-primary',
        url: 'https://harbor.example.com',
        caBundle: join(__dirname, 'fixtures', 'bad-config.yaml'),
      },
    });

    expect(() => new HarborDrStack(app, 'Test', { config })).toThrow(
      'primary.caBundle: is not a PEM certificate bundle'
    );
  });

  it('ships each CA bundle inline as PEM (file or inline in the config), never the synth path', () => {
    const pem = readFileSync(PRIVATE_CA_PEM, 'utf8');
    const config = configWith({
      primary: {
        name: 'harbor-primary',
        url: 'https://harbor.example.com',
        caBundle: pem,
      },
      targets: [
        {
          name: 'cluster1',
          url: 'https://cluster1.example.com',
          kind: 'distribution',
          caBundle: PRIVATE_CA_PEM,
        },
      ],
    });

    const deployed = runtimeConfig(config);

    expect(deployed.primary.caBundle).toBe(pem);
    expect(deployed.targets[0]?.caBundle).toBe(pem);
    expect(JSON.stringify(deployed)).not.toContain(PRIVATE_CA_PEM);
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
  /** Runs the app as `cdk synth` would; returns its stderr ('' when it succeeded). */
  const synth = (config: string | undefined) => {
    const env: Record<string, string | undefined> = {
      // Never the caller's HARBOR_DR_CONFIG: the app must be given its config here.
      ...Object.fromEntries(
        Object.entries(process.env).filter(([k]) => k !== CONFIG_PATH_ENV)
      ),
      CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'cdk-out-')),
      // The app's config handling, not esbuild (bundling.test.ts bundles for real).
      CDK_CONTEXT_JSON: JSON.stringify({
        ...(config === undefined ? {} : { config }),
        'aws:cdk:bundling-stacks': [],
      }),
    };
    try {
      execFileSync(
        process.execPath,
        ['--require', 'tsx/cjs', 'bin/harbor-dr.ts'],
        {
          env,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 60_000,
        }
      );
      return '';
    } catch (err) {
      return String((err as { stderr?: unknown }).stderr);
    }
  };

  it('loads the config named by the `config` context and synthesizes', () => {
    expect(synth('test/infra/fixtures/deployable.yaml')).toBe('');
  }, 70_000);

  it('refuses to synthesize without an explicit config, naming -c config=FILE', () => {
    const stderr = synth(undefined);

    expect(stderr).toContain('no configuration given');
    expect(stderr).toContain('cdk deploy -c config=FILE');
  }, 70_000);

  it('refuses the example config: its hosts are example hosts', () => {
    const stderr = synth('examples/minimal.json');

    expect(stderr).toContain('primary.url: is an example host');
    expect(stderr).toContain('targets[0].url: is an example host');
  }, 70_000);

  it('fails synth on a bad config, naming the field', () => {
    expect(synth('test/infra/fixtures/bad-config.yaml')).toContain(
      'targets[0].kind: must be "harbor" or "distribution"'
    );
  }, 70_000);

  it('fails synth on credentials a Lambda cannot read, naming the field', () => {
    expect(synth('examples/local.yaml')).toContain(
      'primary.credentials: must be a secretId when deployed to AWS (env and file are for local runs)'
    );
  }, 70_000);
});

describe('configPathFor and exampleHostProblems', () => {
  it('takes the context first, then HARBOR_DR_CONFIG, and never a default', () => {
    expect(configPathFor('a.yaml', { [CONFIG_PATH_ENV]: 'b.yaml' })).toBe(
      'a.yaml'
    );
    expect(configPathFor(undefined, { [CONFIG_PATH_ENV]: 'b.yaml' })).toBe(
      'b.yaml'
    );
    expect(() => configPathFor(undefined, {})).toThrow(
      /no configuration given: run `cdk deploy -c config=FILE`/
    );
    expect(() => configPathFor('  ', { [CONFIG_PATH_ENV]: '' })).toThrow(
      DeploymentConfigError
    );
  });

  it('names each registry on a documentation host, and only those', () => {
    const config = configWith({
      targets: [
        { name: 'a', url: 'https://registry.corp.internal', kind: 'harbor' },
        { name: 'b', url: 'https://r.cluster.example', kind: 'distribution' },
        { name: 'c', url: 'https://r.example.org:5000', kind: 'distribution' },
        { name: 'd', url: 'https://example.company.com', kind: 'harbor' },
      ],
    });

    expect(exampleHostProblems(config)).toEqual([
      "primary.url: is an example host (example.com, .example, .test, .invalid); give your own registry's URL",
      "targets[1].url: is an example host (example.com, .example, .test, .invalid); give your own registry's URL",
      "targets[2].url: is an example host (example.com, .example, .test, .invalid); give your own registry's URL",
    ]);
  });
});

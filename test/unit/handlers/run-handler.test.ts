import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { reportSchema } from '../../../lambdas/core/report/schema';
import { createRunHandler } from '../../../lambdas/handlers/run-handler';
import { runAuditJob } from '../../../lambdas/use-cases/audit-job';
import { parseConfig } from '../../../lambdas/shared/config';
import { ENV_KEYS } from '../../../lambdas/shared/env-keys';

// The deployed shape with the AWS SDK faked: the handler as the Lambda runtime calls it,
// Secrets Manager serving a malformed secret, and everything the function prints captured.

const SECRET_TEXT = 'p4ss-W0rd!not-json';
const BARE_STRING = JSON.stringify('hunter2-as-a-bare-string');

const sm = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);

const config = parseConfig(
  {
    primary: {
      name: 'harbor-primary',
      // Nothing listens there: no request may be needed to produce the report.
      url: 'http://127.0.0.1:9',
      credentials: { secretId: 'harbor-dr/primary' },
    },
    targets: [
      {
        name: 'dr',
        url: 'http://127.0.0.1:10',
        kind: 'harbor',
        credentials: { secretId: 'harbor-dr/dr' },
      },
    ],
    notify: { on: 'always' },
  },
  'test'
);

const context = {
  awsRequestId: 'test-request',
  functionName: 'harbor-dr-audit',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

/** Everything the function prints, through the console or straight to the streams. */
function capture(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const spies = [
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        chunks.push(args.map(String).join(' '));
      })
    ),
    ...[process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        chunks.push(String(chunk));
        return true;
      })
    ),
  ];
  return {
    text: () => chunks.join('\n'),
    restore: () => {
      for (const s of spies) s.mockRestore();
    },
  };
}

async function invoke(): Promise<{ printed: string; outcome: unknown }> {
  const out = capture();
  let outcome: unknown;
  try {
    const handler = createRunHandler('audit', runAuditJob);
    outcome = await handler({}, context).catch((err: unknown) => err);
  } finally {
    out.restore();
  }
  return { printed: out.text(), outcome };
}

function everythingWritten(): string {
  const puts = s3
    .commandCalls(PutObjectCommand)
    .map((c) => c.args[0].input.Body as string);
  const published = sns
    .commandCalls(PublishCommand)
    .map((c) => JSON.stringify(c.args[0].input));
  return [...puts, ...published].join('\n');
}

beforeEach(() => {
  sm.reset();
  s3.reset();
  sns.reset();
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  s3.on(PutObjectCommand).resolves({});
  s3.on(GetObjectCommand, { Bucket: 'assets', Key: 'config.json' }).resolves({
    // The part of the SDK's stream mixin that the config reader uses.
    Body: {
      transformToString: () => Promise.resolve(JSON.stringify(config)),
    } as unknown as GetObjectCommandOutput['Body'],
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  process.env[ENV_KEYS.configBucket] = 'assets';
  process.env[ENV_KEYS.configKey] = 'config.json';
  process.env[ENV_KEYS.reportBucket] = 'reports';
  process.env[ENV_KEYS.topicArn] = 'arn:aws:sns:eu-west-1:123456789012:t';
});

afterAll(() => {
  sm.restore();
  s3.restore();
  sns.restore();
});

describe('the run handler with a malformed secret', () => {
  it.each([
    ['not JSON', SECRET_TEXT, 'p4ss-W0rd'],
    ['a bare JSON string', BARE_STRING, 'hunter2'],
  ])(
    'never prints nor stores the secret text (%s)',
    async (_case, secretString, fragment) => {
      sm.on(GetSecretValueCommand, { SecretId: 'harbor-dr/primary' }).resolves({
        SecretString: secretString,
      });
      sm.on(GetSecretValueCommand, { SecretId: 'harbor-dr/dr' }).resolves({
        SecretString: '{"username":"robot$dr","password":"dr-Secret-99"}',
      });

      const { printed, outcome } = await invoke();

      const all = `${printed}\n${everythingWritten()}\n${JSON.stringify(outcome)}`;
      expect(all).not.toContain(fragment);
      expect(all).not.toContain('dr-Secret-99');
      // The problem is still said, by shape and secret id.
      expect(all).toContain('secret harbor-dr/primary');
      expect(all).toContain('is not a JSON object with');
    }
  );

  it('still stores and notifies a report, UNKNOWN, naming the unreadable secret', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: SECRET_TEXT });

    const { outcome } = await invoke();

    expect(outcome).toMatchObject({ verdict: 'UNKNOWN' });
    const json = s3
      .commandCalls(PutObjectCommand)
      .find((c) => c.args[0].input.Key === 'reports/audit/latest.json');
    const report = reportSchema.parse(
      JSON.parse(json?.args[0].input.Body as string)
    );
    expect(report.verdict).toBe('UNKNOWN');
    expect(report.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['dr', 'UNKNOWN'],
    ]);
    expect(JSON.stringify(report.errors)).toContain('harbor-dr/primary');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });
});

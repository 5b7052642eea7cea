import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { startDemoLab, type Lab } from '../../../lab/index';
import { reportSchema } from '../../../lambdas/core/report/schema';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { ENV_KEYS } from '../../../lambdas/shared/env-keys';
import { startFauxqsProcess, type Fauxqs } from './fauxqs';

// The deployed shape, end to end: the audit handler, configured through its environment as
// the stack configures it, audits the lab and writes to S3 and SNS (fauxqs).
jest.setTimeout(120_000);

let lab: Lab;
let fauxqs: Fauxqs;
let configJson: string;
let topicArn: string;

beforeAll(async () => {
  [lab, fauxqs] = await Promise.all([
    startDemoLab(),
    startFauxqsProcess({
      buckets: ['reports'],
      topics: [{ name: 'harbor-dr' }],
      queues: [{ name: 'inbox' }],
      subscriptions: [{ topic: 'harbor-dr', queue: 'inbox' }],
    }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-handler-'));
  configJson = JSON.stringify({
    ...loadConfigFile(lab.writeConfig(dir).configPath),
    notify: { on: 'always' },
  });
  const sns = new SNSClient(fauxqs.clientConfig);
  topicArn = z
    .string()
    .parse(
      (await sns.send(new CreateTopicCommand({ Name: 'harbor-dr' }))).TopicArn
    );
  sns.destroy();
});

afterAll(async () => {
  await Promise.all([lab.stop(), fauxqs.stop()]);
});

// Asynchronous on purpose: the lab serves from this process, so a blocking spawn would hang it.
async function invoke(handler: string, topic: string) {
  const run = await promisify(execFile)(
    process.execPath,
    [
      '--require',
      'tsx/cjs',
      'test/integration/aws/invoke-handler.ts',
      handler,
      '{}',
    ],
    {
      encoding: 'utf8',
      timeout: 110_000,
      env: {
        ...process.env,
        [ENV_KEYS.config]: configJson,
        [ENV_KEYS.reportBucket]: 'reports',
        [ENV_KEYS.topicArn]: topic,
        AWS_ENDPOINT_URL: fauxqs.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        POWERTOOLS_DEV: 'true',
      },
    }
  );
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`handler returned nothing: ${run.stderr}`);
  return {
    result: JSON.parse(line.slice(7)) as Record<string, unknown>,
    logs: run.stdout + run.stderr,
  };
}

describe('audit handler against the lab, with S3 and SNS in fauxqs', () => {
  const s3 = () => new S3Client(fauxqs.clientConfig);

  it('writes the reports to S3, publishes the summary, and returns where the report is', async () => {
    const { result } = await invoke(
      join(process.cwd(), 'lambdas/handlers/audit.ts'),
      topicArn
    );

    const client = s3();
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: 'reports', Prefix: 'reports/audit/' })
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
    expect(
      keys.some((k) =>
        /^reports\/audit\/\d{4}\/\d{2}\/\d{2}\/.+\.json$/.test(k)
      )
    ).toBe(true);
    expect(keys.some((k) => k.endsWith('.md'))).toBe(true);
    const latest = await client.send(
      new GetObjectCommand({
        Bucket: 'reports',
        Key: 'reports/audit/latest.json',
      })
    );
    const report = reportSchema.parse(
      JSON.parse(await latest.Body!.transformToString())
    );
    expect(report.errors).toEqual([]);
    expect(report.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['harbor-dr', 'DEGRADED'],
      ['cluster-1', 'NOT_READY'],
      ['cluster-2', 'READY'],
    ]);
    expect(JSON.stringify(result)).toContain(report.runId);
    client.destroy();

    const sqs = new SQSClient(fauxqs.clientConfig);
    const queueUrl = (
      await sqs.send(new GetQueueUrlCommand({ QueueName: 'inbox' }))
    ).QueueUrl;
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2 })
    );
    const envelope = z
      .object({
        Subject: z.string(),
        Message: z.string(),
        MessageAttributes: z.record(
          z.string(),
          z.object({ Value: z.string() })
        ),
      })
      .parse(JSON.parse(received.Messages?.[0]?.Body ?? '{}'));
    expect(envelope.Subject).toBe('harbor-dr audit harbor-primary: NOT_READY');
    expect(envelope.Message).toContain('cluster-1');
    expect(envelope.Message).toContain(`reports/audit/`);
    expect(envelope.MessageAttributes.severity?.Value).toBe('problem');
    sqs.destroy();
  });

  it('keeps the report when the notification cannot be published', async () => {
    const missingTopic = topicArn.replace(/harbor-dr$/, 'no-such-topic');

    const { result, logs } = await invoke(
      join(process.cwd(), 'lambdas/handlers/audit.ts'),
      missingTopic
    );

    const client = s3();
    const latest = await client.send(
      new GetObjectCommand({
        Bucket: 'reports',
        Key: 'reports/audit/latest.json',
      })
    );
    const report = reportSchema.parse(
      JSON.parse(await latest.Body!.transformToString())
    );
    expect(JSON.stringify(result)).toContain(report.runId);
    expect(logs).toContain('notification failed');
    client.destroy();
  });
});

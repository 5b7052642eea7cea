import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { startDemoLab, type Lab } from '../../../lab/index';
import { reportKeys } from '../../../lambdas/core/report/layout';
import { reportSchema } from '../../../lambdas/core/report/schema';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { ENV_KEYS } from '../../../lambdas/shared/env-keys';
import { startFauxqsProcess, type Fauxqs } from './fauxqs';

// The deployed shape, end to end: the audit handler, configured as the stack configures it
// (bucket and key of the config object in its environment), audits the lab and writes to S3 and SNS (fauxqs).
jest.setTimeout(120_000);

let lab: Lab;
let fauxqs: Fauxqs;
let topicArn: string;
let labConfig: ReturnType<typeof loadConfigFile>;

beforeAll(async () => {
  [lab, fauxqs] = await Promise.all([
    startDemoLab(),
    startFauxqsProcess({
      buckets: ['reports', 'assets'],
      topics: [{ name: 'harbor-dr' }],
      queues: [{ name: 'inbox' }],
      subscriptions: [{ topic: 'harbor-dr', queue: 'inbox' }],
    }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-handler-'));
  labConfig = {
    ...loadConfigFile(lab.writeConfig(dir).configPath),
    notify: { on: 'always', format: 'text' },
  };
  await putConfig('lab.json', labConfig);
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

/** Writes a config object as the stack's asset would be (JSON, in the assets bucket). */
async function putConfig(key: string, config: object): Promise<void> {
  const client = new S3Client(fauxqs.clientConfig);
  await client.send(
    new PutObjectCommand({
      Bucket: 'assets',
      Key: key,
      Body: JSON.stringify(config),
    })
  );
  client.destroy();
}

// Asynchronous on purpose: the lab serves from this process, so a blocking spawn would hang it.
async function invoke(handler: string, topic: string, configKey = 'lab.json') {
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
        [ENV_KEYS.configBucket]: 'assets',
        [ENV_KEYS.configKey]: configKey,
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
          z.object({ Type: z.string(), Value: z.string() })
        ),
      })
      .parse(JSON.parse(received.Messages?.[0]?.Body ?? '{}'));
    // The worst target and its main reason, the other target not READY, the run.
    expect(envelope.Subject).toMatch(
      /^NOT_READY cluster-1: \d+ missing(, \d+ mismatched)?, exposure \w+ > 1h \(\+1 not READY\) \[audit harbor-primary\]$/
    );
    const humanKey = reportKeys(report).html;
    expect(humanKey).toMatch(/\.html$/);
    expect(envelope.Message).toContain(
      `Report (human):\n  https://us-east-1.console.aws.amazon.com/s3/object/reports?region=us-east-1&prefix=${encodeURIComponent(humanKey)}\n  s3://reports/${humanKey}\n`
    );
    expect(envelope.Message).toContain(
      `Report (JSON): s3://reports/${reportKeys(report).json}`
    );
    expect(envelope.Message).toContain(
      'Changes: none to show, no earlier audit report was read.'
    );
    expect(envelope.MessageAttributes).toEqual({
      kind: { Type: 'String', Value: 'audit' },
      verdict: { Type: 'String', Value: 'NOT_READY' },
      severity: { Type: 'String', Value: 'problem' },
      target: { Type: 'String', Value: 'cluster-1' },
      targets: { Type: 'String.Array', Value: '["cluster-1","harbor-dr"]' },
      format: { Type: 'String', Value: 'text' },
    });
    if (process.env.SHOW_NOTIFICATION) {
      process.stdout.write(`${envelope.Subject}\n\n${envelope.Message}\n`);
    }
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

  it('reads a 200-target config from S3, reports the unreachable targets UNKNOWN, and publishes one message', async () => {
    // The lab's targets, and 197 more that refuse connections (closed loopback ports).
    const extra = Array.from(
      { length: 200 - labConfig.targets.length },
      (_, i) => ({
        name: `cluster-x${String(i)}`,
        url: `http://127.0.0.1:${String(i + 1)}`,
        kind: 'distribution' as const,
        verifyTls: true,
      })
    );
    await putConfig('big.json', {
      ...labConfig,
      targets: [...labConfig.targets, ...extra],
    });
    const sqs = new SQSClient(fauxqs.clientConfig);
    const queueUrl = (
      await sqs.send(new GetQueueUrlCommand({ QueueName: 'inbox' }))
    ).QueueUrl;
    // Earlier tests' messages out of the way.
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));

    const { result } = await invoke(
      join(process.cwd(), 'lambdas/handlers/audit.ts'),
      topicArn,
      'big.json'
    );

    const summary = z
      .object({
        verdict: z.string(),
        targets: z.array(z.object({ name: z.string(), verdict: z.string() })),
      })
      .parse(result);
    expect(summary.targets).toHaveLength(200);
    expect(summary.targets.slice(0, 3).map((t) => [t.name, t.verdict])).toEqual(
      [
        ['harbor-dr', 'DEGRADED'],
        ['cluster-1', 'NOT_READY'],
        ['cluster-2', 'READY'],
      ]
    );
    // Unreachable: UNKNOWN, never READY, and the run did not crash.
    expect(new Set(summary.targets.slice(3).map((t) => t.verdict))).toEqual(
      new Set(['UNKNOWN'])
    );
    expect(summary.verdict).toBe('NOT_READY');
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: 2,
        MaxNumberOfMessages: 10,
      })
    );
    expect(received.Messages).toHaveLength(1);
    const envelope = z
      .object({
        Subject: z.string(),
        Message: z.string(),
        MessageAttributes: z.record(
          z.string(),
          z.object({ Type: z.string(), Value: z.string() })
        ),
      })
      .parse(JSON.parse(received.Messages?.[0]?.Body ?? '{}'));
    // One message: the worst target (NOT_READY outranks the 197 UNKNOWN), its reason, how
    // many others are not READY; within SNS's 100 printable ASCII characters.
    expect(envelope.Subject.length).toBeLessThanOrEqual(100);
    expect(envelope.Subject).toMatch(/^[\x20-\x7e]+$/);
    expect(envelope.Subject).toMatch(
      /^NOT_READY cluster-1: \d+ missing(, \d+ mismatched)?, exposure \w+ > 1h \(\+198 not READY\) \[audit harbor-primary\]$/
    );
    const attributes = envelope.MessageAttributes;
    expect({
      kind: attributes.kind,
      verdict: attributes.verdict,
      severity: attributes.severity,
      target: attributes.target,
      format: attributes.format,
    }).toEqual({
      kind: { Type: 'String', Value: 'audit' },
      verdict: { Type: 'String', Value: 'NOT_READY' },
      severity: { Type: 'String', Value: 'problem' },
      target: { Type: 'String', Value: 'cluster-1' },
      format: { Type: 'String', Value: 'text' },
    });
    expect(attributes.targets?.Type).toBe('String.Array');
    const notReady = z
      .array(z.string())
      .parse(JSON.parse(attributes.targets?.Value ?? ''));
    expect(notReady).toHaveLength(199);
    expect(notReady.slice(0, 2)).toEqual(['cluster-1', 'cluster-x0']);
    expect(notReady).toContain('harbor-dr');
    expect(notReady).not.toContain('cluster-2');
    // What changed since the previous run (the lab's 3 targets): the 197 new ones.
    expect(envelope.Message).toMatch(/\nChanges since run \S+ \(/);
    expect(envelope.Message).toContain('cluster-x0: new in this run, UNKNOWN');
    expect(envelope.Message).toContain('... and 177 more targets changed');
    sqs.destroy();
  });
});

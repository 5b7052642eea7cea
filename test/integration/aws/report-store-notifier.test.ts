import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { NotificationError } from '../../../lambdas/adapters/aws/aws-errors';
import { S3ReportStore } from '../../../lambdas/adapters/aws/s3-report-store';
import { SnsNotifier } from '../../../lambdas/adapters/aws/sns-notifier';
import { reportSchema } from '../../../lambdas/core/report/schema';
import { report } from '../../helpers/report-fixture';
import { startFauxqsProcess, type Fauxqs } from './fauxqs';

// The SNS → SQS envelope (raw message delivery off), as SNS documents it.
const envelopeSchema = z.object({
  Type: z.literal('Notification'),
  TopicArn: z.string(),
  Subject: z.string(),
  Message: z.string(),
  MessageAttributes: z.record(
    z.string(),
    z.object({ Type: z.string(), Value: z.string() })
  ),
});

describe('S3 report store and SNS notifier against fauxqs', () => {
  let fauxqs: Fauxqs;
  let s3: S3Client;
  let sns: SNSClient;
  let sqs: SQSClient;
  let topicArn: string;
  const written: string[] = [];

  beforeAll(async () => {
    fauxqs = await startFauxqsProcess({
      buckets: ['reports-bucket'],
      topics: [{ name: 'harbor-dr' }],
      queues: [{ name: 'inbox' }],
      subscriptions: [{ topic: 'harbor-dr', queue: 'inbox' }],
    });
    s3 = new S3Client(fauxqs.clientConfig);
    // Records the order in which keys reach S3, on the wire side of the client.
    s3.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'PutObjectCommand') {
          written.push((args.input as { Key: string }).Key);
        }
        return next(args);
      },
      { step: 'initialize' }
    );
    sns = new SNSClient(fauxqs.clientConfig);
    sqs = new SQSClient(fauxqs.clientConfig);
    const topic = await sns.send(new CreateTopicCommand({ Name: 'harbor-dr' }));
    topicArn = z.string().parse(topic.TopicArn);
  }, 20_000);

  afterAll(async () => {
    s3.destroy();
    sns.destroy();
    sqs.destroy();
    await fauxqs.stop();
  });

  it('writes the JSON, Markdown and HTML reports with their content types, latest.json last', async () => {
    // Arrange
    const store = new S3ReportStore(s3, { bucket: 'reports-bucket' });
    const run = report({ verdict: 'DEGRADED' });
    written.length = 0;

    // Act
    const where = await store.save(run, {
      markdown: '# Audit\n\nDEGRADED – café\n',
      html: '<!doctype html><title>café</title>\n',
    });

    // Assert
    expect(written).toEqual([
      'reports/audit/2026/11/29/20261129T020000000Z-abcd.json',
      'reports/audit/2026/11/29/20261129T020000000Z-abcd.md',
      'reports/audit/2026/11/29/20261129T020000000Z-abcd.html',
      'reports/audit/latest.md',
      'reports/audit/latest.html',
      'reports/audit/latest.json',
    ]);
    expect(where.latest).toBe('s3://reports-bucket/reports/audit/latest.json');
    const json = await s3.send(
      new GetObjectCommand({ Bucket: 'reports-bucket', Key: written[0] })
    );
    expect(json.ContentType).toBe('application/json');
    expect(
      reportSchema.parse(JSON.parse(await json.Body!.transformToString()))
    ).toEqual(run);
    const md = await s3.send(
      new GetObjectCommand({ Bucket: 'reports-bucket', Key: written[1] })
    );
    expect(md.ContentType).toBe('text/markdown; charset=utf-8');
    expect(await md.Body!.transformToString()).toBe(
      '# Audit\n\nDEGRADED – café\n'
    );
    const page = await s3.send(
      new GetObjectCommand({ Bucket: 'reports-bucket', Key: written[4] })
    );
    expect(page.ContentType).toBe('text/html; charset=utf-8');
    expect(await page.Body!.transformToString()).toBe(
      '<!doctype html><title>café</title>\n'
    );
    const latest = await s3.send(
      new HeadObjectCommand({ Bucket: 'reports-bucket', Key: written[5] })
    );
    expect(latest.ContentType).toBe('application/json');
  });

  it('reads earlier reports back newest first, skipping one that is not a report', async () => {
    // Arrange
    const store = new S3ReportStore(s3, { bucket: 'reports-bucket' });
    const runs = ['20261201T020000000Z-aaaa', '20261202T020000000Z-bbbb'].map(
      (runId) =>
        report({
          kind: 'readiness',
          runId,
          startedAt: `2026-12-0${runId.slice(7, 8)}T02:00:00.000Z`,
        })
    );
    for (const run of runs)
      await store.save(run, { markdown: '# Readiness\n', html: '' });
    await s3.send(
      new PutObjectCommand({
        Bucket: 'reports-bucket',
        Key: 'reports/readiness/2026/12/03/20261203T020000000Z-junk.json',
        Body: 'not json',
        ContentType: 'application/json',
      })
    );

    // Act
    const recent = await store.recent('readiness', 10);

    // Assert
    expect(recent.map((r) => r.runId)).toEqual([
      '20261202T020000000Z-bbbb',
      '20261201T020000000Z-aaaa',
    ]);
  });

  it('delivers the summary to an SQS subscription with its filterable attributes', async () => {
    // Arrange
    const notifier = new SnsNotifier(sns, topicArn);
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: 'inbox' })
    );

    // Act
    await notifier.publish({
      subject: `harbor-dr audit: NOT_READY — ${'cluster1, '.repeat(20)}`,
      body: 'cluster1 NOT_READY: 3 missing\nReport: s3://reports-bucket/reports/audit/latest.json',
      attributes: {
        kind: 'audit',
        verdict: 'NOT_READY',
        severity: 'problem',
        target: 'cluster1',
        targets: ['cluster1', 'cluster2'],
        format: 'text',
      },
    });

    // Assert
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 2,
      })
    );
    expect(received.Messages).toHaveLength(1);
    const envelope = envelopeSchema.parse(
      JSON.parse(received.Messages?.[0]?.Body ?? '')
    );
    expect(envelope.TopicArn).toBe(topicArn);
    expect(envelope.Subject.length).toBeLessThanOrEqual(100);
    expect(envelope.Subject).toMatch(/^harbor-dr audit: NOT_READY \? cluster1/);
    expect(envelope.Message).toContain('s3://reports-bucket/reports/audit/');
    expect(envelope.MessageAttributes).toEqual({
      kind: { Type: 'String', Value: 'audit' },
      verdict: { Type: 'String', Value: 'NOT_READY' },
      severity: { Type: 'String', Value: 'problem' },
      target: { Type: 'String', Value: 'cluster1' },
      targets: { Type: 'String.Array', Value: '["cluster1","cluster2"]' },
      format: { Type: 'String', Value: 'text' },
    });
  });

  it('keeps the report in S3 when the publish fails (report first, notify second)', async () => {
    // Arrange
    const store = new S3ReportStore(s3, { bucket: 'reports-bucket' });
    const notifier = new SnsNotifier(
      sns,
      topicArn.replace(/harbor-dr$/, 'no-such-topic')
    );
    const run = report({ runId: '20261129T030000000Z-fail' });

    // Act
    const where = await store.save(run, { markdown: '# Audit\n', html: '' });
    const publishing = notifier.publish({
      subject: 'harbor-dr audit: READY',
      body: where.json,
      attributes: {
        kind: 'audit',
        verdict: 'READY',
        severity: 'ok',
        target: '(none)',
        targets: [],
        format: 'text',
      },
    });

    // Assert
    await expect(publishing).rejects.toBeInstanceOf(NotificationError);
    await expect(publishing).rejects.toMatchObject({
      service: 'sns',
      resource: expect.stringContaining('no-such-topic') as unknown,
    });
    const latest = await s3.send(
      new GetObjectCommand({
        Bucket: 'reports-bucket',
        Key: 'reports/audit/latest.json',
      })
    );
    const stored = reportSchema.parse(
      JSON.parse(await latest.Body!.transformToString())
    );
    expect(stored.runId).toBe('20261129T030000000Z-fail');
  });
});

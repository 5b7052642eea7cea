import {
  NotFoundException,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { NotificationError } from '../../../../lambdas/adapters/aws/aws-errors';
import {
  SnsNotifier,
  toSnsSubject,
} from '../../../../lambdas/adapters/aws/sns-notifier';
import type { Notification } from '../../../../lambdas/core/ports';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:harbor-dr';

const notification = (over: Partial<Notification> = {}): Notification => ({
  subject: 'harbor-dr audit: NOT_READY (cluster1: 3 missing)',
  body: 'cluster1 NOT_READY: 3 missing\nReport: s3://b/reports/audit/latest.json',
  attributes: {
    kind: 'audit',
    verdict: 'NOT_READY',
    severity: 'problem',
    target: 'cluster1',
    targets: ['cluster1', 'cluster2'],
    format: 'text',
  },
  ...over,
});

describe('SnsNotifier', () => {
  beforeEach(() => {
    sns.reset();
  });

  it('publishes the subject, body and String attributes for filter policies', async () => {
    // Arrange
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const notifier = new SnsNotifier(new SNSClient({}), TOPIC);

    // Act
    await notifier.publish(notification());

    // Assert
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      TopicArn: TOPIC,
      Subject: 'harbor-dr audit: NOT_READY (cluster1: 3 missing)',
      Message:
        'cluster1 NOT_READY: 3 missing\nReport: s3://b/reports/audit/latest.json',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'audit' },
        verdict: { DataType: 'String', StringValue: 'NOT_READY' },
        severity: { DataType: 'String', StringValue: 'problem' },
        target: { DataType: 'String', StringValue: 'cluster1' },
        format: { DataType: 'String', StringValue: 'text' },
        targets: {
          DataType: 'String.Array',
          StringValue: '["cluster1","cluster2"]',
        },
      },
    });
  });

  it('leaves out the targets array when every target is READY (the other attributes stay)', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-3' });
    const notifier = new SnsNotifier(new SNSClient({}), TOPIC);

    await notifier.publish(
      notification({
        attributes: {
          kind: 'audit',
          verdict: 'READY',
          severity: 'ok',
          target: '(none)',
          targets: [],
          format: 'text',
        },
      })
    );

    expect(
      Object.keys(
        sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes ??
          {}
      ).sort()
    ).toEqual(['format', 'kind', 'severity', 'target', 'verdict']);
  });

  it('links a stored report to the S3 console of the topic’s region and partition', () => {
    expect(
      new SnsNotifier(new SNSClient({}), TOPIC).consoleUrl(
        's3://my-bucket/reports/audit/2026/11/29/r 1.md'
      )
    ).toBe(
      'https://eu-west-1.console.aws.amazon.com/s3/object/my-bucket?region=eu-west-1&prefix=reports%2Faudit%2F2026%2F11%2F29%2Fr%201.md'
    );
    expect(
      new SnsNotifier(
        new SNSClient({}),
        'arn:aws-cn:sns:cn-north-1:123456789012:t'
      ).consoleUrl('s3://b/k.md')
    ).toBe(
      'https://console.amazonaws.cn/s3/object/b?region=cn-north-1&prefix=k.md'
    );
    expect(
      new SnsNotifier(new SNSClient({}), TOPIC).consoleUrl('/tmp/reports/x.md')
    ).toBeUndefined();
    expect(
      new SnsNotifier(new SNSClient({}), 'not-an-arn').consoleUrl('s3://b/k')
    ).toBeUndefined();
  });

  it('throws a NotificationError naming the topic when SNS refuses', async () => {
    // Arrange
    sns.on(PublishCommand).rejects(
      new NotFoundException({
        message: 'Topic does not exist',
        $metadata: { httpStatusCode: 404 },
      })
    );
    const notifier = new SnsNotifier(new SNSClient({}), TOPIC);

    // Act
    const publishing = notifier.publish(notification());

    // Assert
    await expect(publishing).rejects.toThrow(NotificationError);
    await expect(publishing).rejects.toMatchObject({
      code: 'UPSTREAM_HTTP',
      service: 'sns',
      operation: 'Publish',
      resource: TOPIC,
      awsCode: 'NotFoundException',
      status: 404,
      retryable: false,
    });
  });

  it('treats a network failure as retryable', async () => {
    sns
      .on(PublishCommand)
      .rejects(
        Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' })
      );
    const notifier = new SnsNotifier(new SNSClient({}), TOPIC);

    await expect(notifier.publish(notification())).rejects.toMatchObject({
      name: 'NotificationError',
      status: undefined,
      retryable: true,
    });
  });

  it('rejects an answer without a message id', async () => {
    sns.on(PublishCommand).resolves({});
    const notifier = new SnsNotifier(new SNSClient({}), TOPIC);

    await expect(notifier.publish(notification())).rejects.toThrow(
      NotificationError
    );
  });

  it('truncates a very long body so that it and its attributes fit SNS’s 256 KiB', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const notifier = new SnsNotifier(new SNSClient({}), TOPIC);
    const targets = Array.from(
      { length: 200 },
      (_, i) => `cluster-${String(i)}`
    );

    await notifier.publish(
      notification({
        body: 'é'.repeat(200_000),
        attributes: { ...notification().attributes, targets },
      })
    );

    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    const message = input?.Message;
    const attributeBytes = Object.entries(input?.MessageAttributes ?? {})
      .map(([k, v]) => k + (v.DataType ?? '') + (v.StringValue ?? ''))
      .join('').length;
    expect(attributeBytes).toBeGreaterThan(2_000);
    expect(
      Buffer.byteLength(message ?? '', 'utf8') + attributeBytes
    ).toBeLessThanOrEqual(256 * 1024);
    expect(message).toMatch(/é\n\[truncated: the full report is in S3\]$/);
  });
});

describe('toSnsSubject', () => {
  it.each([
    ['harbor-dr audit: READY', 'harbor-dr audit: READY'],
    ['line one\nline two\ttab', 'line one line two tab'],
    ['café — déjà vu ✓', 'cafe ? deja vu ?'],
    ['   ', 'harbor-dr-auditor'],
  ])('makes %j into %j', (input, expected) => {
    expect(toSnsSubject(input)).toBe(expected);
  });

  it('cuts a long subject to 100 characters', () => {
    const subject = toSnsSubject(`NOT_READY ${'cluster-'.repeat(30)}`);

    expect(subject).toHaveLength(100);
    expect(subject.endsWith('...')).toBe(true);
  });
});

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
  attributes: { kind: 'audit', verdict: 'NOT_READY', severity: 'problem' },
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
      },
    });
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

  it('truncates a very long body under SNS’s 256 KiB', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const notifier = new SnsNotifier(new SNSClient({}), TOPIC);

    await notifier.publish(notification({ body: 'é'.repeat(200_000) }));

    const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message;
    expect(Buffer.byteLength(message ?? '', 'utf8')).toBeLessThanOrEqual(
      256 * 1024
    );
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

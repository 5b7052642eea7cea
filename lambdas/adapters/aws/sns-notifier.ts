import {
  PublishCommand,
  type MessageAttributeValue,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { z } from 'zod';
import type { Notification, Notifier } from '../../core/ports';
import { s3ConsoleUrl } from '../../core/report/notify';
import {
  asciiLine,
  cutLine,
  MAX_SUBJECT_LENGTH,
} from '../../core/report/notify-subject';
import { NotificationError } from './aws-errors';

/** SNS's limit on a message, in bytes. */
const MAX_MESSAGE_BYTES = 256 * 1024;

const publishOutputSchema = z.object({ MessageId: z.string().min(1) });

/**
 * Makes a subject SNS accepts: printable ASCII on one line, at most 100 characters.
 * Accents are dropped (`é` → `e`), other characters become `?`, runs of whitespace
 * one space; a longer subject is cut and ends in `...`. The core already builds subjects
 * this way; this is the adapter's guarantee whatever it is handed.
 */
export function toSnsSubject(subject: string): string {
  const ascii = asciiLine(subject);
  return cutLine(
    ascii === '' ? 'harbor-dr-auditor' : ascii,
    MAX_SUBJECT_LENGTH
  );
}

/** What message attributes weigh against SNS's 256 KB: names, types and values. */
function attributeBytes(
  attributes: Record<string, MessageAttributeValue>
): number {
  let bytes = 0;
  for (const [name, a] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(
      `${name}${a.DataType ?? ''}${a.StringValue ?? ''}`,
      'utf8'
    );
  }
  return bytes;
}

/** Region and partition of a topic ARN (`arn:<partition>:sns:<region>:<account>:<name>`). */
function topicRegion(
  topicArn: string
): { partition: string; region: string } | undefined {
  const [arn, partition, service, region] = topicArn.split(':');
  return arn === 'arn' && service === 'sns' && partition && region
    ? { partition, region }
    : undefined;
}

/**
 * The body cut to what SNS takes: 256 KB for the message and its attributes together
 * (`reserve` bytes are the attributes').
 */
function fitMessage(body: string, reserve: number): string {
  const limit = MAX_MESSAGE_BYTES - reserve;
  if (Buffer.byteLength(body, 'utf8') <= limit) return body;
  const note = '\n[truncated: the full report is in S3]';
  const room = limit - Buffer.byteLength(note, 'utf8');
  // Cut on bytes, then drop a possibly split last character.
  const cut = Buffer.from(body, 'utf8').subarray(0, room).toString('utf8');
  return `${cut.replace(/\uFFFD$/, '')}${note}`;
}

/**
 * Publishes run summaries to one SNS topic, with String message attributes for
 * subscription filter policies: `kind`, `verdict`, `severity`, `target` (the worst one),
 * `format`, and `targets` (String.Array of the targets not READY, when there are any).
 */
export class SnsNotifier implements Notifier {
  private readonly where: { partition: string; region: string } | undefined;

  constructor(
    private readonly sns: Pick<SNSClient, 'send'>,
    private readonly topicArn: string
  ) {
    this.where = topicRegion(topicArn);
  }

  /**
   * The S3 console page of a report: the reports bucket is in the stack's region, which is
   * the topic's.
   */
  consoleUrl(location: string): string | undefined {
    return this.where
      ? s3ConsoleUrl(location, this.where.region, this.where.partition)
      : undefined;
  }

  /**
   * @throws NotificationError when SNS refuses or cannot be reached; the report has
   * already been stored by then, so callers log it rather than fail the run
   */
  async publish(notification: Notification): Promise<void> {
    const { targets, ...single } = notification.attributes;
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(single)) {
      attributes[name] = { DataType: 'String', StringValue: value };
    }
    if (targets.length > 0) {
      attributes.targets = {
        DataType: 'String.Array',
        StringValue: JSON.stringify(targets),
      };
    }
    try {
      publishOutputSchema.parse(
        await this.sns.send(
          new PublishCommand({
            TopicArn: this.topicArn,
            Subject: toSnsSubject(notification.subject),
            Message: fitMessage(notification.body, attributeBytes(attributes)),
            MessageAttributes: attributes,
          })
        )
      );
    } catch (err) {
      throw new NotificationError(this.topicArn, err);
    }
  }
}

import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import type { Notification, Notifier } from '../../core/ports';
import { NotificationError } from './aws-errors';

/** SNS's limit on a subject, in characters. */
export const MAX_SUBJECT_LENGTH = 100;
/** SNS's limit on a message, in bytes. */
const MAX_MESSAGE_BYTES = 256 * 1024;

const publishOutputSchema = z.object({ MessageId: z.string().min(1) });

/**
 * Makes a subject SNS accepts: printable ASCII on one line, at most 100 characters.
 * Accents are dropped (`é` → `e`), other characters become `?`, runs of whitespace
 * one space; a longer subject is cut and ends in `...`.
 */
export function toSnsSubject(subject: string): string {
  const ascii = subject
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  const text = ascii === '' ? 'harbor-dr-auditor' : ascii;
  return text.length <= MAX_SUBJECT_LENGTH
    ? text
    : `${text.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}

function fitMessage(body: string): string {
  if (Buffer.byteLength(body, 'utf8') <= MAX_MESSAGE_BYTES) return body;
  const note = '\n[truncated: the full report is in S3]';
  const room = MAX_MESSAGE_BYTES - Buffer.byteLength(note, 'utf8');
  // Cut on bytes, then drop a possibly split last character.
  const cut = Buffer.from(body, 'utf8').subarray(0, room).toString('utf8');
  return `${cut.replace(/\uFFFD$/, '')}${note}`;
}

/**
 * Publishes run summaries to one SNS topic, with the message attributes `kind`, `verdict`
 * and `severity` (type String) for subscription filter policies.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly sns: Pick<SNSClient, 'send'>,
    private readonly topicArn: string
  ) {}

  /**
   * @throws NotificationError when SNS refuses or cannot be reached; the report has
   * already been stored by then, so callers log it rather than fail the run
   */
  async publish(notification: Notification): Promise<void> {
    const { kind, verdict, severity } = notification.attributes;
    try {
      publishOutputSchema.parse(
        await this.sns.send(
          new PublishCommand({
            TopicArn: this.topicArn,
            Subject: toSnsSubject(notification.subject),
            Message: fitMessage(notification.body),
            MessageAttributes: {
              kind: { DataType: 'String', StringValue: kind },
              verdict: { DataType: 'String', StringValue: verdict },
              severity: { DataType: 'String', StringValue: severity },
            },
          })
        )
      );
    } catch (err) {
      throw new NotificationError(this.topicArn, err);
    }
  }
}

import {
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { RunObjects } from '../../use-cases/audit-distributed';
import { AwsServiceError } from './aws-errors';

/**
 * A distributed audit's intermediate objects in S3 (the reports bucket, under `runs/`, which
 * a lifecycle rule expires): JSON written and read whole.
 */
export class S3RunObjects implements RunObjects {
  constructor(
    private readonly s3: Pick<S3Client, 'send'>,
    private readonly bucket: string
  ) {}

  get location(): string {
    return this.bucket;
  }

  /** @throws AwsServiceError naming the s3:// URI (never the body) */
  async put(key: string, value: unknown): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: JSON.stringify(value),
          ContentType: 'application/json',
        })
      );
    } catch (err) {
      throw new AwsServiceError('s3', 'PutObject', this.uri(key), err);
    }
  }

  /**
   * The object's JSON, or undefined when it does not exist.
   * @throws AwsServiceError when it cannot be read; Error when it is not JSON
   */
  async get(key: string): Promise<unknown> {
    let text: string | undefined;
    try {
      const out = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key })
      );
      text = await out.Body?.transformToString('utf-8');
    } catch (err) {
      if ((err as { name?: unknown }).name === 'NoSuchKey') return undefined;
      throw new AwsServiceError('s3', 'GetObject', this.uri(key), err);
    }
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not the parser's message: it quotes the text.
      throw new Error(`${this.uri(key)} is not JSON`);
    }
  }

  private uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }
}

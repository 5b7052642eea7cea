import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RunObjects } from '../../use-cases/audit-distributed';
import { AwsServiceError } from './aws-errors';
import { getObjectText, listKeys, s3Uri } from './s3-object';

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
    const text = await getObjectText(this.s3, this.bucket, key);
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not the parser's message: it quotes the text.
      throw new Error(`${this.uri(key)} is not JSON`);
    }
  }

  /**
   * The keys under a prefix (ListObjectsV2, all pages).
   * @throws AwsServiceError when they cannot be listed
   */
  list(prefix: string): Promise<string[]> {
    return listKeys(this.s3, this.bucket, prefix);
  }

  private uri(key: string): string {
    return s3Uri(this.bucket, key);
  }
}

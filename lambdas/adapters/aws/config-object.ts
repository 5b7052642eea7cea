import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../core/errors';
import { parseConfig, type HarborDrConfig } from '../../shared/config';
import { getObjectText, s3Uri } from './s3-object';

/**
 * Reads the configuration the stack deployed as an S3 object (a CDK asset: any number of
 * targets, no 4 KB environment limit) and validates it.
 * @throws AwsServiceError when the object cannot be read (names the s3:// URI, never a body)
 * @throws ConfigError naming the object and each invalid field (or that it does not exist)
 */
export async function readConfigObject(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  key: string
): Promise<HarborDrConfig> {
  const source = s3Uri(bucket, key);
  const text = await getObjectText(s3, bucket, key);
  if (text === null) {
    throw new ConfigError(source, ['(root): the object does not exist']);
  }
  if (text === '') {
    throw new ConfigError(source, ['(root): the object is empty']);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Not the JSON.parse error as a cause: its message quotes the text.
    throw new ConfigError(source, ['(root): is not JSON']);
  }
  return parseConfig(raw, source);
}

import {
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { AwsServiceError } from './aws-errors';

/** The s3:// URI of an object (what errors name: never a body). */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * An S3 object's text (UTF-8; an object without a body reads as ''), or null when there is
 * no such key (NoSuchKey: the caller may list the key's prefix; without s3:ListBucket S3
 * answers a missing key with AccessDenied, which is an error here, as any other).
 * @throws the error `fail` makes of the failure (an AwsServiceError naming the URI by default)
 */
export async function getObjectText(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  key: string,
  fail: (uri: string, err: unknown) => Error = (uri, err) =>
    new AwsServiceError('s3', 'GetObject', uri, err)
): Promise<string | null> {
  try {
    const out = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key })
    );
    return (await out.Body?.transformToString('utf-8')) ?? '';
  } catch (err) {
    if ((err as { name?: unknown }).name === 'NoSuchKey') return null;
    throw fail(s3Uri(bucket, key), err);
  }
}

// Only the fields the listing depends on; z.object drops the rest.
const listPageSchema = z.object({
  Contents: z.array(z.object({ Key: z.string() })).optional(),
  IsTruncated: z.boolean().optional(),
  NextContinuationToken: z.string().optional(),
});

/**
 * Every key under `prefix` (ListObjectsV2, all pages).
 * @throws the error `fail` makes of a failure (an AwsServiceError naming the URI by default)
 */
export async function listKeys(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  prefix: string,
  fail: (uri: string, err: unknown) => Error = (uri, err) =>
    new AwsServiceError('s3', 'ListObjectsV2', uri, err)
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    let page: z.infer<typeof listPageSchema>;
    try {
      page = listPageSchema.parse(
        await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ContinuationToken: token,
          })
        )
      );
    } catch (err) {
      throw fail(s3Uri(bucket, prefix), err);
    }
    for (const object of page.Contents ?? []) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

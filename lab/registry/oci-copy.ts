import type { LabOciClient } from './oci-client';
import { isIndexMediaType } from './media-types';
import type { OciStore } from './store';

export { LabOciClient, RegistryHttpError } from './oci-client';
export type { RemoteRegistry } from './oci-client';

/**
 * Copies one manifest from an OciStore to a remote: index children recursively (by digest),
 * config and layer blobs (skipping those the remote has), then the manifest by `dstRef` (tag or
 * digest). Returns the digest the remote reports.
 */
export async function copyToRemote(
  store: OciStore,
  srcRepo: string,
  ref: string,
  client: LabOciClient,
  dstRepo: string,
  dstRef: string
): Promise<{ digest: string }> {
  const m = store.getManifest(srcRepo, ref);
  if (!m)
    throw new Error(
      `copyToRemote: ${srcRepo}:${ref} is not in the source store`
    );
  if (isIndexMediaType(m.mediaType)) {
    for (const child of m.children) {
      if (!(await client.headManifest(dstRepo, child))) {
        await copyToRemote(store, srcRepo, child, client, dstRepo, child);
      }
    }
  }
  for (const digest of m.blobs) {
    if (await client.hasBlob(dstRepo, digest)) continue;
    const bytes = store.getBlob(digest, srcRepo);
    if (!bytes)
      throw new Error(
        `copyToRemote: blob ${digest} of ${srcRepo}:${ref} is missing`
      );
    await withRetries(() => client.pushBlob(dstRepo, digest, bytes));
  }
  const digest = await withRetries(() =>
    client.pushManifest(dstRepo, dstRef, m.bytes, m.mediaType)
  );
  if (digest !== m.digest) {
    throw new Error(
      `copyToRemote: remote reports ${digest} for ${dstRepo}:${dstRef}, expected ${m.digest}`
    );
  }
  return { digest };
}

/**
 * Harbor retries each blob copy 5 times with a doubling backoff (COPY_BLOB_RETRY_COUNT,
 * harbor-semantics §4); concurrent copies of one image into one repository (two tag events of
 * one push) can make a registry refuse an upload once. The lab waits less than Harbor's 2 s.
 */
async function withRetries<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  let delayMs = 50;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs *= 2;
    }
  }
}

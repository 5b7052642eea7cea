import {
  buildImage,
  buildIndex,
  storeImage,
} from '../../../../lab/registry/images';
import { MEDIA, sha256Digest } from '../../../../lab/registry/media-types';
import { OciError, OciStore } from '../../../../lab/registry/store';
import type { StoreEvent } from '../../../../lab/registry/store';

const image = buildImage({ seed: 'unit' });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof OciError) return `${e.status} ${e.code}`;
    throw e;
  }
  return undefined;
}

describe('OciStore', () => {
  it('stores blobs by digest and rejects a wrong expected digest', () => {
    const store = new OciStore();
    const bytes = Buffer.from('hello');
    expect(store.putBlob(bytes)).toBe(sha256Digest(bytes));
    expect(store.getBlob(sha256Digest(bytes))?.toString()).toBe('hello');
    expect(codeOf(() => store.putBlob(bytes, `sha256:${'0'.repeat(64)}`))).toBe(
      '400 DIGEST_INVALID'
    );
  });

  it('refuses a manifest whose blobs are missing, and with per-repo links, blobs of another repo', () => {
    const store = new OciStore({ linkBlobsPerRepository: true });
    expect(
      codeOf(() =>
        store.putManifest('a/b', 'v1', image.manifest, image.mediaType)
      )
    ).toBe('400 MANIFEST_BLOB_UNKNOWN');
    for (const [d, b] of image.blobs) store.putBlob(b, d, 'other');
    expect(
      codeOf(() =>
        store.putManifest('a/b', 'v1', image.manifest, image.mediaType)
      )
    ).toBe('400 MANIFEST_BLOB_UNKNOWN');
    for (const d of image.blobs.keys())
      expect(store.linkBlob('a/b', d)).toBe(true);
    expect(
      store.putManifest('a/b', 'v1', image.manifest, image.mediaType).digest
    ).toBe(image.digest);
    // Without per-repo links every stored blob is visible.
    const open = new OciStore();
    for (const [d, b] of image.blobs) open.putBlob(b, d);
    expect(
      open.putManifest('x', 'v1', image.manifest, image.mediaType).blobs
    ).toEqual(store.getManifest('a/b', 'v1')!.blobs);
  });

  it('validates names, tags, digests and media types', () => {
    const store = new OciStore();
    storeImage(store, 'ok', 'v1', image);
    expect(
      codeOf(() =>
        store.putManifest('Bad', 'v1', image.manifest, image.mediaType)
      )
    ).toBe('400 NAME_INVALID');
    expect(
      codeOf(() =>
        store.putManifest('ok', '-x', image.manifest, image.mediaType)
      )
    ).toBe('400 TAG_INVALID');
    expect(
      codeOf(() =>
        store.putManifest(
          'ok',
          `sha256:${'1'.repeat(64)}`,
          image.manifest,
          image.mediaType
        )
      )
    ).toBe('400 DIGEST_INVALID');
    expect(
      codeOf(() =>
        store.putManifest('ok', 'v2', image.manifest, MEDIA.dockerManifest)
      )
    ).toBe('400 MANIFEST_INVALID');
    expect(
      codeOf(() =>
        store.putManifest('ok', 'v2', Buffer.from('{'), MEDIA.ociManifest)
      )
    ).toBe('400 MANIFEST_INVALID');
    expect(
      codeOf(() =>
        store.putManifest(
          'ok',
          'v2',
          Buffer.from('{"schemaVersion":2}'),
          MEDIA.ociManifest
        )
      )
    ).toBe('400 MANIFEST_INVALID');
  });

  it('needs index children in the same repo and records children and platforms', () => {
    const index = buildIndex({
      seed: 'u',
      platforms: [{ arch: 'amd64' }, { arch: 'arm64', os: 'linux' }],
    });
    const store = new OciStore();
    for (const c of index.children!)
      for (const [d, b] of c.blobs) store.putBlob(b, d);
    expect(
      codeOf(() =>
        store.putManifest('r', 'multi', index.manifest, index.mediaType)
      )
    ).toBe('400 MANIFEST_BLOB_UNKNOWN');
    const stored = storeImage(store, 'r', 'multi', index);
    expect(stored.children).toEqual(index.children!.map((c) => c.digest));
    expect(stored.platforms.map((p) => p.architecture)).toEqual([
      'amd64',
      'arm64',
    ]);
  });

  it('moves tags, deletes with all tags, untags, and emits events in order', () => {
    const store = new OciStore();
    const events: StoreEvent[] = [];
    const off = store.on((e) => events.push(e));
    const other = buildImage({ seed: 'unit-2' });
    storeImage(store, 'r', 'v1', image);
    storeImage(store, 'r', 'latest', image);
    storeImage(store, 'r', 'v2', other);
    expect(store.tagsOf('r', image.digest)).toEqual(['latest', 'v1']);
    storeImage(store, 'r', 'latest', other);
    expect(store.tagsOf('r', other.digest)).toEqual(['latest', 'v2']);
    expect(store.untag('r', 'v2')).toBe(true);
    expect(store.untag('r', 'v2')).toBe(false);
    expect(store.deleteManifest('r', other.digest)).toEqual(['latest']);
    expect(store.deleteManifest('r', other.digest)).toBeUndefined();
    expect(store.listTags('r')).toEqual(['v1']);
    expect(store.listTags('none')).toBeUndefined();
    off();
    storeImage(store, 'r2', 'v1', image);
    expect(
      events.map((e) => `${e.type} ${e.type === 'push' ? (e.tag ?? '-') : ''}`)
    ).toEqual([
      'push v1',
      'push latest',
      'push v2',
      'push latest',
      'untag ',
      'delete ',
    ]);
    expect(store.listRepositories()).toEqual(['r', 'r2']);
  });

  it('keeps a repository listed after its last manifest is deleted', () => {
    const store = new OciStore();
    storeImage(store, 'gone', 'v1', image);
    store.deleteManifest('gone', image.digest);
    expect(store.listRepositories()).toEqual(['gone']);
    expect(store.listTags('gone')).toEqual([]);
  });
});

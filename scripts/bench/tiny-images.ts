import { createHash } from 'node:crypto';
import { buildImage, type BuiltImage } from '../../lab/registry/images';
import type { OciStore } from '../../lab/registry/store';

/**
 * Distinct images that cost one JSON and one sha256 each: they share one config and one layer
 * (a base image built once) and differ by an annotation naming their seed, so that the same
 * seed gives the same digest on every side (primary, Harbor target, docker-registry).
 */
export class TinyImages {
  readonly base: BuiltImage = buildImage({ seed: 'bench shared base' });
  private readonly head: Record<string, unknown>;

  constructor() {
    this.head = JSON.parse(this.base.manifest.toString('utf8')) as Record<
      string,
      unknown
    >;
  }

  /** The image of `seed`: its manifest bytes, media type and digest. */
  image(seed: string): BuiltImage {
    const manifest = Buffer.from(
      JSON.stringify({
        ...this.head,
        annotations: { 'org.opencontainers.image.title': seed },
      })
    );
    return {
      manifest,
      mediaType: this.base.mediaType,
      digest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
      blobs: this.base.blobs,
    };
  }

  /** Links the shared blobs into `repo` of a lab store (once per repository). */
  linkBase(store: OciStore, repo: string): void {
    for (const [digest, bytes] of this.base.blobs)
      store.putBlob(bytes, digest, repo);
  }

  /** Stores an image of this family under `tag` (the repository's blobs linked first). */
  store(store: OciStore, repo: string, tag: string, image: BuiltImage): void {
    store.putManifest(repo, tag, image.manifest, image.mediaType);
  }
}

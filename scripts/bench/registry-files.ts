import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes what docker-registry's filesystem driver (Distribution 2.8) writes for a manifest
 * PUT, so that 100,000 tags are seeded in seconds instead of the ~20 minutes that as many
 * PUTs take on a shared 2-core machine (~90 PUT/s): the manifest's bytes as a blob, the
 * repository's links to its config and layers, its revision link and, per tag, the tag's
 * `current` and `index` links. The layout (registry/storage/paths.go):
 *
 *   <root>/docker/registry/v2/blobs/sha256/<hex[0:2]>/<hex>/data
 *   <root>/docker/registry/v2/repositories/<name>/_layers/sha256/<hex>/link
 *   <root>/docker/registry/v2/repositories/<name>/_manifests/revisions/sha256/<hex>/link
 *   <root>/docker/registry/v2/repositories/<name>/_manifests/tags/<tag>/current/link
 *   <root>/docker/registry/v2/repositories/<name>/_manifests/tags/<tag>/index/sha256/<hex>/link
 *
 * A link file holds the digest. The bench checks the result over HTTP: every tag is HEADed
 * (raw loop) and audited, and each must answer its digest.
 */
export class RegistryFiles {
  private readonly v2: string;

  constructor(root: string) {
    this.v2 = join(root, 'docker', 'registry', 'v2');
  }

  /** Stores a blob's bytes (global, like an upload's commit). */
  blob(digest: string, bytes: Buffer): void {
    const hex = hexOf(digest);
    const dir = join(this.v2, 'blobs', 'sha256', hex.slice(0, 2), hex);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'data'), bytes);
  }

  /** Links a config or layer blob into a repository. */
  layer(repo: string, digest: string): void {
    this.link(
      join(this.repo(repo), '_layers', 'sha256', hexOf(digest)),
      digest
    );
  }

  /** A manifest revision of a repository (its bytes must be stored with {@link blob}). */
  revision(repo: string, digest: string): void {
    this.link(
      join(this.repo(repo), '_manifests', 'revisions', 'sha256', hexOf(digest)),
      digest
    );
  }

  /**
   * A tag pointing at a revision: two directories made (the deepest with its parents) and two
   * files written, asynchronously so that many tags are written at once.
   */
  async tag(repo: string, tag: string, digest: string): Promise<void> {
    const dir = join(this.repo(repo), '_manifests', 'tags', tag);
    const index = join(dir, 'index', 'sha256', hexOf(digest));
    await mkdir(index, { recursive: true });
    await mkdir(join(dir, 'current'));
    await Promise.all([
      writeFile(join(index, 'link'), digest),
      writeFile(join(dir, 'current', 'link'), digest),
    ]);
  }

  private repo(name: string): string {
    return join(this.v2, 'repositories', name);
  }

  private link(dir: string, digest: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'link'), digest);
  }
}

function hexOf(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m?.[1]) throw new Error(`not a sha256 digest: ${digest}`);
  return m[1];
}

import { isDigest, sha256Digest } from './media-types';
import { OciError } from './errors';
import { parseManifest } from './manifest-parse';

export { OciError } from './errors';

/** A manifest as stored in one repository. */
export interface StoredManifest {
  repository: string;
  digest: string;
  mediaType: string;
  bytes: Buffer;
  /** Child manifest digests (index only). */
  children: string[];
  /** Config + layer digests (image manifest only). */
  blobs: string[];
  /** Digest in `subject`, if any (OCI 1.1 referrers). */
  subject?: string;
  artifactType?: string;
  configMediaType?: string;
  /** Index entries with a platform (index only). */
  platforms: { digest: string; architecture: string; os: string }[];
}

/** What happened in the store; lab-harbor turns these into webhooks/replication triggers. */
export type StoreEvent =
  | {
      type: 'push';
      repository: string;
      digest: string;
      tag?: string;
      mediaType: string;
      at: Date;
    }
  | {
      type: 'delete';
      repository: string;
      digest: string;
      tags: string[];
      at: Date;
    }
  | {
      type: 'untag';
      repository: string;
      digest: string;
      tag: string;
      at: Date;
    };

/** Options of {@link OciStore}. */
export interface OciStoreOptions {
  /**
   * Like distribution: a manifest PUT only sees blobs linked into that repository (by upload or
   * cross-repo mount), so a PUT into a new repo fails with MANIFEST_BLOB_UNKNOWN until the blobs
   * are mounted. Default false: every blob in the store is visible from every repository.
   */
  linkBlobsPerRepository?: boolean;
}

interface Repo {
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
  blobs: Set<string>;
}

// distribution/reference grammar: path components separated by '/'.
const NAME_RE =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

/** True when `name` is a valid repository name (distribution grammar, ≤255 chars). */
export function isValidRepositoryName(name: string): boolean {
  return name.length <= 255 && NAME_RE.test(name);
}

/** True when `tag` is a valid tag. */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** In-memory content-addressed OCI storage with a synchronous API. */
export class OciStore {
  private readonly blobs = new Map<string, Buffer>();
  private readonly repos = new Map<string, Repo>();
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly linkPerRepo: boolean;

  constructor(options: OciStoreOptions = {}) {
    this.linkPerRepo = options.linkBlobsPerRepository ?? false;
  }

  /**
   * Stores a blob and returns its digest; throws DIGEST_INVALID when `expectedDigest` differs.
   * With `repository`, the blob is also linked into that repository.
   */
  putBlob(bytes: Buffer, expectedDigest?: string, repository?: string): string {
    const digest = sha256Digest(bytes);
    if (expectedDigest !== undefined && expectedDigest !== digest) {
      throw new OciError(
        400,
        'DIGEST_INVALID',
        'provided digest did not match uploaded content',
        { expected: expectedDigest, actual: digest }
      );
    }
    if (!this.blobs.has(digest)) this.blobs.set(digest, Buffer.from(bytes));
    if (repository !== undefined) this.ensureRepo(repository).blobs.add(digest);
    return digest;
  }

  /** True when the blob exists (and, with `repository` and per-repo linking, is linked there). */
  hasBlob(digest: string, repository?: string): boolean {
    if (!this.blobs.has(digest)) return false;
    if (repository === undefined || !this.linkPerRepo) return true;
    return this.repos.get(repository)?.blobs.has(digest) ?? false;
  }

  /** The blob bytes, subject to the same visibility rule as {@link hasBlob}. */
  getBlob(digest: string, repository?: string): Buffer | undefined {
    return this.hasBlob(digest, repository)
      ? this.blobs.get(digest)
      : undefined;
  }

  /** Links an existing blob into `repository` (cross-repo mount). Returns false if unknown. */
  linkBlob(repository: string, digest: string): boolean {
    if (!this.blobs.has(digest)) return false;
    this.ensureRepo(repository).blobs.add(digest);
    return true;
  }

  /**
   * Validates JSON, checks referenced blobs/children exist (MANIFEST_BLOB_UNKNOWN otherwise,
   * throws OciError), stores it, moves/creates the tag when `reference` is a tag.
   */
  putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string
  ): StoredManifest {
    this.checkName(repository);
    const byDigest = reference.includes(':');
    if (byDigest && !isDigest(reference)) {
      throw new OciError(400, 'DIGEST_INVALID', 'provided digest is invalid', {
        digest: reference,
      });
    }
    if (!byDigest && !isValidTag(reference)) {
      throw new OciError(400, 'TAG_INVALID', 'manifest tag did not match URI', {
        tag: reference,
      });
    }
    const parsed = parseManifest(bytes, mediaType);
    const digest = sha256Digest(bytes);
    if (byDigest && reference !== digest) {
      throw new OciError(
        400,
        'DIGEST_INVALID',
        'provided digest did not match uploaded content',
        {
          expected: reference,
          actual: digest,
        }
      );
    }
    const existing = this.repos.get(repository);
    for (const blob of parsed.blobs) {
      if (!this.hasBlob(blob, repository)) {
        throw new OciError(
          400,
          'MANIFEST_BLOB_UNKNOWN',
          'blob unknown to registry',
          blob
        );
      }
    }
    for (const child of parsed.children) {
      if (!existing?.manifests.has(child)) {
        throw new OciError(
          400,
          'MANIFEST_BLOB_UNKNOWN',
          'blob unknown to registry',
          child
        );
      }
    }
    const repo = this.ensureRepo(repository);
    const stored: StoredManifest = {
      repository,
      digest,
      bytes: Buffer.from(bytes),
      ...parsed,
    };
    repo.manifests.set(digest, stored);
    if (!byDigest) repo.tags.set(reference, digest);
    this.emit({
      type: 'push',
      repository,
      digest,
      ...(byDigest ? {} : { tag: reference }),
      mediaType: parsed.mediaType,
      at: new Date(),
    });
    return stored;
  }

  /** The manifest a tag or digest names in `repository`, if any. */
  getManifest(
    repository: string,
    reference: string
  ): StoredManifest | undefined {
    const repo = this.repos.get(repository);
    if (!repo) return undefined;
    const digest = reference.includes(':')
      ? reference
      : repo.tags.get(reference);
    return digest === undefined ? undefined : repo.manifests.get(digest);
  }

  /** Deletes a manifest by digest with all its tags; returns the removed tags (undefined if absent). */
  deleteManifest(repository: string, digest: string): string[] | undefined {
    const repo = this.repos.get(repository);
    if (!repo?.manifests.has(digest)) return undefined;
    const tags = this.tagsOf(repository, digest);
    for (const t of tags) repo.tags.delete(t);
    repo.manifests.delete(digest);
    this.emit({ type: 'delete', repository, digest, tags, at: new Date() });
    return tags;
  }

  /** Removes a tag, keeping the manifest. Returns false when the tag does not exist. */
  untag(repository: string, tag: string): boolean {
    const repo = this.repos.get(repository);
    const digest = repo?.tags.get(tag);
    if (!repo || digest === undefined) return false;
    repo.tags.delete(tag);
    this.emit({ type: 'untag', repository, digest, tag, at: new Date() });
    return true;
  }

  /** Sorted repository names; a repository stays listed after its last delete (like distribution). */
  listRepositories(): string[] {
    return [...this.repos.keys()].sort(compare);
  }

  /** Sorted tags; undefined for an unknown repository. */
  listTags(repository: string): string[] | undefined {
    const repo = this.repos.get(repository);
    return repo ? [...repo.tags.keys()].sort(compare) : undefined;
  }

  /** Sorted tags pointing at `digest` in `repository`. */
  tagsOf(repository: string, digest: string): string[] {
    const repo = this.repos.get(repository);
    if (!repo) return [];
    return [...repo.tags]
      .filter(([, d]) => d === digest)
      .map(([t]) => t)
      .sort(compare);
  }

  /** All manifests of a repository (any order). */
  listManifests(repository: string): StoredManifest[] {
    return [...(this.repos.get(repository)?.manifests.values() ?? [])];
  }

  /** Manifests in `repository` whose subject is `digest`, sorted by digest. */
  referrers(repository: string, digest: string): StoredManifest[] {
    return this.listManifests(repository)
      .filter((m) => m.subject === digest)
      .sort((a, b) => compare(a.digest, b.digest));
  }

  /** Subscribe to push/delete/untag; returns an unsubscribe function. Listeners run synchronously. */
  on(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: StoreEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  private checkName(name: string): void {
    if (!isValidRepositoryName(name)) {
      throw new OciError(400, 'NAME_INVALID', 'invalid repository name', {
        name,
      });
    }
  }

  private ensureRepo(name: string): Repo {
    let repo = this.repos.get(name);
    if (!repo) {
      this.checkName(name);
      repo = { manifests: new Map(), tags: new Map(), blobs: new Set() };
      this.repos.set(name, repo);
    }
    return repo;
  }
}

// Byte order like Go's sort.Strings (localeCompare would differ on '-' vs '_').
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

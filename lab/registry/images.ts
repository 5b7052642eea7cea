import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MEDIA, isIndexMediaType, sha256Digest } from './media-types';
import type { OciStore, StoredManifest } from './store';
import { tarFiles } from './tar';

/** A built image (or index, or artifact): manifest bytes, its blobs, and index children. */
export interface BuiltImage {
  manifest: Buffer;
  mediaType: string;
  digest: string;
  /** Config and layer blobs referenced by this manifest (empty for an index). */
  blobs: Map<string, Buffer>;
  /** Child images of an index. */
  children?: BuiltImage[];
}

const CREATED = '2024-01-01T00:00:00Z';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

function describe(mediaType: string, bytes: Buffer): Descriptor {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/**
 * A small valid single-platform image, fully determined by its options (same seed → same digest).
 * `format: 'docker'` builds a Docker schema2 manifest, default OCI.
 */
export function buildImage(opts: {
  seed: string;
  arch?: string;
  os?: string;
  format?: 'oci' | 'docker';
  layers?: number;
}): BuiltImage {
  const arch = opts.arch ?? 'amd64';
  const os = opts.os ?? 'linux';
  const docker = opts.format === 'docker';
  const count = opts.layers ?? 1;
  const blobs = new Map<string, Buffer>();
  const layerDescs: Descriptor[] = [];
  const diffIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const content = Buffer.from(`${opts.seed} ${os}/${arch} layer ${i}\n`);
    const tar = tarFiles([{ path: `lab/${i}.txt`, content }]);
    const gz = gzipSync(tar, { level: 9 });
    diffIds.push(sha256Digest(tar));
    const desc = describe(docker ? MEDIA.dockerLayer : MEDIA.ociLayer, gz);
    blobs.set(desc.digest, gz);
    layerDescs.push(desc);
  }
  const config = json({
    created: CREATED,
    architecture: arch,
    os,
    config: {
      Cmd: ['/bin/sh'],
      Labels: { 'lab.seed': opts.seed },
    },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map((_, i) => ({
      created: CREATED,
      created_by: `lab layer ${i}`,
    })),
  });
  const configDesc = describe(
    docker ? MEDIA.dockerConfig : MEDIA.ociConfig,
    config
  );
  blobs.set(configDesc.digest, config);
  const manifest = json({
    schemaVersion: 2,
    mediaType: docker ? MEDIA.dockerManifest : MEDIA.ociManifest,
    config: configDesc,
    layers: layerDescs,
  });
  return {
    manifest,
    mediaType: docker ? MEDIA.dockerManifest : MEDIA.ociManifest,
    digest: sha256Digest(manifest),
    blobs,
  };
}

/** A multi-platform index (OCI index, or Docker manifest list with `format: 'docker'`). */
export function buildIndex(opts: {
  seed: string;
  platforms: { arch: string; os?: string }[];
  format?: 'oci' | 'docker';
}): BuiltImage {
  const mediaType =
    opts.format === 'docker' ? MEDIA.dockerList : MEDIA.ociIndex;
  const children = opts.platforms.map((p) =>
    buildImage({ seed: opts.seed, arch: p.arch, os: p.os, format: opts.format })
  );
  const manifest = json({
    schemaVersion: 2,
    mediaType,
    manifests: children.map((c, i) => ({
      mediaType: c.mediaType,
      digest: c.digest,
      size: c.manifest.length,
      platform: {
        architecture: opts.platforms[i]?.arch ?? 'amd64',
        os: opts.platforms[i]?.os ?? 'linux',
      },
    })),
  });
  return {
    manifest,
    mediaType,
    digest: sha256Digest(manifest),
    blobs: new Map(),
    children,
  };
}

const ARTIFACTS = {
  cosign: {
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    layerType: 'application/vnd.dev.cosign.simplesigning.v1+json',
  },
  notation: {
    artifactType: 'application/vnd.cncf.notary.signature',
    layerType: 'application/jose+json',
  },
  sbom: {
    artifactType: 'application/spdx+json',
    layerType: 'application/spdx+json',
  },
} as const;

/**
 * An OCI 1.1 artifact manifest (signature or SBOM) with `subject` and `artifactType`, the shape
 * cosign/notation/SBOM tools push so that the referrers API lists it.
 */
export function buildSignature(
  subject: { digest: string; mediaType: string; size: number },
  opts: { seed: string; kind: 'cosign' | 'notation' | 'sbom' }
): BuiltImage {
  const kind = ARTIFACTS[opts.kind];
  const empty = Buffer.from('{}');
  const payload =
    opts.kind === 'sbom'
      ? json({
          spdxVersion: 'SPDX-2.3',
          SPDXID: 'SPDXRef-DOCUMENT',
          name: opts.seed,
          dataLicense: 'CC0-1.0',
          documentNamespace: `https://lab.invalid/spdx/${opts.seed}`,
          creationInfo: { created: CREATED, creators: ['Tool: harbor-dr-lab'] },
          packages: [],
        })
      : json({
          critical: {
            identity: { 'docker-reference': opts.seed },
            image: { 'docker-manifest-digest': subject.digest },
            type: `${opts.kind} signature`,
          },
          optional: { seed: opts.seed },
        });
  const layer = describe(kind.layerType, payload);
  const signature = createHash('sha256')
    .update(`${opts.seed}:${subject.digest}`)
    .digest('base64');
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    artifactType: kind.artifactType,
    config: describe(MEDIA.ociEmpty, empty),
    layers: [
      opts.kind === 'cosign'
        ? {
            ...layer,
            annotations: { 'dev.cosignproject.cosign/signature': signature },
          }
        : layer,
    ],
    subject: {
      mediaType: subject.mediaType,
      digest: subject.digest,
      size: subject.size,
    },
    annotations: { 'org.opencontainers.image.created': CREATED },
  });
  return {
    manifest,
    mediaType: MEDIA.ociManifest,
    digest: sha256Digest(manifest),
    blobs: new Map([
      [sha256Digest(empty), empty],
      [layer.digest, payload],
    ]),
  };
}

/** The descriptor of a built image, e.g. to use it as a signature's subject. */
export function descriptorOf(image: BuiltImage): Descriptor {
  return {
    mediaType: image.mediaType,
    digest: image.digest,
    size: image.manifest.length,
  };
}

/** Puts an image's blobs, its index children (by digest) and its manifest under `ref`. */
export function storeImage(
  store: OciStore,
  repo: string,
  ref: string,
  image: BuiltImage
): StoredManifest {
  for (const child of image.children ?? [])
    storeImage(store, repo, child.digest, child);
  for (const [digest, bytes] of image.blobs) store.putBlob(bytes, digest, repo);
  return store.putManifest(repo, ref, image.manifest, image.mediaType);
}

/**
 * Writes an OCI image layout (oci-layout, index.json, blobs/sha256/*) so that skopeo can copy
 * `oci:<dir>:<ref>`. Each ref becomes an index.json entry annotated with its ref name.
 */
export function writeOciLayout(
  dir: string,
  images: { ref: string; image: BuiltImage }[]
): void {
  for (const { ref, image } of images) {
    if (
      image.mediaType !== MEDIA.ociManifest &&
      image.mediaType !== MEDIA.ociIndex
    ) {
      // skopeo 1.9's oci: transport ignores index.json entries with Docker media types.
      throw new Error(
        `writeOciLayout: ${ref} is ${image.mediaType}; an OCI layout only carries OCI images ` +
          '(push Docker-format images with storeImage + copyToRemote instead)'
      );
    }
  }
  const blobDir = join(dir, 'blobs', 'sha256');
  mkdirSync(blobDir, { recursive: true });
  const write = (digest: string, bytes: Buffer): void => {
    writeFileSync(join(blobDir, digest.slice('sha256:'.length)), bytes);
  };
  const writeImage = (image: BuiltImage): void => {
    for (const child of image.children ?? []) writeImage(child);
    for (const [digest, bytes] of image.blobs) write(digest, bytes);
    write(image.digest, image.manifest);
  };
  for (const { image } of images) writeImage(image);
  writeFileSync(
    join(dir, 'oci-layout'),
    JSON.stringify({ imageLayoutVersion: '1.0.0' })
  );
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: images.map(({ ref, image }) => ({
        ...descriptorOf(image),
        annotations: { 'org.opencontainers.image.ref.name': ref },
      })),
    })
  );
}

/** True when the built image is an index or manifest list. */
export function isIndex(image: BuiltImage): boolean {
  return isIndexMediaType(image.mediaType);
}

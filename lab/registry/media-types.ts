import { createHash } from 'node:crypto';

/** Media types the lab registry understands (OCI 1.1 and Docker schema2). */
export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  /** What distribution 2.8 down-converts schema2 to when the client does not accept schema2. */
  dockerSchema1Signed:
    'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** The four manifest media types a registry stores and an auditor must always accept. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MEDIA.ociManifest,
  MEDIA.ociIndex,
  MEDIA.dockerManifest,
  MEDIA.dockerList,
];

/** The full Accept header value (all four manifest types). */
export const FULL_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** True for an index-like media type (OCI index or Docker manifest list). */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList;
}

/** `sha256:<hex>` of the given bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** True when `s` is a well-formed sha256 digest (the only algorithm the lab supports). */
export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

import { z } from 'zod';
import {
  MANIFEST_MEDIA_TYPES,
  isDigest,
  isIndexMediaType,
} from './media-types';
import { OciError } from './errors';

const descriptor = z.looseObject({
  mediaType: z.string().optional(),
  digest: z.string().refine(isDigest, 'not a sha256 digest'),
  size: z.number().int().nonnegative(),
  artifactType: z.string().optional(),
  platform: z
    .looseObject({ architecture: z.string(), os: z.string() })
    .optional(),
});

const manifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptor,
  layers: z.array(descriptor),
  subject: descriptor.optional(),
});

const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptor),
  subject: descriptor.optional(),
});

// Built once: a zod 4 schema compiles itself on first use, which costs more than a parse.
const headSchema = z.looseObject({ mediaType: z.string().optional() });

/** The references a manifest makes, as the store needs them. */
export interface ParsedManifest {
  mediaType: string;
  children: string[];
  blobs: string[];
  subject?: string;
  artifactType?: string;
  configMediaType?: string;
  /** Index entries with platform, for the Docker-list → amd64 rewrite. */
  platforms: { digest: string; architecture: string; os: string }[];
}

/**
 * Parses and validates manifest bytes. `contentType` is the Content-Type the client sent; a
 * `mediaType` field in the body must agree with it (distribution rejects a mismatch).
 */
export function parseManifest(
  bytes: Buffer,
  contentType: string | undefined
): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new OciError(400, 'MANIFEST_INVALID', 'manifest invalid', {
      reason: 'not JSON',
    });
  }
  const head = headSchema.safeParse(json);
  const bodyType = head.success ? head.data.mediaType : undefined;
  const headerType =
    contentType && MANIFEST_MEDIA_TYPES.includes(contentType)
      ? contentType
      : undefined;
  if (bodyType && headerType && bodyType !== headerType) {
    throw new OciError(400, 'MANIFEST_INVALID', 'manifest invalid', {
      reason: `mediaType in manifest (${bodyType}) should be ${headerType}`,
    });
  }
  const mediaType = bodyType ?? headerType;
  if (!mediaType || !MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    throw new OciError(400, 'MANIFEST_INVALID', 'manifest invalid', {
      reason: `unsupported manifest media type ${mediaType ?? contentType ?? '(none)'}`,
    });
  }
  if (isIndexMediaType(mediaType)) {
    const r = indexSchema.safeParse(json);
    if (!r.success) throw invalid(r.error);
    return {
      mediaType,
      children: r.data.manifests.map((m) => m.digest),
      blobs: [],
      subject: r.data.subject?.digest,
      artifactType: r.data.artifactType,
      platforms: r.data.manifests.flatMap((m) =>
        m.platform
          ? [
              {
                digest: m.digest,
                architecture: m.platform.architecture,
                os: m.platform.os,
              },
            ]
          : []
      ),
    };
  }
  const r = manifestSchema.safeParse(json);
  if (!r.success) throw invalid(r.error);
  return {
    mediaType,
    children: [],
    blobs: [r.data.config.digest, ...r.data.layers.map((l) => l.digest)],
    subject: r.data.subject?.digest,
    artifactType: r.data.artifactType,
    configMediaType: r.data.config.mediaType,
    platforms: [],
  };
}

function invalid(error: z.ZodError): OciError {
  return new OciError(400, 'MANIFEST_INVALID', 'manifest invalid', {
    reason: z.prettifyError(error),
  });
}

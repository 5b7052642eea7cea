import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { StoredManifest } from './store';

const configSchema = z.looseObject({
  architecture: z.string().optional(),
  os: z.string().optional(),
  created: z.string().optional(),
});

/**
 * Rewrites a Docker schema2 manifest as schema1, as distribution 2.8 does for a GET by tag whose
 * Accept lacks schema2. Unlike distribution the result is not JWS-signed (the lab holds no libtrust
 * key); what matters to an auditor is preserved: another media type and another digest.
 */
export function convertToSchema1(
  manifest: StoredManifest,
  tag: string,
  configBytes: Buffer | undefined
): Buffer {
  let config: z.infer<typeof configSchema> = {};
  if (configBytes) {
    try {
      const r = configSchema.safeParse(
        JSON.parse(configBytes.toString('utf8'))
      );
      if (r.success) config = r.data;
    } catch {
      // An unparsable config still converts, with default fields.
    }
  }
  const layers = manifest.blobs.slice(1);
  let parent: string | undefined;
  const history = layers.map((layer, i) => {
    const id = createHash('sha256')
      .update(`${parent ?? ''} ${layer}`)
      .digest('hex');
    const v1: Record<string, unknown> = {
      id,
      created: config.created ?? '1970-01-01T00:00:00Z',
    };
    if (parent) v1.parent = parent;
    if (i === layers.length - 1) {
      v1.architecture = config.architecture ?? 'amd64';
      v1.os = config.os ?? 'linux';
    }
    parent = id;
    return { v1Compatibility: JSON.stringify(v1) };
  });
  const body = {
    schemaVersion: 1,
    name: manifest.repository,
    tag,
    architecture: config.architecture ?? 'amd64',
    fsLayers: [...layers].reverse().map((blobSum) => ({ blobSum })),
    history: history.reverse(),
  };
  return Buffer.from(JSON.stringify(body, null, 3));
}

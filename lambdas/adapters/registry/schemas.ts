import { z } from 'zod';
import { digestSchema as reportDigestSchema } from '../../core/report/schema';

// Shapes of OCI distribution / CNCF Distribution responses that the client reads.

/**
 * A digest as registries and Harbor may send it: the report's grammar, and one of the OCI
 * image spec's registered algorithms with its exact length (sha256: 64, sha512: 128 lowercase
 * hex). Anything else (`md5:abc`, a truncated hash) is out of contract where it enters, so its
 * listing reads unknown instead of a false mismatch against a digest nobody can hold.
 */
export const digestSchema = reportDigestSchema.regex(
  /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/,
  { error: 'must be a sha256 or sha512 digest' }
);

/** Token endpoint answer (distribution token spec): `token` or the OAuth2 `access_token`. */
export const tokenResponseSchema = z
  .object({
    token: z.string().min(1).optional(),
    access_token: z.string().min(1).optional(),
    expires_in: z.number().int().positive().optional(),
    issued_at: z.string().optional(),
  })
  .refine((t) => t.token !== undefined || t.access_token !== undefined, {
    error: 'token or access_token is required',
    path: ['token'],
  });

/** GET /v2/_catalog. */
export const catalogSchema = z.object({
  repositories: z.array(z.string()).nullish(),
});

/** GET /v2/<name>/tags/list; `tags` is null once every manifest was deleted. */
export const tagListSchema = z.object({
  name: z.string().optional(),
  tags: z.array(z.string()).nullable(),
});

const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: digestSchema,
  size: z.number().int().nonnegative().optional(),
  artifactType: z.string().optional(),
});

/**
 * An image manifest or index, as far as the audit reads it: an index's `manifests`
 * (children, or referrers), a manifest's `subject`.
 */
export const manifestSchema = z.object({
  schemaVersion: z.number().int().optional(),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema).optional(),
  subject: descriptorSchema.optional(),
});
export type OciManifest = z.infer<typeof manifestSchema>;

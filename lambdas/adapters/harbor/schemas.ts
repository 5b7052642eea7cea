import { z } from 'zod';
import { isoTimeSchema } from '../../core/report/schema';
import { digestSchema } from '../registry/schemas';

// Shapes of Harbor API v2.0 responses (shared/reference/harbor-v2.0-swagger.yaml), only the
// fields the audit reads. z.object strips unknown keys, so new upstream fields are harmless.
// go-swagger omits false booleans, empty strings and null arrays: hence the many optionals.

const optionalString = z.string().nullish();
const optionalBool = z.boolean().nullish();
// Digests and times that reach the report are held to the report's own rules here, where they
// enter: an out-of-contract value makes its listing (so its repository) unknown, naming the
// field, instead of failing the report when it is saved. Go omits or empties a zero value.
const optionalTime = isoTimeSchema.or(z.literal('')).nullish();
const optionalDigest = digestSchema.or(z.literal('')).nullish();

/** GET /users/current (UserResp). */
export const userRespSchema = z.object({
  username: z.string(),
  sysadmin_flag: optionalBool,
});

/** Registry (as listed and as embedded in a policy). */
export const registrySchema = z.object({
  id: z.number().int().nullish(),
  name: z.string(),
  type: z.string(),
  url: z.string(),
  insecure: optionalBool,
});
export type HarborRegistry = z.infer<typeof registrySchema>;

/** ReplicationFilter: `value` is a pattern string, or label names for label filters. */
const replicationFilterSchema = z.object({
  type: z.enum(['name', 'tag', 'label', 'resource']),
  value: z.union([z.string(), z.array(z.string())]).nullish(),
  decoration: z.enum(['matches', 'excludes', '']).nullish(),
});

/** ReplicationPolicy. */
export const replicationPolicySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  src_registry: registrySchema.nullish(),
  dest_registry: registrySchema.nullish(),
  dest_namespace: optionalString,
  dest_namespace_replace_count: z.number().int().nullish(),
  trigger: z
    .object({
      type: z.enum(['manual', 'scheduled', 'event_based']),
      trigger_settings: z.object({ cron: optionalString }).nullish(),
    })
    .nullish(),
  filters: z.array(replicationFilterSchema).nullish(),
  replicate_deletion: optionalBool,
  deletion: optionalBool,
  override: optionalBool,
  enabled: optionalBool,
  single_active_replication: optionalBool,
  creation_time: optionalString,
  update_time: optionalString,
});
export type HarborReplicationPolicy = z.infer<typeof replicationPolicySchema>;

/** Project (metadata values are the strings "true"/"false"). */
export const projectSchema = z.object({
  project_id: z.number().int(),
  name: z.string(),
  registry_id: z.number().int().nullish(),
  metadata: z.object({ public: optionalString }).nullish(),
});
export type HarborProjectResp = z.infer<typeof projectSchema>;

/** Repository (`name` includes the project). */
export const repositorySchema = z.object({
  id: z.number().int().nullish(),
  name: z.string().min(1),
});

const tagSchema = z.object({
  name: z.string().min(1),
  push_time: optionalTime,
});

const labelSchema = z.object({ name: z.string() });

const referenceSchema = z.object({ child_digest: digestSchema });

/** Accessory. */
export const accessorySchema = z.object({
  digest: digestSchema,
  type: z.string(),
  subject_artifact_digest: optionalDigest,
  creation_time: optionalTime,
});
export type HarborAccessoryResp = z.infer<typeof accessorySchema>;

/** Artifact, listed with with_tag, with_label and with_accessory. */
export const artifactSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  media_type: optionalString,
  manifest_media_type: optionalString,
  digest: digestSchema,
  push_time: optionalTime,
  tags: z.array(tagSchema).nullish(),
  labels: z.array(labelSchema).nullish(),
  references: z.array(referenceSchema).nullish(),
  accessories: z.array(accessorySchema).nullish(),
});
export type HarborArtifactResp = z.infer<typeof artifactSchema>;

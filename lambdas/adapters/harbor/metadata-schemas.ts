import { z } from 'zod';

// Shapes of the Harbor API v2.0 responses that metadata drift and readiness read
// (shared/reference/harbor-v2.0-swagger.yaml; harbor-semantics §1 and §6). z.object strips
// unknown keys: secret fields (robot secrets, OIDC user CLI secrets, registry credentials)
// are never declared here, so they never leave the parser.

const optionalString = z.string().nullish();
const optionalBool = z.boolean().nullish();
const optionalInt = z.number().int().nullish();

/** GET /configurations: `{key: {value, editable}}`. Values may be objects (scan_all_policy). */
export const configurationsSchema = z.record(
  z.string(),
  z.object({ value: z.unknown(), editable: optionalBool })
);

/** GET /users (UserResp, list). */
export const metaUserSchema = z.object({
  username: z.string().min(1),
  email: optionalString,
  realname: optionalString,
  comment: optionalString,
  sysadmin_flag: optionalBool,
});

/** GET /usergroups (UserGroup). */
export const metaGroupSchema = z.object({
  group_name: z.string(),
  group_type: z.number().int(),
  ldap_group_dn: optionalString,
});

const allowlistSchema = z.object({
  items: z.array(z.object({ cve_id: z.string() })).nullish(),
  expires_at: z.number().int().nullish(),
});

/** GET /projects (Project) with its metadata and CVE allowlist. */
export const metaProjectSchema = z.object({
  project_id: z.number().int(),
  name: z.string().min(1),
  registry_id: optionalInt,
  metadata: z.record(z.string(), z.string()).nullish(),
  cve_allowlist: allowlistSchema.nullish(),
});

/** GET /projects/{p}/members (ProjectMemberEntity). */
export const metaMemberSchema = z.object({
  entity_name: z.string(),
  entity_type: z.enum(['u', 'g']),
  role_id: z.number().int(),
  role_name: optionalString,
});

/** GET /robots (Robot); the secret is never declared. */
export const metaRobotSchema = z.object({
  name: z.string().min(1),
  level: z.string(),
  disable: optionalBool,
  expires_at: optionalInt,
  permissions: z
    .array(
      z.object({
        kind: z.string(),
        namespace: z.string(),
        access: z
          .array(
            z.object({
              resource: z.string(),
              action: z.string(),
              effect: optionalString,
            })
          )
          .nullish(),
      })
    )
    .nullish(),
});

/** GET /labels (Label). */
export const metaLabelSchema = z.object({
  name: z.string(),
  description: optionalString,
  color: optionalString,
});

/** A retention or immutability rule (RetentionRule / ImmutableRule); compared canonically. */
export const tagRuleSchema = z.looseObject({
  id: optionalInt,
  priority: optionalInt,
  disabled: optionalBool,
  action: optionalString,
  template: optionalString,
});

/** GET /retentions/{id} (RetentionPolicy). */
export const retentionSchema = z.object({
  algorithm: optionalString,
  rules: z.array(tagRuleSchema).nullish(),
  trigger: z
    .object({
      kind: optionalString,
      settings: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
});

/** GET /quotas (Quota); `ref` is a free-form object (`{id, name, owner_name}` for projects). */
export const metaQuotaSchema = z.object({
  ref: z.object({ name: optionalString }).nullish(),
  hard: z.object({ storage: z.number().nullish() }).nullish(),
});

/** GET /projects/{p}/webhook/policies (WebhookPolicy); auth headers are hashed on arrival. */
export const metaWebhookSchema = z.object({
  name: z.string(),
  enabled: optionalBool,
  event_types: z.array(z.string()).nullish(),
  targets: z
    .array(
      z.object({
        type: optionalString,
        address: optionalString,
        auth_header: optionalString,
        skip_cert_verify: optionalBool,
        payload_format: optionalString,
      })
    )
    .nullish(),
});

/** GET /scanners and /projects/{p}/scanner (ScannerRegistration). */
export const metaScannerSchema = z.object({
  name: z.string(),
  url: optionalString,
  auth: optionalString,
  skip_certVerify: optionalBool,
  use_internal_addr: optionalBool,
  is_default: optionalBool,
  disabled: optionalBool,
});

/** GET /system/CVEAllowlist. */
export const systemAllowlistSchema = allowlistSchema;

/** GET /registries (Registry); the credential is never declared. */
export const metaRegistrySchema = z.object({
  name: z.string(),
  type: z.string(),
  url: z.string(),
  insecure: optionalBool,
});

/** GET /auditlog-exts (AuditLogExt). */
export const auditLogExtSchema = z.object({
  op_time: optionalString,
});

/** GET /health (OverallHealthStatus). */
export const healthSchema = z.object({
  status: z.string(),
  components: z
    .array(
      z.object({ name: z.string(), status: z.string(), error: optionalString })
    )
    .nullish(),
});

/** GET /systeminfo (GeneralInfo), the fields readiness reads. */
export const systemInfoSchema = z.object({
  harbor_version: optionalString,
  auth_mode: optionalString,
  current_time: optionalString,
  read_only: optionalBool,
});

/** GET /systeminfo/volumes (SystemInfo). */
export const volumesSchema = z.object({
  storage: z.array(z.object({ total: z.number(), free: z.number() })).nullish(),
});

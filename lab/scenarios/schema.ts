import { z } from 'zod';
import { faultSchema } from '../harbor/faults';
import { NEWEST_HARBOR_VERSION } from '../harbor/replication/pattern';

const name = z.string().min(1);

const imageSchema = z.object({
  /** Tags to push (empty = pushed by digest only). */
  tags: z.array(z.string()).default([]),
  /** Seed of the synthetic content (same seed → same digest); default derived from repo+tags. */
  seed: z.string().optional(),
  kind: z.enum(['single', 'multi', 'docker']).default('single'),
  platforms: z.array(z.string()).default(['amd64', 'arm64']),
  /** Label names (global or project labels) attached after the push. */
  labels: z.array(z.string()).default([]),
  /** Accessories pushed as OCI 1.1 referrers (cosign/notation/sbom). */
  signatures: z.array(z.enum(['cosign', 'notation', 'sbom'])).default([]),
  /** Also push the cosign legacy tag `sha256-<hex>.sig` for the first cosign signature. */
  cosignTag: z.boolean().default(false),
});

const roleSchema = z.union([
  z.enum(['projectAdmin', 'developer', 'guest', 'maintainer', 'limitedGuest']),
  z.int().min(1).max(5),
]);

const projectSchema = z.object({
  name,
  public: z.boolean().default(false),
  metadata: z.record(z.string(), z.string()).default({}),
  /** Name of a registry of this Harbor: the project becomes a proxy cache of it. */
  proxyCacheOf: z.string().optional(),
  members: z
    .array(
      z.object({
        user: z.string().optional(),
        group: z.string().optional(),
        role: roleSchema,
      })
    )
    .default([]),
  labels: z
    .array(
      z.object({
        name,
        color: z.string().default('#0065AB'),
        description: z.string().default(''),
      })
    )
    .default([]),
  cveAllowlist: z.array(z.string()).default([]),
  repositories: z
    .array(z.object({ name, images: z.array(imageSchema).default([]) }))
    .default([]),
  immutableRules: z
    .array(
      z.object({ repositories: z.string().default('**'), tags: z.string() })
    )
    .default([]),
  webhooks: z
    .array(
      z.object({
        name,
        address: z.string(),
        authHeader: z.string().optional(),
        eventTypes: z.array(z.string()).default(['REPLICATION']),
      })
    )
    .default([]),
  retention: z
    .object({
      keepLatest: z.int().min(1),
      repositories: z.string().default('**'),
      tags: z.string().default('**'),
    })
    .optional(),
});

const robotSchema = z.object({
  name,
  level: z.enum(['system', 'project']).default('system'),
  /** For project robots. */
  project: z.string().optional(),
  access: z
    .array(z.object({ resource: z.string(), action: z.string() }))
    .default([]),
  secret: z.string().optional(),
  disable: z.boolean().default(false),
  duration: z.int().default(-1),
});

const registrySchema = z.object({
  name,
  type: z.enum(['harbor', 'docker-registry']).optional(),
  /** Another Harbor of the scenario, or a plain registry of the scenario, by name; or a URL. */
  target: z.string(),
  /** Credentials; defaults: the target Harbor's admin, or the plain registry's user. */
  username: z.string().optional(),
  password: z.string().optional(),
});

const filterSchema = z.object({
  type: z.enum(['name', 'tag', 'label', 'resource']),
  value: z.union([z.string(), z.array(z.string())]),
  decoration: z.enum(['matches', 'excludes']).optional(),
});

const policySchema = z.object({
  name,
  description: z.string().default(''),
  destRegistry: z.string(),
  destNamespace: z.string().default(''),
  replaceCount: z.int().min(-1).max(127).default(1),
  trigger: z
    .union([z.enum(['manual', 'event_based']), z.object({ cron: z.string() })])
    .default('manual'),
  filters: z.array(filterSchema).default([]),
  override: z.boolean().default(true),
  deletion: z.boolean().default(false),
  enabled: z.boolean().default(true),
});

/** One emulated Harbor of a scenario. */
export const harborSchema = z.object({
  name,
  /**
   * The Harbor release emulated (systeminfo `harbor_version`); it decides the doublestar version
   * of replication filters (v1.1.1 up to 2.9.4 and in 2.10.0–2.10.2, else v1.3.4).
   */
  harborVersion: z
    .string()
    .regex(/^v\d+\.\d+\.\d+/, 'a Harbor release such as v2.10.1')
    .default(NEWEST_HARBOR_VERSION),
  admin: z
    .object({ username: z.string(), password: z.string() })
    .default({ username: 'admin', password: 'Harbor12345' }),
  /** A sysadmin account for the auditor (the config written by writeConfig uses it). */
  auditor: z
    .object({ username: z.string(), password: z.string() })
    .default({ username: 'harbor-dr-auditor', password: 'Auditor12345' }),
  configuration: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .default({}),
  systemCveAllowlist: z.array(z.string()).default([]),
  users: z
    .array(
      z.object({
        username: name,
        password: z.string().default('Passw0rd123'),
        email: z.string().optional(),
        realname: z.string().optional(),
        sysadmin: z.boolean().default(false),
      })
    )
    .default([]),
  groups: z
    .array(
      z.object({
        name,
        type: z.int().default(2),
        ldapDn: z.string().default(''),
      })
    )
    .default([]),
  labels: z
    .array(
      z.object({
        name,
        color: z.string().default('#0065AB'),
        description: z.string().default(''),
      })
    )
    .default([]),
  scanners: z.array(z.object({ name, url: z.string() })).default([]),
  registries: z.array(registrySchema).default([]),
  projects: z.array(projectSchema).default([]),
  robots: z.array(robotSchema).default([]),
  policies: z.array(policySchema).default([]),
  faults: z.array(faultSchema).default([]),
});

const pushAction = z.object({
  type: z.literal('push'),
  harbor: name,
  repository: z.string(),
  image: imageSchema,
});

/** A step run after seeding, in order. */
export const actionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run-policy'),
    harbor: name,
    policy: name,
    wait: z.boolean().default(true),
  }),
  pushAction,
  z.object({
    type: z.literal('move-tag'),
    harbor: name,
    repository: z.string(),
    tag: z.string(),
    seed: z.string(),
  }),
  z.object({
    type: z.literal('delete-artifact'),
    harbor: name,
    repository: z.string(),
    reference: z.string(),
  }),
  z.object({ type: z.literal('advance-clock'), seconds: z.number() }),
  z.object({
    type: z.literal('faults'),
    harbor: name,
    faults: z.array(faultSchema),
  }),
  z.object({ type: z.literal('clear-faults'), harbor: name }),
  z.object({ type: z.literal('wait-idle') }),
]);

/** A lab scenario (JSON or YAML). */
export const scenarioSchema = z.object({
  name: z.string().default('scenario'),
  harbors: z.array(harborSchema).min(1),
  registries: z
    .array(
      z.object({
        name,
        kind: z.enum(['auto', 'distribution', 'memory']).default('auto'),
        auth: z.enum(['none', 'basic']).default('none'),
        username: z.string().default('cluster'),
        password: z.string().default('Cluster12345'),
      })
    )
    .default([]),
  actions: z.array(actionSchema).default([]),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type HarborSpec = z.output<typeof harborSchema>;
export type ImageSpec = z.output<typeof imageSchema>;
export type ScenarioAction = z.output<typeof actionSchema>;

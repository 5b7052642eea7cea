import { createHash } from 'node:crypto';
import { z } from 'zod';
import type {
  AuditLogSummary,
  ConfigValues,
  MetaAllowlist,
  MetaGroup,
  MetaLabel,
  MetaMember,
  MetaProject,
  MetaQuota,
  MetaRegistry,
  MetaReplicationRule,
  MetaRetention,
  MetaRobot,
  MetaRule,
  MetaScanner,
  MetaUser,
  MetaWebhook,
} from '../../core/metadata/types';
import type { HarborMetadataApi, HarborProbeApi } from '../../core/ports';
import type {
  HarborHealth,
  HarborSystemInfo,
  StorageVolumes,
} from '../../core/readiness/probes';
import type { HttpClient } from '../http/pool';
import type { Credentials } from '../secrets/credentials';
import { HarborRest, totalCount } from './harbor-rest';
import {
  auditLogExtSchema,
  configurationsSchema,
  healthSchema,
  metaGroupSchema,
  metaLabelSchema,
  metaMemberSchema,
  metaProjectSchema,
  metaQuotaSchema,
  metaRegistrySchema,
  metaRobotSchema,
  metaScannerSchema,
  metaUserSchema,
  metaWebhookSchema,
  retentionSchema,
  systemAllowlistSchema,
  systemInfoSchema,
  tagRuleSchema,
  volumesSchema,
} from './metadata-schemas';
import { replicationPolicySchema } from './schemas';

/** Options of a metadata client. */
export interface MetadataClientOptions {
  http: HttpClient;
  /** The Harbor's URL as configured; a path prefix (behind a proxy) is kept. */
  baseUrl: string;
  /** Anonymous when absent. */
  credentials?: Credentials;
}

/** Why audit logs do not apply to a Harbor that answers 404 on `/auditlog-exts`. */
const AUDIT_LOG_EXTS_ABSENT =
  'GET /auditlog-exts answered 404: audit-log extensions exist only from Harbor 2.13';

/** Configuration keys that are secrets: dropped on arrival, whatever Harbor returns. */
const SECRET_KEY = /(secret|password|passwd|credential)/i;

/** SHA-256 (hex) of a secret value, so that two instances can be compared without storing it. */
function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * GET /systeminfo (anonymous on Harbor): the release, auth mode, clock and read-only flag.
 * The one reading of it for the readiness probes and the audit's doublestar (harborVersion).
 */
export async function readSystemInfo(
  rest: HarborRest
): Promise<HarborSystemInfo> {
  const s = rest.parse(await rest.get('/systeminfo'), systemInfoSchema);
  return {
    version: s.harbor_version ?? null,
    authMode: s.auth_mode ?? null,
    currentTime: s.current_time ?? null,
    readOnly: s.read_only ?? null,
  };
}

/**
 * The metadata side of a Harbor's API v2.0 (HarborMetadataApi, harbor-semantics §6) and the
 * readiness probes (HarborProbeApi: health, system info, storage). Lists
 * follow pagination to the end or throw. Never returns a secret: robot and registry secrets
 * are not parsed, secret configuration keys are dropped, webhook auth headers are hashed.
 */
export class HarborMetadataClient implements HarborMetadataApi, HarborProbeApi {
  private readonly rest: HarborRest;

  constructor(opts: MetadataClientOptions) {
    this.rest = new HarborRest(opts);
  }

  async configurations(): Promise<ConfigValues> {
    const body = this.rest.parse(
      await this.rest.get('/configurations'),
      configurationsSchema
    );
    const out: ConfigValues = {};
    for (const [key, item] of Object.entries(body)) {
      if (SECRET_KEY.test(key)) continue;
      const v = item.value;
      out[key] =
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
          ? v
          : v === null || v === undefined
            ? null
            : canonicalJson(v);
    }
    return out;
  }

  async users(): Promise<MetaUser[]> {
    const rows = await this.rest.listAll(
      '/users',
      { sort: 'username' },
      metaUserSchema
    );
    return rows.map((u) => ({
      username: u.username,
      email: u.email ?? '',
      realname: u.realname ?? '',
      comment: u.comment ?? '',
      sysadmin: u.sysadmin_flag ?? false,
    }));
  }

  async userGroups(): Promise<MetaGroup[]> {
    const rows = await this.rest.listAll('/usergroups', {}, metaGroupSchema);
    return rows.map((g) => ({
      type: g.group_type,
      name: g.group_name,
      ldapDn: g.ldap_group_dn ?? '',
    }));
  }

  async projects(): Promise<MetaProject[]> {
    const rows = await this.rest.listAll(
      '/projects',
      { sort: 'name' },
      metaProjectSchema
    );
    return rows.map((p) => {
      const metadata = { ...(p.metadata ?? {}) };
      const retentionId = Number(metadata.retention_id);
      delete metadata.retention_id;
      return {
        name: p.name,
        ref: {
          id: p.project_id,
          ...(Number.isInteger(retentionId) && retentionId > 0
            ? { retentionId }
            : {}),
        },
        registryId: p.registry_id ?? 0,
        metadata,
        cveAllowlist: {
          items: (p.cve_allowlist?.items ?? []).map((i) => i.cve_id),
          expiresAt: p.cve_allowlist?.expires_at ?? null,
        },
      };
    });
  }

  async members(project: MetaProject): Promise<MetaMember[]> {
    const rows = await this.rest.listAll(
      `/projects/${encodeURIComponent(project.name)}/members`,
      {},
      metaMemberSchema,
      { 'x-is-resource-name': 'true' }
    );
    return rows.map((m) => ({
      project: project.name,
      entityType: m.entity_type,
      entityName: m.entity_name,
      role:
        m.role_name && m.role_name !== '' ? m.role_name : roleName(m.role_id),
    }));
  }

  async systemRobots(): Promise<MetaRobot[]> {
    const rows = await this.rest.listAll(
      '/robots',
      { q: 'Level=system' },
      metaRobotSchema
    );
    return rows.map(toRobot);
  }

  async projectRobots(project: MetaProject): Promise<MetaRobot[]> {
    const rows = await this.rest.listAll(
      '/robots',
      { q: `Level=project,ProjectID=${String(project.ref.id)}` },
      metaRobotSchema
    );
    return rows.map(toRobot);
  }

  async globalLabels(): Promise<MetaLabel[]> {
    const rows = await this.rest.listAll(
      '/labels',
      { scope: 'g' },
      metaLabelSchema
    );
    return rows.map((l) => toLabel(l, 'g', ''));
  }

  async projectLabels(project: MetaProject): Promise<MetaLabel[]> {
    const rows = await this.rest.listAll(
      '/labels',
      { scope: 'p', project_id: String(project.ref.id) },
      metaLabelSchema
    );
    return rows.map((l) => toLabel(l, 'p', project.name));
  }

  async retention(project: MetaProject): Promise<MetaRetention | null> {
    if (project.ref.retentionId === undefined) return null;
    const res = await this.rest.get(
      `/retentions/${String(project.ref.retentionId)}`,
      [200, 404]
    );
    if (res.status === 404) return null;
    const r = this.rest.parse(res, retentionSchema);
    return {
      algorithm: r.algorithm ?? '',
      rules: (r.rules ?? []).map(canonicalRule),
      trigger: canonicalJson(r.trigger ?? {}),
    };
  }

  async immutableRules(project: MetaProject): Promise<MetaRule[]> {
    const rows = await this.rest.listAll(
      `/projects/${encodeURIComponent(project.name)}/immutabletagrules`,
      {},
      tagRuleSchema,
      { 'x-is-resource-name': 'true' }
    );
    return rows.map(canonicalRule);
  }

  async quotas(): Promise<MetaQuota[]> {
    const rows = await this.rest.listAll(
      '/quotas',
      { reference: 'project' },
      metaQuotaSchema
    );
    return rows
      .filter((q) => q.ref?.name)
      .map((q) => ({
        project: q.ref?.name ?? '',
        storageLimit: q.hard?.storage ?? -1,
      }));
  }

  async webhooks(project: MetaProject): Promise<MetaWebhook[]> {
    const rows = await this.rest.listAll(
      `/projects/${encodeURIComponent(project.name)}/webhook/policies`,
      {},
      metaWebhookSchema,
      { 'x-is-resource-name': 'true' }
    );
    return rows.map((w) => ({
      project: project.name,
      name: w.name,
      enabled: w.enabled ?? false,
      eventTypes: w.event_types ?? [],
      targets: (w.targets ?? []).map((t) => ({
        type: t.type ?? '',
        address: t.address ?? '',
        // Hashed here, at the edge: the header itself goes no further than this line.
        authHeaderSha256:
          t.auth_header && t.auth_header !== ''
            ? sha256Hex(t.auth_header)
            : null,
        skipCertVerify: t.skip_cert_verify ?? false,
        payloadFormat: t.payload_format ?? '',
      })),
    }));
  }

  async projectScanner(project: MetaProject): Promise<string | null> {
    const res = await this.rest.get(
      `/projects/${encodeURIComponent(project.name)}/scanner`,
      [200, 404],
      { 'x-is-resource-name': 'true' }
    );
    if (res.status === 404) return null;
    return this.rest.parse(res, metaScannerSchema).name;
  }

  async scanners(): Promise<MetaScanner[]> {
    const rows = await this.rest.listAll('/scanners', {}, metaScannerSchema);
    return rows.map((s) => ({
      name: s.name,
      url: s.url ?? '',
      auth: s.auth ?? '',
      skipCertVerify: s.skip_certVerify ?? false,
      useInternalAddr: s.use_internal_addr ?? false,
      isDefault: s.is_default ?? false,
      disabled: s.disabled ?? false,
    }));
  }

  async systemCveAllowlist(): Promise<MetaAllowlist> {
    const a = this.rest.parse(
      await this.rest.get('/system/CVEAllowlist'),
      systemAllowlistSchema
    );
    return {
      items: (a.items ?? []).map((i) => i.cve_id),
      expiresAt: a.expires_at ?? null,
    };
  }

  async registries(): Promise<MetaRegistry[]> {
    const rows = await this.rest.listAll('/registries', {}, metaRegistrySchema);
    return rows.map((r) => ({
      name: r.name,
      type: r.type,
      url: r.url.replace(/\/+$/, ''),
      insecure: r.insecure ?? false,
    }));
  }

  async replicationRules(): Promise<MetaReplicationRule[]> {
    const rows = await this.rest.listAll(
      '/replication/policies',
      {},
      replicationPolicySchema
    );
    // The local side is a registry with id 0 (or absent).
    const side = (r: (typeof rows)[number]['src_registry']) =>
      r && (r.id ?? 0) !== 0 ? r : null;
    return rows.map((p) => {
      const src = side(p.src_registry);
      const dest = side(p.dest_registry);
      return {
        name: p.name,
        enabled: p.enabled ?? false,
        srcRegistry: src?.name ?? null,
        destRegistry: dest?.name ?? null,
        srcUrl: src?.url ?? null,
        destUrl: dest?.url ?? null,
        destNamespace: p.dest_namespace ?? '',
        trigger: `${p.trigger?.type ?? 'manual'}${p.trigger?.trigger_settings?.cron ? ` ${p.trigger.trigger_settings.cron}` : ''}`,
        filters: (p.filters ?? [])
          .map(
            (f) =>
              `${f.type}${f.decoration === 'excludes' ? '!' : ''}=${Array.isArray(f.value) ? f.value.join('|') : (f.value ?? '')}`
          )
          .sort()
          .join(' '),
        override: p.override ?? false,
        deletion: p.replicate_deletion ?? p.deletion ?? false,
      };
    });
  }

  async auditLogSummary(): Promise<AuditLogSummary> {
    const res = await this.rest.get(
      `/auditlog-exts?${new URLSearchParams({ page: '1', page_size: '1', sort: '-op_time' }).toString()}`,
      [200, 404]
    );
    // Harbor 2.8-2.12 have no /auditlog-exts (added in 2.13): nothing to compare, not unseen.
    if (res.status === 404) {
      return {
        total: null,
        latest: null,
        notApplicable: AUDIT_LOG_EXTS_ABSENT,
      };
    }
    const rows = this.rest.parse(res, z.array(auditLogExtSchema));
    const total = totalCount(res, this.rest.http.service);
    return { total: total ?? null, latest: rows[0]?.op_time ?? null };
  }

  async health(): Promise<HarborHealth> {
    const h = this.rest.parse(await this.rest.get('/health'), healthSchema);
    return {
      status: h.status,
      components: (h.components ?? []).map((c) => ({
        name: c.name,
        status: c.status,
        ...(c.error ? { error: c.error } : {}),
      })),
    };
  }

  systemInfo(): Promise<HarborSystemInfo> {
    return readSystemInfo(this.rest);
  }

  async storage(): Promise<StorageVolumes> {
    // Sysadmin only, and absent from some deployments: "not shown" is a value, not an error.
    const res = await this.rest.get('/systeminfo/volumes', [200, 403, 404]);
    if (res.status !== 200) return null;
    const v = this.rest.parse(res, volumesSchema);
    return v.storage ?? null;
  }
}

function toRobot(r: z.output<typeof metaRobotSchema>): MetaRobot {
  const permissions: string[] = [];
  for (const p of r.permissions ?? []) {
    for (const a of p.access ?? []) {
      const effect = a.effect && a.effect !== 'allow' ? `:${a.effect}` : '';
      permissions.push(
        `${p.kind}:${p.namespace}:${a.resource}:${a.action}${effect}`
      );
    }
  }
  return {
    name: r.name,
    level: r.level,
    disabled: r.disable ?? false,
    expiresAt: r.expires_at ?? -1,
    permissions: [...new Set(permissions)].sort(),
  };
}

function toLabel(
  l: z.output<typeof metaLabelSchema>,
  scope: 'g' | 'p',
  project: string
): MetaLabel {
  return {
    scope,
    project,
    name: l.name,
    description: l.description ?? '',
    color: l.color ?? '',
  };
}

/** A rule without its instance-specific id, as canonical JSON (for multiset comparison). */
function canonicalRule(rule: z.output<typeof tagRuleSchema>): MetaRule {
  return canonicalJson({ ...rule, id: undefined });
}

/** JSON with sorted keys, so that equal values compare equal as strings. */
function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])])
      );
    }
    return v;
  };
  // JSON.stringify drops undefined members (the rule id above) and answers undefined for
  // undefined itself, which the types do not say.
  const text = JSON.stringify(sort(value)) as string | undefined;
  return text ?? 'null';
}

/** Role names by Harbor's role id (for responses that omit `role_name`). */
function roleName(roleId: number): string {
  const names: Record<number, string> = {
    1: 'projectAdmin',
    2: 'developer',
    3: 'guest',
    4: 'maintainer',
    5: 'limitedGuest',
  };
  return names[roleId] ?? `role-${String(roleId)}`;
}

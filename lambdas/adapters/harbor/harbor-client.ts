import { UpstreamSchemaError } from '../../core/errors';
import type {
  Accessory,
  HarborArtifact,
  HarborProject,
  PolicyFilter,
  RegistryEndpoint,
  ReplicationPolicy,
} from '../../core/model';
import type { HarborApi, HarborIdentity } from '../../core/ports';
import type { MemoryBudget } from '../http/budget';
import type { HttpClient } from '../http/pool';
import { intern, orNone } from '../registry/intern';
import type { Credentials } from '../secrets/credentials';
import { HarborRest } from './harbor-rest';
import { readSystemInfo } from './metadata-client';
import {
  accessorySchema,
  artifactSchema,
  projectSchema,
  registrySchema,
  replicationPolicySchema,
  repositorySchema,
  userRespSchema,
} from './schemas';
import type {
  HarborAccessoryResp,
  HarborArtifactResp,
  HarborProjectResp,
  HarborRegistry,
  HarborReplicationPolicy,
} from './schemas';

/** Options of a Harbor API client. */
export interface HarborClientOptions {
  /** The client of the Harbor's origin (see createHttpClient). */
  http: HttpClient;
  /** The Harbor's URL as configured; a path prefix (behind a proxy) is kept. */
  baseUrl: string;
  /** Anonymous when absent. */
  credentials?: Credentials;
  /** Harbor rejects more than 100 (swagger maximum). @default 100 */
  pageSize?: number;
  /** The run's budget for listings in flight. */
  budget?: MemoryBudget;
  /**
   * Also list the accessories of index children and of accessories (one call each), as
   * Harbor's replication does; the artifact list only embeds each artifact's own.
   * @default true
   */
  deepAccessories?: boolean;
}

/** Harbor's `{project}/{rest}` split of a full repository name. */
export function splitRepository(repository: string): {
  project: string;
  rest: string;
} {
  const i = repository.indexOf('/');
  if (i <= 0 || i === repository.length - 1) {
    throw new RangeError(
      `"${repository}" is not a full repository name (project/name)`
    );
  }
  return { project: repository.slice(0, i), rest: repository.slice(i + 1) };
}

/**
 * The path of a repository's artifacts. The part after the project is encoded twice
 * (`a/b` → `a%252Fb`), as Harbor's swagger and its own client do.
 */
export function artifactsPath(repository: string): string {
  const { project, rest } = splitRepository(repository);
  return `/projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(encodeURIComponent(rest))}/artifacts`;
}

function toEndpoint(r: HarborRegistry): RegistryEndpoint {
  return {
    id: r.id ?? 0,
    name: r.name,
    type: r.type,
    url: r.url.replace(/\/+$/, ''),
    insecure: r.insecure ?? false,
  };
}

function toPolicy(p: HarborReplicationPolicy): ReplicationPolicy {
  const side = (
    r: HarborRegistry | null | undefined
  ): RegistryEndpoint | null => (r && (r.id ?? 0) !== 0 ? toEndpoint(r) : null);
  const cron = p.trigger?.trigger_settings?.cron ?? '';
  const filters: PolicyFilter[] = (p.filters ?? []).map((f) => ({
    type: f.type,
    value: f.value ?? '',
    decoration: f.decoration === 'excludes' ? 'excludes' : 'matches',
  }));
  return {
    id: p.id,
    name: p.name,
    enabled: p.enabled ?? false,
    srcRegistry: side(p.src_registry),
    destRegistry: side(p.dest_registry),
    destNamespace: p.dest_namespace ?? '',
    // Omitted by older Harbors and on policies created without it: the API default is -1.
    destNamespaceReplaceCount: p.dest_namespace_replace_count ?? -1,
    trigger: {
      type: p.trigger?.type ?? 'manual',
      ...(cron !== '' ? { cron } : {}),
    },
    filters,
    override: p.override ?? false,
    // Responses carry both; `deletion` is the deprecated twin that Harbor's handler reads.
    deletion: p.replicate_deletion ?? p.deletion ?? false,
    singleActiveReplication: p.single_active_replication ?? false,
    ...(p.creation_time ? { creationTime: p.creation_time } : {}),
    ...(p.update_time ? { updateTime: p.update_time } : {}),
  };
}

function toProject(p: HarborProjectResp): HarborProject {
  return {
    id: p.project_id,
    name: p.name,
    registryId: p.registry_id ?? 0,
    public: p.metadata?.public === 'true',
  };
}

function toAccessory(
  acc: HarborAccessoryResp,
  fallbackSubject: string
): Accessory {
  return {
    digest: acc.digest,
    type: intern(acc.type),
    // An empty string is as good as absent here.
    subjectDigest:
      acc.subject_artifact_digest === '' || acc.subject_artifact_digest == null
        ? fallbackSubject
        : acc.subject_artifact_digest,
    ...(acc.creation_time ? { pushTime: acc.creation_time } : {}),
  };
}

/**
 * The artifact as the audit holds it: repeated values (media type, type, labels) interned,
 * a tag pushed with its artifact shares the artifact's time string, empty lists shared.
 */
function toArtifact(repository: string, a: HarborArtifactResp): HarborArtifact {
  return {
    repository,
    digest: a.digest,
    manifestMediaType: intern(a.manifest_media_type ?? a.media_type ?? ''),
    type: intern(a.type),
    ...(a.push_time ? { pushTime: a.push_time } : {}),
    tags: orNone(
      (a.tags ?? []).map((t) => ({
        name: t.name,
        ...(t.push_time
          ? {
              pushTime: t.push_time === a.push_time ? a.push_time : t.push_time,
            }
          : {}),
      }))
    ),
    labels: orNone((a.labels ?? []).map((l) => intern(l.name))),
    childDigests: orNone([
      ...new Set((a.references ?? []).map((r) => r.child_digest)),
    ]),
    accessories: orNone(
      (a.accessories ?? []).map((acc) => toAccessory(acc, a.digest))
    ),
  };
}

/**
 * A listed artifact, validated and made compact as its page is parsed: a listing holds only
 * the compact records across its pages, and each page's parsed rows die young (100,000
 * artifacts parse ~80 MB of JSON). The repository is set by the caller.
 */
const compactArtifactSchema = artifactSchema.transform((a) =>
  toArtifact('', a)
);

/**
 * The read side of a Harbor's API v2.0 (HarborApi). Lists follow X-Total-Count and Link to
 * the end and throw rather than return a partial answer. Sends Basic credentials on every
 * call and never a cookie (a `sid` cookie would switch Harbor's CSRF check on). A keyed
 * listing (`listAll`'s `key`) holds each key once: no second de-duplication here.
 */
export class HarborClient implements HarborApi {
  private readonly rest: HarborRest;
  private readonly deepAccessories: boolean;

  constructor(opts: HarborClientOptions) {
    this.rest = new HarborRest(opts);
    this.deepAccessories = opts.deepAccessories ?? true;
  }

  async whoAmI(): Promise<HarborIdentity> {
    const res = await this.rest.get('/users/current', [200, 401, 412]);
    if (res.status === 401) return { kind: 'anonymous' };
    // Robots are not users: Harbor answers 412 "not available for security context".
    if (res.status === 412) return { kind: 'robot' };
    const user = this.rest.parse(res, userRespSchema);
    return {
      kind: 'user',
      username: user.username,
      sysadmin: user.sysadmin_flag ?? false,
    };
  }

  async harborVersion(): Promise<string | null> {
    return (await readSystemInfo(this.rest)).version;
  }

  async listPolicies(): Promise<ReplicationPolicy[]> {
    const rows = await this.rest.listAll(
      '/replication/policies',
      { sort: 'id' },
      replicationPolicySchema,
      {},
      { key: (p) => String(p.id) }
    );
    return rows.map(toPolicy);
  }

  async listRegistries(): Promise<RegistryEndpoint[]> {
    const rows = await this.rest.listAll(
      '/registries',
      { sort: 'id' },
      registrySchema,
      {},
      { key: (r) => String(r.id) }
    );
    return rows.map(toEndpoint);
  }

  async listProjects(): Promise<HarborProject[]> {
    const rows = await this.rest.listAll(
      '/projects',
      { sort: 'name' },
      projectSchema,
      {},
      { key: (p) => p.name }
    );
    return rows.map(toProject);
  }

  /**
   * One project by name; null when it does not exist or the identity cannot see it. Harbor
   * checks permissions before existence, so a missing project answers 403, not 404: a 403
   * is settled by the exact-name list (empty = absent or invisible). 401 throws AuthError.
   */
  async getProject(name: string): Promise<HarborProject | null> {
    const res = await this.rest.get(
      `/projects/${encodeURIComponent(name)}`,
      [200, 403, 404],
      {
        'x-is-resource-name': 'true',
      }
    );
    if (res.status === 404) return null;
    if (res.status === 200) {
      return toProject(this.rest.parse(res, projectSchema));
    }
    const rows = await this.rest.listAll('/projects', { name }, projectSchema);
    const match = rows.find((p) => p.name === name);
    return match ? toProject(match) : null;
  }

  async listRepositories(project: string): Promise<string[]> {
    const rows = await this.rest.listAll(
      `/projects/${encodeURIComponent(project)}/repositories`,
      { sort: 'repository_id' },
      repositorySchema,
      {},
      { key: (r) => r.name }
    );
    const names = rows.map((r) => r.name);
    const foreign = names.find((n) => !n.startsWith(`${project}/`));
    if (foreign !== undefined) {
      throw new UpstreamSchemaError({
        service: this.rest.http.service,
        method: 'GET',
        path: `${this.rest.prefix}/projects/${encodeURIComponent(project)}/repositories`,
        problems: [
          `name: a repository outside project "${project}" was listed`,
        ],
      });
    }
    return names;
  }

  async listArtifacts(repository: string): Promise<HarborArtifact[]> {
    const rows = await this.rest.listAll(
      artifactsPath(repository),
      {
        with_tag: 'true',
        with_label: 'true',
        with_accessory: 'true',
        // Ascending ids are stable while pushes happen (the default order is newest first).
        sort: 'id',
      },
      compactArtifactSchema,
      {},
      { key: (a) => a.digest }
    );
    // listAll gives each digest once (its key): a repeat is read again or thrown.
    const artifacts = rows;
    for (const artifact of artifacts) artifact.repository = repository;
    if (!this.deepAccessories) return artifacts;
    for (const artifact of artifacts) {
      artifact.accessories = await this.reachableAccessories(artifact);
    }
    return artifacts;
  }

  /**
   * The accessories of an artifact, of its index children, and of those accessories in
   * turn (a signature of an SBOM), each once.
   */
  private async reachableAccessories(
    artifact: HarborArtifact
  ): Promise<Accessory[]> {
    const found = new Map(artifact.accessories.map((a) => [a.digest, a]));
    const queue = [...artifact.childDigests, ...found.keys()];
    const expanded = new Set<string>([artifact.digest]);
    for (
      let subject = queue.shift();
      subject !== undefined;
      subject = queue.shift()
    ) {
      if (expanded.has(subject)) continue;
      expanded.add(subject);
      const rows = await this.rest.listAll(
        `${artifactsPath(artifact.repository)}/${encodeURIComponent(subject)}/accessories`,
        {},
        accessorySchema
      );
      for (const row of rows) {
        if (found.has(row.digest)) continue;
        found.set(row.digest, toAccessory(row, subject));
        queue.push(row.digest);
      }
    }
    const accessories = [...found.values()];
    for (const acc of accessories) {
      Object.assign(
        acc,
        await this.accessoryDetails(artifact.repository, acc.digest)
      );
    }
    return accessories;
  }

  /**
   * An accessory's own tags and media type, which Harbor's Accessory payload lacks.
   * Replication copies an accessory under its own tags (a cosign `sha256-<hex>.sig`), so the
   * expected and observed sets need them.
   */
  private async accessoryDetails(
    repository: string,
    digest: string
  ): Promise<Pick<Accessory, 'tags' | 'manifestMediaType'>> {
    const res = await this.rest.get(
      `${artifactsPath(repository)}/${encodeURIComponent(digest)}?with_tag=true`
    );
    const row = this.rest.parse(res, artifactSchema);
    const mediaType = row.manifest_media_type ?? row.media_type;
    return {
      tags: (row.tags ?? []).map((t) => t.name),
      ...(mediaType ? { manifestMediaType: intern(mediaType) } : {}),
    };
  }
}

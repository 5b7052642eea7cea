import type { Principal } from '../auth/principal';
import { roleOf } from '../auth/rbac';
import type { HarborRuntime } from '../runtime';
import type {
  ArtifactRec,
  ExecutionRec,
  LabelRec,
  PlatformRec,
  PolicyRec,
  ProjectRec,
  RegistryRec,
  RepoRec,
  RobotRec,
  TagRec,
  TaskRec,
  UserRec,
} from '../state/types';

const iso = (d: Date | undefined): string | undefined => d?.toISOString();
// Harbor renders a zero time for never-pulled artifacts.
const ZERO_TIME = '0001-01-01T00:00:00.000Z';

/** Project JSON (swagger Project). */
export function renderProject(
  rt: HarborRuntime,
  p: ProjectRec,
  who: Principal
): Record<string, unknown> {
  const owner = rt.state.users.get(p.ownerId);
  const repoCount = rt.state.repoCount(p.id);
  const role =
    who.kind === 'user' ? roleOf(rt.state, who.user.id, p.id) : undefined;
  return {
    project_id: p.id,
    owner_id: p.ownerId,
    name: p.name,
    registry_id: p.registryId,
    creation_time: iso(p.creationTime),
    update_time: iso(p.updateTime),
    deleted: false,
    owner_name: owner?.username ?? '',
    togglable: true,
    current_user_role_id: role ?? 0,
    current_user_role_ids: role === undefined ? null : [role],
    repo_count: repoCount,
    metadata: { ...p.metadata },
    cve_allowlist: renderAllowlist(p.cveAllowlist, p.id, p.creationTime),
  };
}

/** CVEAllowlist JSON. */
export function renderAllowlist(
  a: { id?: number; items: { cve_id: string }[]; expires_at?: number | null },
  projectId: number,
  at: Date
): Record<string, unknown> {
  return {
    id: a.id ?? 0,
    project_id: projectId,
    ...(a.expires_at !== undefined ? { expires_at: a.expires_at } : {}),
    items: a.items.map((i) => ({ cve_id: i.cve_id })),
    creation_time: iso(at),
    update_time: iso(at),
  };
}

/** Repository JSON. */
export function renderRepo(
  rt: HarborRuntime,
  r: RepoRec
): Record<string, unknown> {
  const count = rt.state
    .artifactsOf(r.id)
    .filter(
      (a) =>
        !a.accessory &&
        (rt.state.tagCount(a.id) > 0 || !rt.state.isReferenced(a))
    ).length;
  return {
    id: r.id,
    project_id: r.projectId,
    name: r.name,
    description: r.description,
    artifact_count: count,
    pull_count: r.pullCount,
    creation_time: iso(r.creationTime),
    update_time: iso(r.updateTime),
  };
}

/** Tag JSON. */
export function renderTag(
  t: TagRec,
  withImmutable = false,
  immutable = false
): Record<string, unknown> {
  return {
    id: t.id,
    repository_id: t.repoId,
    artifact_id: t.artifactId,
    name: t.name,
    push_time: iso(t.pushTime),
    pull_time: iso(t.pullTime) ?? ZERO_TIME,
    immutable: withImmutable ? immutable : false,
  };
}

/** Label JSON. */
export function renderLabel(l: LabelRec): Record<string, unknown> {
  return {
    id: l.id,
    name: l.name,
    description: l.description,
    color: l.color,
    scope: l.scope,
    project_id: l.projectId,
    creation_time: iso(l.creationTime),
    update_time: iso(l.updateTime),
  };
}

/** Accessory JSON. */
export function renderAccessory(
  rt: HarborRuntime,
  acc: ArtifactRec,
  subject: ArtifactRec
): Record<string, unknown> {
  const repo = rt.state.repos.get(acc.repoId);
  return {
    id: acc.accessory?.id ?? 0,
    artifact_id: acc.id,
    subject_artifact_id: subject.id,
    subject_artifact_digest: subject.digest,
    subject_artifact_repo: repo?.name ?? '',
    size: acc.size,
    digest: acc.digest,
    type: acc.accessory?.type ?? 'subject.accessory',
    icon: '',
    creation_time: iso(acc.accessory?.creationTime),
  };
}

/** Options of artifact rendering (the with_* query flags). */
export interface ArtifactRenderOptions {
  withTag: boolean;
  withLabel: boolean;
  withAccessory: boolean;
  withImmutableStatus: boolean;
}

/** Artifact JSON. */
export function renderArtifact(
  rt: HarborRuntime,
  a: ArtifactRec,
  o: ArtifactRenderOptions
): Record<string, unknown> {
  const repo = rt.state.repos.get(a.repoId);
  const out: Record<string, unknown> = {
    id: a.id,
    type: a.type,
    media_type: a.mediaType,
    manifest_media_type: a.manifestMediaType,
    artifact_type: a.artifactType,
    project_id: repo?.projectId ?? 0,
    repository_id: a.repoId,
    repository_name: repo?.name ?? '',
    digest: a.digest,
    size: a.size,
    icon: '',
    push_time: iso(a.pushTime),
    pull_time: iso(a.pullTime) ?? ZERO_TIME,
    extra_attrs: {},
    annotations: { ...a.annotations },
    references:
      a.references.length === 0
        ? null
        : a.references.map((r) => {
            const child = rt.state.artifactByDigest(a.repoId, r.childDigest);
            return {
              parent_id: a.id,
              child_id: child?.id ?? 0,
              child_digest: r.childDigest,
              ...(r.platform ? { platform: renderPlatform(r.platform) } : {}),
              ...(r.annotations ? { annotations: r.annotations } : {}),
              ...(r.urls ? { urls: r.urls } : {}),
            };
          }),
    addition_links: {},
  };
  if (o.withTag) {
    const tags = rt.state.tagsOf(a.id);
    out.tags =
      tags.length === 0
        ? null
        : tags.map((t) => renderTag(t, o.withImmutableStatus));
  }
  if (o.withLabel) {
    const labels = [...a.labelIds]
      .map((id) => rt.state.labels.get(id))
      .filter((l) => l !== undefined);
    out.labels = labels.length === 0 ? null : labels.map(renderLabel);
  }
  if (o.withAccessory) {
    const accs = rt.state.accessoriesOf(a);
    out.accessories =
      accs.length === 0 ? null : accs.map((x) => renderAccessory(rt, x, a));
  }
  return out;
}

// Harbor's swagger names these two Platform fields with literal quotes ('os.version').
function renderPlatform(p: PlatformRec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    out[k === 'os.version' || k === 'os.features' ? `'${k}'` : k] = v;
  }
  return out;
}

/** UserResp JSON (never the password). */
export function renderUser(u: UserRec): Record<string, unknown> {
  return {
    user_id: u.id,
    username: u.username,
    email: u.email,
    realname: u.realname,
    comment: u.comment,
    sysadmin_flag: u.sysadmin,
    admin_role_in_auth: false,
    creation_time: iso(u.creationTime),
    update_time: iso(u.updateTime),
  };
}

/** Robot JSON (the secret is never returned on GET). */
export function renderRobot(r: RobotRec): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    level: r.level,
    duration: r.duration,
    editable: true,
    disable: r.disable,
    expires_at: r.expiresAt,
    permissions: r.permissions.map((p) => ({
      kind: p.kind,
      namespace: p.namespace,
      access: p.access.map((a) => ({
        resource: a.resource,
        action: a.action,
        effect: a.effect ?? 'allow',
      })),
    })),
    creator_type: 'local',
    creator_ref: 1,
    creation_time: iso(r.creationTime),
    update_time: iso(r.updateTime),
  };
}

/** The synthetic local registry of push-mode policies. */
export function localRegistry(rt: HarborRuntime): Record<string, unknown> {
  return {
    id: 0,
    name: 'Local',
    type: 'harbor',
    url: 'http://core:8080',
    insecure: true,
    credential: { type: 'secret', access_key: '', access_secret: '*****' },
    status: 'healthy',
    creation_time: '0001-01-01T00:00:00.000Z',
    update_time: '0001-01-01T00:00:00.000Z',
    description: `local Harbor ${rt.name}`,
  };
}

/** Registry JSON with Harbor's masked secret. */
export function renderRegistry(r: RegistryRec): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    type: r.type,
    url: r.url,
    credential: {
      type: r.credential.type,
      access_key: r.credential.access_key,
      access_secret: r.credential.access_secret === '' ? '' : '*****',
    },
    insecure: r.insecure,
    status: r.status,
    creation_time: iso(r.creationTime),
    update_time: iso(r.updateTime),
  };
}

/** ReplicationPolicy JSON (both `deletion` and `replicate_deletion`). */
export function renderPolicy(
  rt: HarborRuntime,
  p: PolicyRec
): Record<string, unknown> {
  const reg = (id: number) => {
    if (id === 0) return localRegistry(rt);
    const r = rt.state.registries.get(id);
    return r ? renderRegistry(r) : null;
  };
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    src_registry: reg(p.srcRegistryId),
    dest_registry: reg(p.destRegistryId),
    dest_namespace: p.destNamespace,
    dest_namespace_replace_count: p.destNamespaceReplaceCount,
    trigger: p.trigger,
    filters: p.filters.length === 0 ? null : p.filters,
    replicate_deletion: p.deletion,
    deletion: p.deletion,
    override: p.override,
    enabled: p.enabled,
    speed: p.speed,
    copy_by_chunk: p.copyByChunk,
    single_active_replication: p.singleActiveReplication,
    creation_time: iso(p.creationTime),
    update_time: iso(p.updateTime),
  };
}

const EXEC_STATUS: Record<ExecutionRec['status'], string> = {
  Running: 'InProgress',
  Success: 'Succeed',
  Error: 'Failed',
  Stopped: 'Stopped',
};
const TASK_STATUS: Record<TaskRec['status'], string> = {
  Pending: 'Pending',
  Scheduled: 'InProgress',
  Running: 'InProgress',
  Success: 'Succeed',
  Error: 'Failed',
  Stopped: 'Stopped',
};

/** Execution status as the API spells it. */
export function apiExecutionStatus(s: ExecutionRec['status']): string {
  return EXEC_STATUS[s];
}

/** Task status as the API spells it. */
export function apiTaskStatus(s: TaskRec['status']): string {
  return TASK_STATUS[s];
}

/** ReplicationExecution JSON with task counts. */
export function renderExecution(
  rt: HarborRuntime,
  e: ExecutionRec
): Record<string, unknown> {
  const tasks = [...rt.state.tasks.values()].filter(
    (t) => t.executionId === e.id
  );
  const count = (...s: TaskRec['status'][]) =>
    tasks.filter((t) => s.includes(t.status)).length;
  return {
    id: e.id,
    policy_id: e.policyId,
    status: EXEC_STATUS[e.status],
    trigger: e.trigger,
    start_time: iso(e.startTime),
    end_time: iso(e.endTime),
    status_text: e.statusText,
    total: tasks.length,
    failed: count('Error'),
    succeed: count('Success'),
    in_progress: count('Pending', 'Scheduled', 'Running'),
    stopped: count('Stopped'),
  };
}

/** ReplicationTask JSON. */
export function renderTask(t: TaskRec): Record<string, unknown> {
  return {
    id: t.id,
    execution_id: t.executionId,
    status: TASK_STATUS[t.status],
    job_id: t.jobId,
    operation: t.operation,
    resource_type: t.resourceType,
    src_resource: t.srcResource,
    dst_resource: t.dstResource,
    start_time: iso(t.startTime),
    end_time: iso(t.endTime),
  };
}

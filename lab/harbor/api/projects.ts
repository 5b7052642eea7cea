import { principalName } from '../auth/principal';
import { can, canSeeProject, isAuthenticated } from '../auth/rbac';
import {
  HarborError,
  badRequest,
  conflict,
  notFound,
  permissionError,
} from '../http/harbor-error';
import type { Router } from '../http/router';
import type { HarborRuntime } from '../runtime';
import type { ProjectRec } from '../state/types';
import {
  created,
  field,
  listReply,
  objectBody,
  projectParam,
  requireProject,
} from './common';
import { renderProject } from './render';

const PROJECT_NAME_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

function stringMetadata(
  raw: Record<string, unknown> | undefined
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** Registers /projects and /projects/{p}[/summary|/metadatas|/members]. */
export function registerProjects(r: Router, rt: HarborRuntime): void {
  const s = rt.state;

  r.get('/projects', (ctx) => {
    const q = ctx.url.searchParams;
    let rows = [...s.projects.values()].filter((p) =>
      canSeeProject(s, ctx.principal, p)
    );
    const name = q.get('name');
    if (name !== null && name !== '')
      rows = rows.filter((p) => p.name === name);
    const pub = q.get('public');
    if (pub !== null && pub !== '')
      rows = rows.filter((p) => p.metadata.public === String(pub === 'true'));
    const owner = q.get('owner');
    if (owner !== null && owner !== '')
      rows = rows.filter((p) => s.users.get(p.ownerId)?.username === owner);
    return listReply(
      ctx,
      rows,
      {
        name: (p) => p.name,
        project_id: (p) => p.id,
        id: (p) => p.id,
        creation_time: (p) => p.creationTime,
        update_time: (p) => p.updateTime,
        owner_id: (p) => p.ownerId,
        registry_id: (p) => p.registryId,
      },
      'name',
      (p) => renderProject(rt, p, ctx.principal),
      {
        public: (p, t) => t.kind === 'exact' && p.metadata.public === t.value,
        owner: (p, t) =>
          t.kind === 'exact' && s.users.get(p.ownerId)?.username === t.value,
      }
    );
  });

  r.add('HEAD', '/projects', (ctx) => {
    const name = ctx.url.searchParams.get('project_name') ?? '';
    if (!s.projectByName(name)) throw notFound(`project ${name} not found`);
    return { status: 200 };
  });

  r.post('/projects', async (ctx) => {
    if (!isAuthenticated(ctx.principal)) throw permissionError(false);
    const restriction = String(
      s.config.get('project_creation_restriction')?.value ?? 'everyone'
    );
    const isAdmin =
      ctx.principal.kind === 'user' && ctx.principal.user.sysadmin;
    if (
      ctx.principal.kind === 'robot' &&
      !can(s, ctx.principal, 'system', 'project', 'create')
    ) {
      throw permissionError(true);
    }
    if (
      restriction === 'adminonly' &&
      !isAdmin &&
      ctx.principal.kind !== 'robot'
    )
      throw permissionError(true);
    const body = await objectBody(ctx);
    const name = field(body, 'project_name', 'string') ?? '';
    if (!PROJECT_NAME_RE.test(name) || name.length > 255) {
      throw badRequest(
        `project name is not in lower case or contains illegal characters`
      );
    }
    if (s.projectByName(name))
      throw conflict(`The project named ${name} already exists`);
    const metadata = stringMetadata(field(body, 'metadata', 'object'));
    const pub = field(body, 'public', 'boolean');
    if (pub !== undefined && metadata.public === undefined)
      metadata.public = String(pub);
    const registryId = field(body, 'registry_id', 'number') ?? 0;
    if (registryId > 0 && !s.registries.has(registryId))
      throw badRequest(`registry ${registryId} not found`);
    const allow = field(body, 'cve_allowlist', 'object');
    const ownerId = ctx.principal.kind === 'user' ? ctx.principal.user.id : 1;
    const p = s.createProject(
      {
        name,
        metadata,
        registryId,
        storageLimit: field(body, 'storage_limit', 'number') ?? -1,
        ...(allow
          ? {
              cveAllowlist: {
                id: s.next('cve'),
                items: (allow.items as { cve_id: string }[] | undefined) ?? [],
              },
            }
          : {}),
      },
      ownerId
    );
    s.audit({
      projectId: p.id,
      username: principalName(ctx.principal),
      resource: name,
      resourceType: 'project',
      operation: 'create',
      operationDescription: `create project ${name}`,
    });
    return created(`/api/v2.0/projects/${p.id}`);
  });

  r.get('/projects/:project', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'project', 'read');
    return { status: 200, body: renderProject(rt, p, ctx.principal) };
  });

  r.put('/projects/:project', async (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'project', 'update');
    const body = await objectBody(ctx);
    const md = field(body, 'metadata', 'object');
    if (md) Object.assign(p.metadata, stringMetadata(md));
    const allow = field(body, 'cve_allowlist', 'object');
    if (allow) {
      p.cveAllowlist = {
        id: p.cveAllowlist.id,
        items: (allow.items as { cve_id: string }[] | undefined) ?? [],
        expires_at: (allow.expires_at as number | null | undefined) ?? null,
      };
    }
    p.updateTime = rt.clock.now();
    return { status: 200 };
  });

  r.delete('/projects/:project', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'project', 'delete');
    if (s.reposOf(p.id).some((x) => s.artifactsOf(x.id).length > 0)) {
      throw new HarborError(
        412,
        'PRECONDITION',
        `the project ${p.name} contains repositories, can not be deleted`
      );
    }
    for (const repo of s.reposOf(p.id)) s.repos.delete(repo.id);
    for (const m of [...s.members.values()])
      if (m.projectId === p.id) s.members.delete(m.id);
    s.projects.delete(p.id);
    s.audit({
      projectId: p.id,
      username: principalName(ctx.principal),
      resource: p.name,
      resourceType: 'project',
      operation: 'delete',
      operationDescription: `delete project ${p.name}`,
    });
    return { status: 200 };
  });

  r.get('/projects/:project/summary', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'project', 'read');
    const members = [...s.members.values()].filter((m) => m.projectId === p.id);
    const countRole = (role: number) =>
      members.filter((m) => m.roleId === role).length;
    return {
      status: 200,
      body: {
        repo_count: s.repoCount(p.id),
        project_admin_count: countRole(1),
        maintainer_count: countRole(4),
        developer_count: countRole(2),
        guest_count: countRole(3),
        limited_guest_count: countRole(5),
        quota: {
          hard: { storage: p.storageLimit },
          used: { storage: projectUsage(rt, p) },
        },
      },
    };
  });

  r.get('/projects/:project/metadatas', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'metadata', 'read');
    return { status: 200, body: { ...p.metadata } };
  });
  r.post('/projects/:project/metadatas', async (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'metadata', 'create');
    Object.assign(p.metadata, stringMetadata(await objectBody(ctx)));
    return { status: 200 };
  });
  r.get('/projects/:project/metadatas/:meta', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'metadata', 'read');
    const key = ctx.params.meta ?? '';
    const v = p.metadata[key];
    if (v === undefined) throw notFound(`metadata ${key} not found`);
    return { status: 200, body: { [key]: v } };
  });
  r.put('/projects/:project/metadatas/:meta', async (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'metadata', 'update');
    Object.assign(p.metadata, stringMetadata(await objectBody(ctx)));
    return { status: 200 };
  });
  r.delete('/projects/:project/metadatas/:meta', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'metadata', 'delete');
    p.metadata = Object.fromEntries(
      Object.entries(p.metadata).filter(([k]) => k !== ctx.params.meta)
    );
    return { status: 200 };
  });

  registerMembers(r, rt);
}

/** Bytes stored by a project's artifacts (quota `used`). */
export function projectUsage(rt: HarborRuntime, p: ProjectRec): number {
  let used = 0;
  for (const repo of rt.state.reposOf(p.id)) {
    for (const a of rt.state.artifactsOf(repo.id))
      if (!rt.state.isReferenced(a)) used += a.size;
  }
  return used;
}

const ROLE_NAMES: Record<number, string> = {
  1: 'projectAdmin',
  2: 'developer',
  3: 'guest',
  4: 'maintainer',
  5: 'limitedGuest',
};

function registerMembers(r: Router, rt: HarborRuntime): void {
  const s = rt.state;
  const render = (m: {
    id: number;
    projectId: number;
    entityName: string;
    roleId: number;
    entityId: number;
    entityType: string;
  }) => ({
    id: m.id,
    project_id: m.projectId,
    entity_name: m.entityName,
    role_name: ROLE_NAMES[m.roleId] ?? '',
    role_id: m.roleId,
    entity_id: m.entityId,
    entity_type: m.entityType,
  });
  r.get('/projects/:project/members', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'member', 'list');
    const en = ctx.url.searchParams.get('entityname');
    const rows = [...s.members.values()].filter(
      (m) =>
        m.projectId === p.id &&
        (en === null || en === '' || m.entityName.includes(en))
    );
    return listReply(
      ctx,
      rows,
      { id: (m) => m.id, entity_name: (m) => m.entityName },
      'id',
      render
    );
  });
  r.post('/projects/:project/members', async (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'member', 'create');
    const body = await objectBody(ctx);
    const roleId = field(body, 'role_id', 'number') ?? 0;
    if (!(roleId in ROLE_NAMES)) throw badRequest(`invalid role id ${roleId}`);
    const mu = field(body, 'member_user', 'object');
    const mg = field(body, 'member_group', 'object');
    let entity: { type: 'u' | 'g'; id: number; name: string } | undefined;
    if (mu) {
      const u = [...s.users.values()].find(
        (x) => x.username === mu.username || x.id === mu.user_id
      );
      if (!u)
        throw notFound(`user ${String(mu.username ?? mu.user_id)} not found`);
      entity = { type: 'u', id: u.id, name: u.username };
    } else if (mg) {
      const g = [...s.groups.values()].find(
        (x) => x.id === mg.id || x.groupName === mg.group_name
      );
      if (!g) throw notFound('user group not found');
      entity = { type: 'g', id: g.id, name: g.groupName };
    }
    if (!entity) throw badRequest('member_user or member_group is required');
    const e = entity;
    if (
      [...s.members.values()].some(
        (m) =>
          m.projectId === p.id && m.entityType === e.type && m.entityId === e.id
      )
    ) {
      throw conflict(
        `the member ${e.name} already exists in project ${p.name}`
      );
    }
    const id = s.next('member');
    s.members.set(id, {
      id,
      projectId: p.id,
      entityType: e.type,
      entityId: e.id,
      entityName: e.name,
      roleId,
    });
    return created(`/api/v2.0/projects/${p.id}/members/${id}`);
  });
  const member = (ctxP: number, mid: string) => {
    const m = s.members.get(Number(mid));
    if (m?.projectId !== ctxP) throw notFound(`member ${mid} not found`);
    return m;
  };
  r.get('/projects/:project/members/:mid', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'member', 'read');
    return { status: 200, body: render(member(p.id, ctx.params.mid ?? '')) };
  });
  r.put('/projects/:project/members/:mid', async (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'member', 'update');
    const m = member(p.id, ctx.params.mid ?? '');
    const roleId =
      field(await objectBody(ctx), 'role_id', 'number') ?? m.roleId;
    if (!(roleId in ROLE_NAMES)) throw badRequest(`invalid role id ${roleId}`);
    m.roleId = roleId;
    return { status: 200 };
  });
  r.delete('/projects/:project/members/:mid', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'member', 'delete');
    s.members.delete(member(p.id, ctx.params.mid ?? '').id);
    return { status: 200 };
  });
}

import { canSeeProject } from '../auth/rbac';
import {
  HarborError,
  badRequest,
  conflict,
  notFound,
} from '../http/harbor-error';
import { matchField, type FieldMap, type QTerm } from '../http/q';
import type { Ctx, Router } from '../http/router';
import type { HarborRuntime } from '../runtime';
import type { ArtifactRec, ProjectRec, RepoRec } from '../state/types';
import {
  created,
  field,
  flag,
  listReply,
  objectBody,
  projectParam,
  repoParam,
  requireProject,
} from './common';
import {
  renderAccessory,
  renderArtifact,
  renderLabel,
  renderRepo,
  renderTag,
} from './render';

const REPO_FIELDS: FieldMap<RepoRec> = {
  id: (r) => r.id,
  repository_id: (r) => r.id,
  name: (r) => r.name,
  project_id: (r) => r.projectId,
  creation_time: (r) => r.creationTime,
  update_time: (r) => r.updateTime,
  pull_count: (r) => r.pullCount,
};

/** Registers repositories, artifacts, tags, accessories and labels. */
export function registerArtifacts(r: Router, rt: HarborRuntime): void {
  const s = rt.state;

  r.get('/repositories', (ctx) => {
    const visible = [...s.repos.values()].filter((x) => {
      const p = s.projects.get(x.projectId);
      return p !== undefined && canSeeProject(s, ctx.principal, p);
    });
    return listReply(
      ctx,
      visible,
      REPO_FIELDS,
      '-creation_time,-repository_id',
      (x) => renderRepo(rt, x)
    );
  });

  const projectByNameParam = (ctx: Ctx): ProjectRec => {
    const p = s.projectByName(ctx.params.project ?? '');
    if (!p) throw notFound(`project ${ctx.params.project ?? ''} not found`);
    return p;
  };

  r.get('/projects/:project/repositories', (ctx) => {
    const p = projectByNameParam(ctx);
    requireProject(rt, ctx, p, 'repository', 'list');
    const rows = s.reposOf(p.id);
    return listReply(
      ctx,
      rows,
      REPO_FIELDS,
      '-creation_time,-repository_id',
      (x) => renderRepo(rt, x)
    );
  });

  r.get('/projects/:project/repositories/:repo', (ctx) => {
    const p = projectByNameParam(ctx);
    requireProject(rt, ctx, p, 'repository', 'read');
    return { status: 200, body: renderRepo(rt, repoParam(rt, ctx, p)) };
  });

  r.put('/projects/:project/repositories/:repo', async (ctx) => {
    const p = projectByNameParam(ctx);
    requireProject(rt, ctx, p, 'repository', 'update');
    const repo = repoParam(rt, ctx, p);
    repo.description =
      field(await objectBody(ctx), 'description', 'string') ?? '';
    repo.updateTime = rt.clock.now();
    return { status: 200 };
  });

  r.delete('/projects/:project/repositories/:repo', (ctx) => {
    const p = projectByNameParam(ctx);
    requireProject(rt, ctx, p, 'repository', 'delete');
    const repo = repoParam(rt, ctx, p);
    // Per artifact, like Harbor: accessories first, then indexes, then the rest.
    const all = s.artifactsOf(repo.id).sort((a, b) => rank(a) - rank(b));
    for (const a of all) rt.store.deleteManifest(repo.name, a.digest);
    s.repos.delete(repo.id);
    return { status: 200 };
  });

  const artifactFields: FieldMap<ArtifactRec> = {
    id: (a) => a.id,
    digest: (a) => a.digest,
    media_type: (a) => a.mediaType,
    manifest_media_type: (a) => a.manifestMediaType,
    artifact_type: (a) => a.artifactType,
    type: (a) => a.type,
    push_time: (a) => a.pushTime,
    pull_time: (a) => a.pullTime,
    repository_id: (a) => a.repoId,
    project_id: (a) => s.repos.get(a.repoId)?.projectId,
    size: (a) => a.size,
  };
  const tagsFilter = (a: ArtifactRec, t: QTerm): boolean => {
    const names = s.tagsOf(a.id).map((x) => x.name);
    if (t.kind === 'exact' && t.value === '*') return names.length > 0;
    if (t.kind === 'exact' && t.value === 'nil') return names.length === 0;
    return names.some((n) => matchField(n, t));
  };
  const labelsFilter = (a: ArtifactRec, t: QTerm): boolean => {
    const ids =
      t.kind === 'exact'
        ? [Number(t.value)]
        : t.kind === 'and' || t.kind === 'or'
          ? t.values.map(Number)
          : [];
    return t.kind === 'or'
      ? ids.some((id) => a.labelIds.has(id))
      : ids.every((id) => a.labelIds.has(id));
  };

  const listArtifacts = (ctx: Ctx, rows: ArtifactRec[]) => {
    const terms = ctx.url.searchParams.get('q') ?? '';
    const wantAll = /(^|,)base=\*($|,)/.test(terms);
    const base = rows.filter(
      (a) =>
        !a.accessory && (wantAll || s.tagCount(a.id) > 0 || !s.isReferenced(a))
    );
    const opts = renderOpts(ctx);
    return listReply(
      ctx,
      base,
      artifactFields,
      '-push_time,-id',
      (a) => renderArtifact(rt, a, opts),
      {
        tags: tagsFilter,
        labels: labelsFilter,
        base: () => true,
      }
    );
  };

  r.get('/projects/:project/repositories/:repo/artifacts', (ctx) => {
    const p = projectByNameParam(ctx);
    requireProject(rt, ctx, p, 'artifact', 'list');
    const repo = repoParam(rt, ctx, p);
    return listArtifacts(ctx, s.artifactsOf(repo.id));
  });

  r.get('/projects/:project/artifacts', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'artifact', 'list');
    let rows = s.artifactsOfProject(p.id);
    if (flag(ctx, 'latest_in_repository', false)) {
      const latest = new Map<number, ArtifactRec>();
      for (const a of rows) {
        const cur = latest.get(a.repoId);
        if (!cur || a.pushTime > cur.pushTime) latest.set(a.repoId, a);
      }
      rows = [...latest.values()];
    }
    return listArtifacts(ctx, rows);
  });

  const artifactParam = (ctx: Ctx, action: string) => {
    const p = projectByNameParam(ctx);
    requireProject(rt, ctx, p, 'artifact', action);
    const repo = repoParam(rt, ctx, p);
    const ref = ctx.params.ref ?? '';
    const a = s.artifactByRef(repo.id, ref);
    if (!a)
      throw notFound(
        `artifact ${repo.name}${ref.includes(':') ? '@' : ':'}${ref} not found`
      );
    return { p, repo, a };
  };

  r.get('/projects/:project/repositories/:repo/artifacts/:ref', (ctx) => {
    const { a } = artifactParam(ctx, 'read');
    return { status: 200, body: renderArtifact(rt, a, renderOpts(ctx)) };
  });

  r.delete('/projects/:project/repositories/:repo/artifacts/:ref', (ctx) => {
    const { repo, a } = artifactParam(ctx, 'delete');
    if (s.isReferenced(a)) {
      throw new HarborError(
        412,
        'PRECONDITION',
        `the deleting artifact ${a.digest} is referenced by others`
      );
    }
    deleteArtifactTree(rt, repo, a);
    return { status: 200 };
  });

  r.get('/projects/:project/repositories/:repo/artifacts/:ref/tags', (ctx) => {
    const { a } = artifactParam(ctx, 'read');
    const withImm = flag(ctx, 'with_immutable_status', false);
    return listReply(
      ctx,
      s.tagsOf(a.id),
      { id: (t) => t.id, name: (t) => t.name, push_time: (t) => t.pushTime },
      '-id',
      (t) => renderTag(t, withImm)
    );
  });

  r.post(
    '/projects/:project/repositories/:repo/artifacts/:ref/tags',
    async (ctx) => {
      const { p, repo, a } = artifactParam(ctx, 'read');
      requireProject(rt, ctx, p, 'tag', 'create');
      const name = field(await objectBody(ctx), 'name', 'string') ?? '';
      if (!/^[\w][\w.-]{0,127}$/.test(name))
        throw badRequest(`invalid tag name ${name}`);
      if (s.tagByName(repo.id, name))
        throw conflict(`tag ${name} already exists`);
      const m = rt.store.getManifest(repo.name, a.digest);
      if (!m) throw notFound(`artifact ${a.digest} not found`);
      rt.store.putManifest(repo.name, name, m.bytes, m.mediaType);
      return created(
        `/api/v2.0/projects/${p.name}/repositories/${encodeURIComponent(encodeURIComponent(repo.name.slice(p.name.length + 1)))}/artifacts/${a.digest}/tags/${name}`
      );
    }
  );

  r.delete(
    '/projects/:project/repositories/:repo/artifacts/:ref/tags/:tag',
    (ctx) => {
      const { p, repo, a } = artifactParam(ctx, 'read');
      requireProject(rt, ctx, p, 'tag', 'delete');
      const tag = ctx.params.tag ?? '';
      const t = s.tagByName(repo.id, tag);
      if (t?.artifactId !== a.id) throw notFound(`tag ${tag} not found`);
      rt.store.untag(repo.name, tag);
      return { status: 200 };
    }
  );

  r.get(
    '/projects/:project/repositories/:repo/artifacts/:ref/accessories',
    (ctx) => {
      const { a } = artifactParam(ctx, 'read');
      return listReply(
        ctx,
        s.accessoriesOf(a),
        {
          id: (x) => x.accessory?.id,
          type: (x) => x.accessory?.type,
          digest: (x) => x.digest,
        },
        '-id',
        (x) => renderAccessory(rt, x, a)
      );
    }
  );

  r.post(
    '/projects/:project/repositories/:repo/artifacts/:ref/labels',
    async (ctx) => {
      const { p, a } = artifactParam(ctx, 'read');
      requireProject(rt, ctx, p, 'artifact-label', 'create');
      const id = field(await objectBody(ctx), 'id', 'number') ?? 0;
      const l = s.labels.get(id);
      if (!l || (l.scope === 'p' && l.projectId !== p.id))
        throw notFound(`label ${id} not found`);
      if (a.labelIds.has(id))
        throw conflict(`label ${id} already added to the artifact ${a.digest}`);
      a.labelIds.add(id);
      return { status: 200 };
    }
  );

  r.delete(
    '/projects/:project/repositories/:repo/artifacts/:ref/labels/:label',
    (ctx) => {
      const { p, a } = artifactParam(ctx, 'read');
      requireProject(rt, ctx, p, 'artifact-label', 'delete');
      const id = Number(ctx.params.label);
      if (!a.labelIds.delete(id))
        throw notFound(`label ${id} not found on the artifact`);
      return { status: 200 };
    }
  );

  registerLabels(r, rt);
}

function rank(a: ArtifactRec): number {
  if (a.accessory) return 0;
  return a.references.length > 0 ? 1 : 2;
}

/** Deletes an artifact with its accessories (recursively) and its no-longer-referenced children. */
export function deleteArtifactTree(
  rt: HarborRuntime,
  repo: RepoRec,
  a: ArtifactRec
): void {
  for (const acc of rt.state.accessoriesOf(a))
    deleteArtifactTree(rt, repo, acc);
  const children = a.references.map((x) => x.childDigest);
  rt.store.deleteManifest(repo.name, a.digest);
  for (const d of children) {
    const child = rt.state.artifactByDigest(repo.id, d);
    if (
      child &&
      !rt.state.isReferenced(child) &&
      rt.state.tagsOf(child.id).length === 0
    ) {
      deleteArtifactTree(rt, repo, child);
    }
  }
}

function renderOpts(ctx: Ctx) {
  return {
    withTag: flag(ctx, 'with_tag', true),
    withLabel: flag(ctx, 'with_label', false),
    withAccessory: flag(ctx, 'with_accessory', false),
    withImmutableStatus: flag(ctx, 'with_immutable_status', false),
  };
}

function registerLabels(r: Router, rt: HarborRuntime): void {
  const s = rt.state;
  r.get('/labels', (ctx) => {
    const scope = ctx.url.searchParams.get('scope') ?? 'g';
    const name = ctx.url.searchParams.get('name');
    let rows = [...s.labels.values()].filter((l) => l.scope === scope);
    if (scope === 'p') {
      const pid = Number(ctx.url.searchParams.get('project_id'));
      const p = s.projects.get(pid);
      if (!p) throw badRequest('invalid project_id');
      requireProject(rt, ctx, p, 'label', 'list');
      rows = rows.filter((l) => l.projectId === pid);
    }
    if (name !== null && name !== '')
      rows = rows.filter((l) => l.name.includes(name));
    return listReply(
      ctx,
      rows,
      {
        id: (l) => l.id,
        name: (l) => l.name,
        creation_time: (l) => l.creationTime,
      },
      'name',
      renderLabel
    );
  });
  r.post('/labels', async (ctx) => {
    const b = await objectBody(ctx);
    const scope = field(b, 'scope', 'string') ?? 'g';
    const projectId = field(b, 'project_id', 'number') ?? 0;
    if (scope === 'p') {
      const p = s.projects.get(projectId);
      if (!p) throw badRequest(`project ${projectId} not found`);
      requireProject(rt, ctx, p, 'label', 'create');
    } else {
      if (
        !(ctx.principal.kind === 'user' && ctx.principal.user.sysadmin) &&
        ctx.principal.kind !== 'robot'
      ) {
        throw new HarborError(
          ctx.principal.kind === 'anonymous' ? 401 : 403,
          ctx.principal.kind === 'anonymous' ? 'UNAUTHORIZED' : 'FORBIDDEN',
          'forbidden'
        );
      }
    }
    const name = field(b, 'name', 'string') ?? '';
    if (name === '') throw badRequest('label name is required');
    if (
      [...s.labels.values()].some(
        (l) =>
          l.name === name &&
          l.scope === scope &&
          l.projectId === (scope === 'p' ? projectId : 0)
      )
    ) {
      throw conflict(`label ${name} already exists`);
    }
    const now = rt.clock.now();
    const id = s.next('label');
    s.labels.set(id, {
      id,
      name,
      description: field(b, 'description', 'string') ?? '',
      color: field(b, 'color', 'string') ?? '',
      scope: scope === 'p' ? 'p' : 'g',
      projectId: scope === 'p' ? projectId : 0,
      creationTime: now,
      updateTime: now,
    });
    return created(`/api/v2.0/labels/${id}`);
  });
  const label = (ctx: Ctx) => {
    const l = s.labels.get(Number(ctx.params.id));
    if (!l) throw notFound(`label ${ctx.params.id ?? ''} not found`);
    return l;
  };
  r.get('/labels/:id', (ctx) => ({
    status: 200,
    body: renderLabel(label(ctx)),
  }));
  r.put('/labels/:id', async (ctx) => {
    const l = label(ctx);
    const b = await objectBody(ctx);
    l.name = field(b, 'name', 'string') ?? l.name;
    l.description = field(b, 'description', 'string') ?? l.description;
    l.color = field(b, 'color', 'string') ?? l.color;
    l.updateTime = rt.clock.now();
    return { status: 200 };
  });
  r.delete('/labels/:id', (ctx) => {
    const l = label(ctx);
    s.labels.delete(l.id);
    for (const a of s.artifacts.values()) a.labelIds.delete(l.id);
    return { status: 200 };
  });
}

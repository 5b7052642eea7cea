import { can, isAuthenticated } from '../auth/rbac';
import {
  HarborError,
  badRequest,
  notFound,
  permissionError,
} from '../http/harbor-error';
import {
  applyQ,
  applySort,
  parseQ,
  type FieldMap,
  type SpecialFilters,
} from '../http/q';
import { paginate } from '../http/pagination';
import type { Ctx, Reply } from '../http/router';
import type { HarborRuntime } from '../runtime';
import type { ProjectRec, RepoRec } from '../state/types';

/** Resolves `{project_name_or_id}` with Harbor's X-Is-Resource-Name rule. */
export function projectParam(
  rt: HarborRuntime,
  ctx: Ctx,
  key = 'project'
): ProjectRec {
  const raw = ctx.params[key] ?? '';
  const byName =
    String(ctx.req.headers['x-is-resource-name'] ?? '').toLowerCase() ===
    'true';
  let p: ProjectRec | undefined;
  if (!byName && /^\d+$/.test(raw)) p = rt.state.projects.get(Number(raw));
  else p = rt.state.projectByName(raw);
  if (!p) throw notFound(`project ${raw} not found`);
  return p;
}

/** Throws 401/403 unless the caller holds the system permission. */
export function requireSystem(
  rt: HarborRuntime,
  ctx: Ctx,
  resource: string,
  action: string
): void {
  if (!can(rt.state, ctx.principal, 'system', resource, action)) {
    throw permissionError(isAuthenticated(ctx.principal));
  }
}

/** Throws 401/403 unless the caller holds the project permission. */
export function requireProject(
  rt: HarborRuntime,
  ctx: Ctx,
  project: ProjectRec,
  resource: string,
  action: string
): void {
  if (!can(rt.state, ctx.principal, project, resource, action)) {
    throw permissionError(isAuthenticated(ctx.principal));
  }
}

/** Throws 401/403 unless the caller is a sysadmin user (robots never are). */
export function requireSysadmin(ctx: Ctx): void {
  if (ctx.principal.kind === 'user' && ctx.principal.user.sysadmin) return;
  throw permissionError(isAuthenticated(ctx.principal));
}

/** `{repository_name}` decoded a second time (clients double-encode `a/b` as `a%252Fb`). */
export function repoParam(
  rt: HarborRuntime,
  ctx: Ctx,
  project: ProjectRec
): RepoRec {
  let rest = ctx.params.repo ?? '';
  try {
    rest = decodeURIComponent(rest);
  } catch {
    throw badRequest(`invalid repository name ${rest}`);
  }
  const full = `${project.name}/${rest}`;
  const r = rt.state.repoByName(full);
  if (!r) throw notFound(`repository ${full} not found`);
  return r;
}

/** A filtered, sorted, paginated list reply with X-Total-Count and Link. */
export function listReply<T>(
  ctx: Ctx,
  rows: T[],
  fields: FieldMap<T>,
  defaultSort: string,
  render: (row: T) => unknown,
  special: SpecialFilters<T> = {}
): Reply {
  const filtered = applyQ(
    rows,
    parseQ(ctx.url.searchParams.get('q')),
    fields,
    special
  );
  const sorted = applySort(
    filtered,
    ctx.url.searchParams.get('sort'),
    fields,
    defaultSort
  );
  const { items, headers } = paginate(ctx.url, sorted);
  return { status: 200, body: items.map(render), headers };
}

/** A JSON object body or 400. */
export async function objectBody(ctx: Ctx): Promise<Record<string, unknown>> {
  const b = await ctx.body();
  if (b === null || typeof b !== 'object' || Array.isArray(b))
    throw badRequest('invalid request body');
  return b as Record<string, unknown>;
}

/** Reads an optional typed field, 400 when of the wrong type. */
export function field<T extends 'string' | 'number' | 'boolean' | 'object'>(
  body: Record<string, unknown>,
  key: string,
  type: T
):
  | (T extends 'string'
      ? string
      : T extends 'number'
        ? number
        : T extends 'boolean'
          ? boolean
          : Record<string, unknown>)
  | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type || (type === 'object' && Array.isArray(v))) {
    throw new HarborError(
      422,
      'UNPROCESSABLE_ENTITY',
      `${key} in body must be of type ${type}`
    );
  }
  return v as never;
}

/** 201 with a Location header, Harbor style. */
export function created(location: string): Reply {
  return { status: 201, headers: { Location: location } };
}

/** Boolean query flag with a default. */
export function flag(ctx: Ctx, name: string, dflt: boolean): boolean {
  const v = ctx.url.searchParams.get(name);
  if (v === null || v === '') return dflt;
  return v === 'true' || v === '1';
}

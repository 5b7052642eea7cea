import {
  HarborError,
  badRequest,
  conflict,
  notFound,
  permissionError,
} from '../http/harbor-error';
import type { Router } from '../http/router';
import type { HarborRuntime } from '../runtime';
import { isAuthenticated } from '../auth/rbac';
import {
  created,
  field,
  listReply,
  objectBody,
  requireSysadmin,
  requireSystem,
} from './common';
import { renderAllowlist, renderUser } from './render';

/** Configuration keys Harbor never returns on GET (PasswordType items). */
export const WRITE_ONLY_CONFIG = new Set([
  'oidc_client_secret',
  'ldap_search_password',
]);

/** Harbor's default configuration values (subset of ConfigurationsResponse). */
export const DEFAULT_CONFIG: Record<string, string | number | boolean> = {
  auth_mode: 'db_auth',
  primary_auth_mode: false,
  project_creation_restriction: 'everyone',
  read_only: false,
  self_registration: false,
  token_expiration: 30,
  robot_token_duration: 30,
  robot_name_prefix: 'robot$',
  notification_enable: true,
  quota_per_project_enable: true,
  storage_per_project: -1,
  session_timeout: 60,
  banner_message: '',
  audit_log_forward_endpoint: '',
  skip_audit_log_database: false,
  scanner_skip_update_pulltime: false,
  disabled_audit_log_event_types: '',
  oidc_name: '',
  oidc_endpoint: '',
  oidc_client_id: '',
  oidc_groups_claim: '',
  oidc_admin_group: '',
  oidc_group_filter: '',
  oidc_scope: '',
  oidc_user_claim: '',
  oidc_verify_cert: true,
  oidc_auto_onboard: false,
  oidc_extra_redirect_parms: '',
  oidc_logout: false,
  ldap_url: '',
  ldap_base_dn: '',
  ldap_filter: '',
  ldap_scope: 2,
  ldap_search_dn: '',
  ldap_uid: 'cn',
  ldap_timeout: 5,
  ldap_verify_cert: true,
  uaa_client_id: '',
  uaa_client_secret: '',
  uaa_endpoint: '',
  uaa_verify_cert: true,
};

/** Registers systeminfo, ping, health, users, user groups, configurations, CVE allowlist. */
export function registerSystem(r: Router, rt: HarborRuntime): void {
  const s = rt.state;
  for (const [k, v] of Object.entries(DEFAULT_CONFIG)) {
    if (!s.config.has(k)) s.config.set(k, { value: v, editable: true });
  }
  const cfg = (k: string) => s.config.get(k)?.value;

  r.get('/ping', () => ({ status: 200, text: 'Pong' }));
  r.get('/health', () => ({
    status: 200,
    body: {
      status: 'healthy',
      components: [
        'core',
        'database',
        'jobservice',
        'portal',
        'redis',
        'registry',
        'registryctl',
      ].map((name) => ({
        name,
        status: 'healthy',
      })),
    },
  }));
  r.get('/systeminfo', (ctx) => {
    const base: Record<string, unknown> = {
      auth_mode: cfg('auth_mode'),
      primary_auth_mode: cfg('primary_auth_mode'),
      self_registration: cfg('self_registration'),
      banner_message: cfg('banner_message'),
      oidc_provider_name: cfg('oidc_name'),
    };
    if (!isAuthenticated(ctx.principal)) return { status: 200, body: base };
    const url = rt.externalUrl();
    return {
      status: 200,
      body: {
        ...base,
        harbor_version: rt.version,
        external_url: url,
        registry_url: url.replace(/^https?:\/\//, ''),
        read_only: cfg('read_only'),
        notification_enable: cfg('notification_enable'),
        project_creation_restriction: cfg('project_creation_restriction'),
        has_ca_root: false,
        current_time: rt.clock.now().toISOString(),
        registry_storage_provider_name: 'filesystem',
      },
    };
  });

  // ---- users ----
  r.get('/users/current', (ctx) => {
    if (ctx.principal.kind === 'anonymous') throw permissionError(false);
    if (ctx.principal.kind === 'robot') {
      throw new HarborError(
        412,
        'PRECONDITION',
        'get current user not available for security context: robot'
      );
    }
    return { status: 200, body: renderUser(ctx.principal.user) };
  });
  r.get('/users/current/permissions', (ctx) => {
    if (ctx.principal.kind === 'anonymous') throw permissionError(false);
    return { status: 200, body: [] };
  });
  r.get('/users', (ctx) => {
    requireSystem(rt, ctx, 'user', 'list');
    const q = ctx.url.searchParams;
    let rows = [...s.users.values()];
    const un = q.get('username');
    if (un !== null && un !== '')
      rows = rows.filter((u) => u.username.includes(un));
    const email = q.get('email');
    if (email !== null && email !== '')
      rows = rows.filter((u) => u.email.includes(email));
    return listReply(
      ctx,
      rows,
      {
        user_id: (u) => u.id,
        id: (u) => u.id,
        username: (u) => u.username,
        email: (u) => u.email,
        realname: (u) => u.realname,
        creation_time: (u) => u.creationTime,
        sysadmin_flag: (u) => u.sysadmin,
      },
      '-creation_time',
      renderUser
    );
  });
  r.get('/users/search', (ctx) => {
    if (!isAuthenticated(ctx.principal)) throw permissionError(false);
    const un = ctx.url.searchParams.get('username') ?? '';
    const rows = [...s.users.values()].filter((u) => u.username.includes(un));
    return listReply(
      ctx,
      rows,
      { user_id: (u) => u.id, username: (u) => u.username },
      'username',
      (u) => ({
        user_id: u.id,
        username: u.username,
      })
    );
  });
  r.post('/users', async (ctx) => {
    requireSystem(rt, ctx, 'user', 'create');
    const b = await objectBody(ctx);
    const username = field(b, 'username', 'string') ?? '';
    if (username === '') throw badRequest('username is required');
    if ([...s.users.values()].some((u) => u.username === username)) {
      throw conflict(`username ${username} is already used`);
    }
    const now = rt.clock.now();
    const id = s.next('user');
    s.users.set(id, {
      id,
      username,
      password: field(b, 'password', 'string') ?? '',
      email: field(b, 'email', 'string') ?? '',
      realname: field(b, 'realname', 'string') ?? '',
      comment: field(b, 'comment', 'string') ?? '',
      sysadmin: false,
      creationTime: now,
      updateTime: now,
    });
    return created(`/api/v2.0/users/${id}`);
  });
  const user = (id: string | undefined) => {
    const u = s.users.get(Number(id));
    if (!u) throw notFound(`user ${id ?? ''} not found`);
    return u;
  };
  r.get('/users/:id', (ctx) => {
    const u = user(ctx.params.id);
    if (!(ctx.principal.kind === 'user' && ctx.principal.user.id === u.id))
      requireSystem(rt, ctx, 'user', 'read');
    return { status: 200, body: renderUser(u) };
  });
  r.put('/users/:id', async (ctx) => {
    const u = user(ctx.params.id);
    requireSystem(rt, ctx, 'user', 'update');
    const b = await objectBody(ctx);
    u.email = field(b, 'email', 'string') ?? u.email;
    u.realname = field(b, 'realname', 'string') ?? u.realname;
    u.comment = field(b, 'comment', 'string') ?? u.comment;
    u.updateTime = rt.clock.now();
    return { status: 200 };
  });
  r.put('/users/:id/sysadmin', async (ctx) => {
    const u = user(ctx.params.id);
    requireSystem(rt, ctx, 'user', 'update');
    u.sysadmin =
      field(await objectBody(ctx), 'sysadmin_flag', 'boolean') ?? false;
    return { status: 200 };
  });
  r.delete('/users/:id', (ctx) => {
    const u = user(ctx.params.id);
    requireSystem(rt, ctx, 'user', 'delete');
    if (u.id === 1)
      throw new HarborError(403, 'FORBIDDEN', 'can not delete the admin user');
    s.users.delete(u.id);
    for (const m of [...s.members.values()])
      if (m.entityType === 'u' && m.entityId === u.id) s.members.delete(m.id);
    return { status: 200 };
  });

  // ---- user groups ----
  const renderGroup = (g: {
    id: number;
    groupName: string;
    groupType: number;
    ldapGroupDn: string;
  }) => ({
    id: g.id,
    group_name: g.groupName,
    group_type: g.groupType,
    ldap_group_dn: g.ldapGroupDn,
  });
  r.get('/usergroups', (ctx) => {
    requireSystem(rt, ctx, 'user-group', 'list');
    const name = ctx.url.searchParams.get('group_name');
    const dn = ctx.url.searchParams.get('ldap_group_dn');
    const rows = [...s.groups.values()].filter(
      (g) =>
        (name === null || name === '' || g.groupName.includes(name)) &&
        (dn === null || dn === '' || g.ldapGroupDn === dn)
    );
    return listReply(
      ctx,
      rows,
      { id: (g) => g.id, group_name: (g) => g.groupName },
      'id',
      renderGroup
    );
  });
  r.post('/usergroups', async (ctx) => {
    requireSystem(rt, ctx, 'user-group', 'create');
    const b = await objectBody(ctx);
    const id = s.next('group');
    s.groups.set(id, {
      id,
      groupName: field(b, 'group_name', 'string') ?? '',
      groupType: field(b, 'group_type', 'number') ?? 2,
      ldapGroupDn: field(b, 'ldap_group_dn', 'string') ?? '',
    });
    return created(`/api/v2.0/usergroups/${id}`);
  });
  r.get('/usergroups/:id', (ctx) => {
    requireSystem(rt, ctx, 'user-group', 'read');
    const g = s.groups.get(Number(ctx.params.id));
    if (!g) throw notFound(`user group ${ctx.params.id ?? ''} not found`);
    return { status: 200, body: renderGroup(g) };
  });
  r.delete('/usergroups/:id', (ctx) => {
    requireSystem(rt, ctx, 'user-group', 'delete');
    if (!s.groups.delete(Number(ctx.params.id)))
      throw notFound(`user group ${ctx.params.id ?? ''} not found`);
    return { status: 200 };
  });

  // ---- configurations: sysadmin only, robots never ----
  r.get('/configurations', (ctx) => {
    requireSysadmin(ctx);
    const body: Record<string, unknown> = {};
    for (const [k, v] of s.config)
      if (!WRITE_ONLY_CONFIG.has(k))
        body[k] = { value: v.value, editable: v.editable };
    return { status: 200, body };
  });
  r.put('/configurations', async (ctx) => {
    requireSysadmin(ctx);
    const b = await objectBody(ctx);
    for (const [k, v] of Object.entries(b)) {
      if (
        typeof v !== 'string' &&
        typeof v !== 'number' &&
        typeof v !== 'boolean'
      ) {
        throw badRequest(`invalid value of ${k}`);
      }
      s.config.set(k, { value: v, editable: true });
    }
    s.audit({
      projectId: 0,
      username:
        ctx.principal.kind === 'user' ? ctx.principal.user.username : '',
      resource: 'configuration',
      resourceType: 'configuration',
      operation: 'update',
      operationDescription: `update configuration: ${Object.keys(b).join(', ')}`,
    });
    return { status: 200 };
  });

  // ---- system CVE allowlist ----
  r.get('/system/CVEAllowlist', (ctx) => {
    if (!isAuthenticated(ctx.principal)) throw permissionError(false);
    return {
      status: 200,
      body: renderAllowlist({ id: 1, ...s.systemCveAllowlist }, 0, new Date(0)),
    };
  });
  r.put('/system/CVEAllowlist', async (ctx) => {
    requireSysadmin(ctx);
    const b = await objectBody(ctx);
    s.systemCveAllowlist = {
      items: (b.items as { cve_id: string }[] | undefined) ?? [],
      expires_at: (b.expires_at as number | null | undefined) ?? null,
    };
    return { status: 200 };
  });
}

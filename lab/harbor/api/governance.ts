import { randomUUID } from 'node:crypto';
import { can, isAuthenticated } from '../auth/rbac';
import { principalName } from '../auth/principal';
import {
  badRequest,
  conflict,
  notFound,
  permissionError,
} from '../http/harbor-error';
import { parseQ } from '../http/q';
import type { Ctx, Router } from '../http/router';
import type { HarborRuntime } from '../runtime';
import { HarborState } from '../state/harbor-state';
import type {
  AuditLogRec,
  RetentionRec,
  RobotPermissionRec,
  RobotRec,
  ScannerRec,
  TagRuleRec,
  WebhookPolicyRec,
} from '../state/types';
import {
  created,
  field,
  listReply,
  objectBody,
  projectParam,
  requireProject,
  requireSystem,
} from './common';
import { projectUsage } from './projects';
import { renderRobot } from './render';

/** Creates a robot record; the full name gets Harbor's prefix (and `project+` for project robots). */
export function createRobot(
  s: HarborState,
  req: {
    name: string;
    description?: string;
    level: 'system' | 'project';
    duration?: number;
    disable?: boolean;
    permissions: RobotPermissionRec[];
    secret?: string;
  },
  now: Date
): RobotRec {
  const prefix = String(s.config.get('robot_name_prefix')?.value ?? 'robot$');
  const project =
    req.permissions.find((p) => p.kind === 'project')?.namespace ?? '';
  const name =
    req.level === 'project'
      ? `${prefix}${project}+${req.name}`
      : `${prefix}${req.name}`;
  if ([...s.robots.values()].some((r) => r.name === name))
    throw conflict(`robot account ${name} already exists`);
  const duration = req.duration ?? -1;
  const rec: RobotRec = {
    id: s.next('robot'),
    name,
    secret: req.secret ?? HarborState.secret(),
    description: req.description ?? '',
    level: req.level,
    duration,
    disable: req.disable ?? false,
    expiresAt:
      duration <= 0 ? -1 : Math.floor(now.getTime() / 1000) + duration * 86400,
    permissions: req.permissions,
    creationTime: now,
    updateTime: now,
  };
  s.robots.set(rec.id, rec);
  return rec;
}

function parsePermissions(raw: unknown): RobotPermissionRec[] {
  if (!Array.isArray(raw)) throw badRequest('permissions is required');
  return raw.map(
    (p: { kind?: unknown; namespace?: unknown; access?: unknown }) => {
      if (
        (p.kind !== 'system' && p.kind !== 'project') ||
        typeof p.namespace !== 'string' ||
        !Array.isArray(p.access)
      ) {
        throw badRequest('invalid permission');
      }
      return {
        kind: p.kind,
        namespace: p.namespace,
        access: (
          p.access as {
            resource?: unknown;
            action?: unknown;
            effect?: unknown;
          }[]
        ).map((a) => ({
          resource: String(a.resource),
          action: String(a.action),
          ...(typeof a.effect === 'string' ? { effect: a.effect } : {}),
        })),
      };
    }
  );
}

/** Registers robots, quotas, scanners, retention, immutable rules, webhooks and audit logs. */
export function registerGovernance(r: Router, rt: HarborRuntime): void {
  const s = rt.state;
  registerRobots(r, rt);

  // ---- quotas ----
  const renderQuota = (pid: number) => {
    const p = s.projects.get(pid);
    if (!p) throw notFound(`quota ${pid} not found`);
    return {
      id: p.id,
      ref: {
        id: p.id,
        name: p.name,
        owner_name: s.users.get(p.ownerId)?.username ?? '',
      },
      hard: { storage: p.storageLimit },
      used: { storage: projectUsage(rt, p) },
      creation_time: p.creationTime.toISOString(),
      update_time: p.updateTime.toISOString(),
    };
  };
  r.get('/quotas', (ctx) => {
    requireSystem(rt, ctx, 'quota', 'list');
    const refId = ctx.url.searchParams.get('reference_id');
    const rows = [...s.projects.values()].filter(
      (p) => refId === null || refId === '' || String(p.id) === refId
    );
    return listReply(
      ctx,
      rows,
      { id: (p) => p.id, creation_time: (p) => p.creationTime },
      'id',
      (p) => renderQuota(p.id)
    );
  });
  r.get('/quotas/:id', (ctx) => {
    requireSystem(rt, ctx, 'quota', 'read');
    return { status: 200, body: renderQuota(Number(ctx.params.id)) };
  });

  // ---- scanners ----
  const renderScanner = (x: ScannerRec) => ({
    uuid: x.uuid,
    name: x.name,
    description: x.description,
    url: x.url,
    disabled: x.disabled,
    is_default: x.isDefault,
    auth: x.auth,
    skip_certVerify: x.skipCertVerify,
    use_internal_addr: x.useInternalAddr,
    create_time: x.createTime.toISOString(),
    update_time: x.updateTime.toISOString(),
    adapter: 'Trivy',
    vendor: 'Aqua Security',
    version: 'v0.56.2',
    health: 'healthy',
  });
  r.get('/scanners', (ctx) => {
    requireSystem(rt, ctx, 'scanner', 'list');
    return listReply(
      ctx,
      [...s.scanners.values()],
      { name: (x) => x.name, create_time: (x) => x.createTime },
      'create_time',
      renderScanner
    );
  });
  r.post('/scanners', async (ctx) => {
    requireSystem(rt, ctx, 'scanner', 'create');
    const b = await objectBody(ctx);
    const now = rt.clock.now();
    const uuid = randomUUID();
    s.scanners.set(uuid, {
      uuid,
      name: field(b, 'name', 'string') ?? '',
      description: field(b, 'description', 'string') ?? '',
      url: field(b, 'url', 'string') ?? '',
      auth: field(b, 'auth', 'string') ?? '',
      accessCredential: field(b, 'access_credential', 'string') ?? '',
      skipCertVerify: field(b, 'skip_certVerify', 'boolean') ?? false,
      useInternalAddr: field(b, 'use_internal_addr', 'boolean') ?? false,
      disabled: field(b, 'disabled', 'boolean') ?? false,
      isDefault: s.scanners.size === 0,
      createTime: now,
      updateTime: now,
    });
    return created(`/api/v2.0/scanners/${uuid}`);
  });
  r.get('/scanners/:id', (ctx) => {
    requireSystem(rt, ctx, 'scanner', 'read');
    const x = s.scanners.get(ctx.params.id ?? '');
    if (!x) throw notFound(`scanner ${ctx.params.id ?? ''} not found`);
    return { status: 200, body: renderScanner(x) };
  });
  r.get('/projects/:project/scanner', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'scanner', 'read');
    const x = [...s.scanners.values()].find((y) => y.isDefault);
    if (!x) throw notFound('no scanner is configured');
    return { status: 200, body: renderScanner(x) };
  });

  // ---- retention ----
  const renderRetention = (x: RetentionRec) => ({
    id: x.id,
    algorithm: x.algorithm,
    rules: x.rules,
    trigger: x.trigger,
    scope: { level: 'project', ref: x.projectId },
  });
  r.get('/retentions/metadatas', () => ({
    status: 200,
    body: {
      templates: [
        {
          rule_template: 'latestPushedK',
          display_text: 'the most recently pushed # artifacts',
          action: 'retain',
          params: [{ type: 'int', unit: 'COUNT', required: true }],
        },
        { rule_template: 'always', display_text: 'always', action: 'retain' },
      ],
      scope_selectors: [
        {
          display_text: 'Repositories',
          kind: 'doublestar',
          decorations: ['repoMatches', 'repoExcludes'],
        },
      ],
      tag_selectors: [
        {
          display_text: 'Tags',
          kind: 'doublestar',
          decorations: ['matches', 'excludes'],
        },
      ],
    },
  }));
  r.post('/retentions', async (ctx) => {
    const b = await objectBody(ctx);
    const scope = field(b, 'scope', 'object');
    const p = s.projects.get(Number(scope?.ref));
    if (!p) throw badRequest('invalid retention scope');
    requireProject(rt, ctx, p, 'tag-retention', 'create');
    const id = s.next('retention');
    s.retentions.set(id, {
      id,
      projectId: p.id,
      algorithm: field(b, 'algorithm', 'string') ?? 'or',
      rules: (b.rules as TagRuleRec[] | undefined) ?? [],
      trigger: (b.trigger as
        { kind: string; settings: Record<string, unknown> } | undefined) ?? {
        kind: 'Schedule',
        settings: { cron: '' },
      },
    });
    p.metadata.retention_id = String(id);
    return created(`/api/v2.0/retentions/${id}`);
  });
  const retention = (ctx: Ctx, action: string) => {
    const x = s.retentions.get(Number(ctx.params.id));
    const p = x && s.projects.get(x.projectId);
    if (!x || !p) throw notFound(`retention ${ctx.params.id ?? ''} not found`);
    requireProject(rt, ctx, p, 'tag-retention', action);
    return x;
  };
  r.get('/retentions/:id', (ctx) => ({
    status: 200,
    body: renderRetention(retention(ctx, 'read')),
  }));
  r.put('/retentions/:id', async (ctx) => {
    const x = retention(ctx, 'update');
    const b = await objectBody(ctx);
    x.algorithm = field(b, 'algorithm', 'string') ?? x.algorithm;
    x.rules = (b.rules as TagRuleRec[] | undefined) ?? x.rules;
    x.trigger = (b.trigger as typeof x.trigger | undefined) ?? x.trigger;
    return { status: 200 };
  });
  r.delete('/retentions/:id', (ctx) => {
    const x = retention(ctx, 'delete');
    s.retentions.delete(x.id);
    const p = s.projects.get(x.projectId);
    if (p) delete p.metadata.retention_id;
    return { status: 200 };
  });

  // ---- immutable tag rules ----
  const renderRule = (x: TagRuleRec) => ({
    id: x.id,
    priority: x.priority,
    disabled: x.disabled,
    action: x.action,
    template: x.template,
    params: x.params,
    tag_selectors: x.tag_selectors,
    scope_selectors: x.scope_selectors,
  });
  r.get('/projects/:project/immutabletagrules', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'immutable-tag', 'list');
    const rows = [...s.immutableRules.values()].filter(
      (x) => x.projectId === p.id
    );
    return listReply(
      ctx,
      rows,
      { id: (x) => x.id, priority: (x) => x.priority },
      'id',
      renderRule
    );
  });
  r.post('/projects/:project/immutabletagrules', async (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'immutable-tag', 'create');
    const b = await objectBody(ctx);
    const id = s.next('immutable');
    s.immutableRules.set(id, ruleFromBody(id, b, p.id));
    return created(`/api/v2.0/projects/${p.id}/immutabletagrules/${id}`);
  });
  r.put('/projects/:project/immutabletagrules/:id', async (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'immutable-tag', 'update');
    const id = Number(ctx.params.id);
    if (s.immutableRules.get(id)?.projectId !== p.id)
      throw notFound(`immutable rule ${id} not found`);
    s.immutableRules.set(id, ruleFromBody(id, await objectBody(ctx), p.id));
    return { status: 200 };
  });
  r.delete('/projects/:project/immutabletagrules/:id', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'immutable-tag', 'delete');
    const id = Number(ctx.params.id);
    if (s.immutableRules.get(id)?.projectId !== p.id)
      throw notFound(`immutable rule ${id} not found`);
    s.immutableRules.delete(id);
    return { status: 200 };
  });

  // ---- webhook policies (auth_header returned in clear, like Harbor) ----
  const renderWebhook = (w: WebhookPolicyRec) => ({
    id: w.id,
    name: w.name,
    description: w.description,
    project_id: w.projectId,
    targets: w.targets,
    event_types: w.eventTypes,
    creator: w.creator,
    creation_time: w.creationTime.toISOString(),
    update_time: w.updateTime.toISOString(),
    enabled: w.enabled,
  });
  r.get('/projects/:project/webhook/policies', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'notification-policy', 'list');
    const rows = [...s.webhooks.values()].filter((w) => w.projectId === p.id);
    return listReply(
      ctx,
      rows,
      {
        id: (w) => w.id,
        name: (w) => w.name,
        creation_time: (w) => w.creationTime,
      },
      '-creation_time',
      renderWebhook
    );
  });
  r.post('/projects/:project/webhook/policies', async (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'notification-policy', 'create');
    const b = await objectBody(ctx);
    const now = rt.clock.now();
    const id = s.next('webhook');
    s.webhooks.set(id, {
      id,
      projectId: p.id,
      name: field(b, 'name', 'string') ?? '',
      description: field(b, 'description', 'string') ?? '',
      enabled: field(b, 'enabled', 'boolean') ?? true,
      eventTypes: (b.event_types as string[] | undefined) ?? [],
      targets: (b.targets as WebhookPolicyRec['targets'] | undefined) ?? [],
      creator: principalName(ctx.principal),
      creationTime: now,
      updateTime: now,
    });
    return created(`/api/v2.0/projects/${p.id}/webhook/policies/${id}`);
  });
  r.get('/projects/:project/webhook/policies/:id', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'notification-policy', 'read');
    const w = s.webhooks.get(Number(ctx.params.id));
    if (w?.projectId !== p.id)
      throw notFound(`webhook policy ${ctx.params.id ?? ''} not found`);
    return { status: 200, body: renderWebhook(w) };
  });
  r.delete('/projects/:project/webhook/policies/:id', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'notification-policy', 'delete');
    const w = s.webhooks.get(Number(ctx.params.id));
    if (w?.projectId !== p.id)
      throw notFound(`webhook policy ${ctx.params.id ?? ''} not found`);
    s.webhooks.delete(w.id);
    return { status: 200 };
  });

  // ---- audit logs (auditlog-exts, ≥ 2.13) ----
  const auditFields = {
    id: (a: AuditLogRec) => a.id,
    op_time: (a: AuditLogRec) => a.opTime,
    operation: (a: AuditLogRec) => a.operation,
    resource_type: (a: AuditLogRec) => a.resourceType,
    resource: (a: AuditLogRec) => a.resource,
    username: (a: AuditLogRec) => a.username,
  };
  const renderAudit = (a: AuditLogRec) => ({
    id: a.id,
    username: a.username,
    resource: a.resource,
    resource_type: a.resourceType,
    operation: a.operation,
    operation_description: a.operationDescription,
    operation_result: a.operationResult,
    op_time: a.opTime.toISOString(),
  });
  r.get('/auditlog-exts', (ctx) => {
    if (!isAuthenticated(ctx.principal)) throw permissionError(false);
    let rows = [...s.auditLogs];
    if (!can(s, ctx.principal, 'system', 'audit-log', 'list')) {
      const adminOf = [...s.projects.values()].filter(
        (p) =>
          can(s, ctx.principal, p, 'log', 'list') &&
          can(s, ctx.principal, p, 'member', 'create')
      );
      if (adminOf.length === 0) throw permissionError(true);
      const ids = new Set(adminOf.map((p) => p.id));
      rows = rows.filter((a) => ids.has(a.projectId));
    }
    parseQ(ctx.url.searchParams.get('q'));
    return listReply(ctx, rows, auditFields, '-op_time', renderAudit);
  });
  r.get('/auditlog-exts/events', (ctx) => {
    if (!isAuthenticated(ctx.principal)) throw permissionError(false);
    const events = [
      'create_artifact',
      'delete_artifact',
      'pull_artifact',
      'create_project',
      'delete_project',
      'delete_repository',
      'login_user',
      'logout_user',
      'create_user',
      'delete_user',
      'update_user',
      'create_robot',
      'delete_robot',
      'update_configuration',
      'create_member',
      'delete_member',
      'update_member',
      'update_project',
    ];
    return { status: 200, body: events.map((event_type) => ({ event_type })) };
  });
  r.get('/projects/:project/auditlog-exts', (ctx) => {
    const p = projectParam(rt, ctx);
    requireProject(rt, ctx, p, 'log', 'list');
    return listReply(
      ctx,
      s.auditLogs.filter((a) => a.projectId === p.id),
      auditFields,
      '-op_time',
      renderAudit
    );
  });
}

function ruleFromBody(
  id: number,
  b: Record<string, unknown>,
  projectId: number
): TagRuleRec & { projectId: number } {
  return {
    id,
    projectId,
    priority: field(b, 'priority', 'number') ?? 0,
    disabled: field(b, 'disabled', 'boolean') ?? false,
    action: field(b, 'action', 'string') ?? 'immutable',
    template: field(b, 'template', 'string') ?? 'immutable_template',
    params: field(b, 'params', 'object') ?? {},
    tag_selectors:
      (b.tag_selectors as TagRuleRec['tag_selectors'] | undefined) ?? [],
    scope_selectors:
      (b.scope_selectors as TagRuleRec['scope_selectors'] | undefined) ?? {},
  };
}

function registerRobots(r: Router, rt: HarborRuntime): void {
  const s = rt.state;
  const levelOf = (ctx: Ctx): { level: string; projectId?: number } => {
    let level = 'system';
    let projectId: number | undefined;
    for (const t of parseQ(ctx.url.searchParams.get('q'))) {
      if (t.kind !== 'exact') continue;
      const k = t.key.toLowerCase();
      if (k === 'level') level = t.value;
      if (k === 'projectid' || k === 'project_id') projectId = Number(t.value);
    }
    return projectId === undefined ? { level } : { level, projectId };
  };
  r.get('/robots', (ctx) => {
    const { level, projectId } = levelOf(ctx);
    let rows = [...s.robots.values()].filter((x) => x.level === level);
    if (level === 'project') {
      const p = projectId === undefined ? undefined : s.projects.get(projectId);
      if (!p)
        throw badRequest('must with project ID when to query project robots');
      requireProject(rt, ctx, p, 'robot', 'list');
      rows = rows.filter((x) =>
        x.permissions.some(
          (perm) => perm.kind === 'project' && perm.namespace === p.name
        )
      );
    } else {
      requireSystem(rt, ctx, 'robot', 'list');
    }
    return listReply(
      ctx,
      rows,
      {
        id: (x) => x.id,
        name: (x) => x.name,
        creation_time: (x) => x.creationTime,
      },
      'id',
      renderRobot,
      { level: () => true, projectid: () => true }
    );
  });
  r.post('/robots', async (ctx) => {
    const b = await objectBody(ctx);
    const level = field(b, 'level', 'string');
    if (level !== 'system' && level !== 'project')
      throw badRequest('bad request error level input');
    const permissions = parsePermissions(b.permissions);
    if (level === 'system') requireSystem(rt, ctx, 'robot', 'create');
    else {
      const p = s.projectByName(permissions[0]?.namespace ?? '');
      if (!p) throw badRequest('project not found');
      requireProject(rt, ctx, p, 'robot', 'create');
    }
    const name = field(b, 'name', 'string') ?? '';
    if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name))
      throw badRequest(
        'robot name is not in lower case or contains illegal characters'
      );
    const rec = createRobot(
      s,
      {
        name,
        level,
        permissions,
        ...(field(b, 'description', 'string') !== undefined
          ? { description: field(b, 'description', 'string') }
          : {}),
        ...(field(b, 'duration', 'number') !== undefined
          ? { duration: field(b, 'duration', 'number') }
          : {}),
        ...(field(b, 'disable', 'boolean') !== undefined
          ? { disable: field(b, 'disable', 'boolean') }
          : {}),
      },
      rt.clock.now()
    );
    return {
      status: 201,
      headers: { Location: `/api/v2.0/robots/${rec.id}` },
      body: {
        id: rec.id,
        name: rec.name,
        secret: rec.secret,
        creation_time: rec.creationTime.toISOString(),
        expires_at: rec.expiresAt,
      },
    };
  });
  const robot = (ctx: Ctx, action: string) => {
    const x = s.robots.get(Number(ctx.params.id));
    if (!x) throw notFound(`robot ${ctx.params.id ?? ''} not found`);
    if (x.level === 'system') requireSystem(rt, ctx, 'robot', action);
    else {
      const p = s.projectByName(
        x.permissions.find((perm) => perm.kind === 'project')?.namespace ?? ''
      );
      if (!p) throw notFound('project not found');
      requireProject(rt, ctx, p, 'robot', action);
    }
    return x;
  };
  r.get('/robots/:id', (ctx) => ({
    status: 200,
    body: renderRobot(robot(ctx, 'read')),
  }));
  r.put('/robots/:id', async (ctx) => {
    const x = robot(ctx, 'update');
    const b = await objectBody(ctx);
    x.description = field(b, 'description', 'string') ?? x.description;
    x.disable = field(b, 'disable', 'boolean') ?? x.disable;
    if (b.permissions !== undefined)
      x.permissions = parsePermissions(b.permissions);
    x.updateTime = rt.clock.now();
    return { status: 200 };
  });
  r.add('PATCH', '/robots/:id', async (ctx) => {
    const x = robot(ctx, 'update');
    const secret = field(await objectBody(ctx), 'secret', 'string');
    x.secret = secret ?? HarborState.secret();
    return { status: 200, body: { secret: x.secret } };
  });
  r.delete('/robots/:id', (ctx) => {
    const x = robot(ctx, 'delete');
    s.robots.delete(x.id);
    return { status: 200 };
  });
}

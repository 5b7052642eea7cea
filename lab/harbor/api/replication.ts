import { badRequest, conflict, notFound } from '../http/harbor-error';
import type { Ctx, Router } from '../http/router';
import { validateReplicationCron } from '../replication/cron';
import { validateFilters } from '../replication/filters';
import { LabOciClient } from '../../registry/oci-copy';
import type { HarborRuntime } from '../runtime';
import type { FilterRec, PolicyRec, RegistryRec } from '../state/types';
import {
  apiExecutionStatus,
  apiTaskStatus,
  renderExecution,
  renderPolicy,
  renderRegistry,
  renderTask,
} from './render';
import { created, field, listReply, objectBody, requireSystem } from './common';

const REGISTRY_TYPES = [
  'harbor',
  'docker-registry',
  'docker-hub',
  'aws-ecr',
  'azure-acr',
  'google-gcr',
  'ali-acr',
  'huawei-SWR',
  'jfrog-artifactory',
  'quay',
  'gitlab',
  'dtr',
  'tencent-tcr',
  'github-ghcr',
  'volcengine-cr',
];
const NAMESPACE_RE =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** Pings an OCI endpoint (GET /v2/ through the lab OCI client). */
async function pingRegistry(
  url: string,
  username: string,
  password: string
): Promise<boolean> {
  const client = new LabOciClient({
    url: url.replace(/\/+$/, ''),
    ...(username !== '' ? { username, password } : {}),
  });
  try {
    await client.listTags('lab-ping/none');
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/** Builds a policy record from a request body (PUT is a full replace: omitted fields reset). */
export function policyFromBody(
  rt: HarborRuntime,
  b: Record<string, unknown>,
  id: number,
  created: Date
): PolicyRec {
  const name = field(b, 'name', 'string') ?? '';
  if (name === '') throw badRequest('name is required');
  const regId = (key: string) => {
    const r = field(b, key, 'object');
    const v = r?.id;
    return typeof v === 'number' ? v : 0;
  };
  const srcRegistryId = regId('src_registry');
  const destRegistryId = regId('dest_registry');
  if ((srcRegistryId === 0) === (destRegistryId === 0)) {
    throw badRequest(
      "either src_registry or dest_registry should be empty and the other one shouldn't be empty"
    );
  }
  for (const rid of [srcRegistryId, destRegistryId]) {
    if (rid !== 0 && !rt.state.registries.has(rid))
      throw badRequest(`registry ${rid} not found`);
  }
  const destNamespace = field(b, 'dest_namespace', 'string') ?? '';
  if (destNamespace !== '' && !NAMESPACE_RE.test(destNamespace))
    throw badRequest(`invalid destination namespace ${destNamespace}`);
  const trigger = (field(b, 'trigger', 'object') ?? {
    type: 'manual',
  }) as PolicyRec['trigger'];
  if (!['manual', 'scheduled', 'event_based'].includes(trigger.type))
    throw badRequest(`invalid trigger type ${trigger.type}`);
  if (trigger.type === 'scheduled') {
    try {
      validateReplicationCron(trigger.trigger_settings?.cron ?? '');
    } catch (e) {
      throw badRequest((e as Error).message);
    }
  }
  const filters = (Array.isArray(b.filters) ? b.filters : []) as FilterRec[];
  try {
    validateFilters(filters);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  const single = field(b, 'single_active_replication', 'boolean') ?? false;
  if (single && trigger.type === 'event_based')
    throw badRequest(
      'single active replication is not allowed for event based policies'
    );
  const speed = field(b, 'speed', 'number') ?? 0;
  return {
    id,
    name,
    description: field(b, 'description', 'string') ?? '',
    srcRegistryId,
    destRegistryId,
    destNamespace,
    // The handler defaults an omitted count to -1 ("flatten all").
    destNamespaceReplaceCount:
      field(b, 'dest_namespace_replace_count', 'number') ?? -1,
    trigger: {
      type: trigger.type,
      ...(trigger.trigger_settings
        ? { trigger_settings: { cron: trigger.trigger_settings.cron ?? '' } }
        : {}),
    },
    filters: filters.map((f) => ({
      type: f.type,
      value: f.value,
      ...(f.decoration !== undefined ? { decoration: f.decoration } : {}),
    })),
    // Harbor's create/update handler reads only the deprecated `deletion` field.
    deletion: field(b, 'deletion', 'boolean') ?? false,
    override: field(b, 'override', 'boolean') ?? false,
    enabled: field(b, 'enabled', 'boolean') ?? false,
    speed: speed <= 0 ? 0 : speed,
    copyByChunk: field(b, 'copy_by_chunk', 'boolean') ?? false,
    singleActiveReplication: single,
    creationTime: created,
    updateTime: rt.clock.now(),
  };
}

/** Builds a registry record from a request body. */
function registryFromBody(
  rt: HarborRuntime,
  b: Record<string, unknown>,
  id: number,
  existing?: RegistryRec
): RegistryRec {
  const now = rt.clock.now();
  const cred = field(b, 'credential', 'object');
  const type = field(b, 'type', 'string') ?? existing?.type ?? '';
  if (!REGISTRY_TYPES.includes(type))
    throw badRequest(`invalid registry type ${type}`);
  const url = field(b, 'url', 'string') ?? existing?.url ?? '';
  if (!/^https?:\/\//.test(url))
    throw badRequest(`invalid registry url ${url}`);
  return {
    id,
    name: field(b, 'name', 'string') ?? existing?.name ?? '',
    description:
      field(b, 'description', 'string') ?? existing?.description ?? '',
    type,
    url: url.replace(/\/+$/, ''),
    credential: cred
      ? {
          type: typeof cred.type === 'string' ? cred.type : 'basic',
          access_key:
            typeof cred.access_key === 'string' ? cred.access_key : '',
          access_secret:
            typeof cred.access_secret === 'string'
              ? cred.access_secret
              : (existing?.credential.access_secret ?? ''),
        }
      : (existing?.credential ?? {
          type: 'basic',
          access_key: '',
          access_secret: '',
        }),
    insecure: field(b, 'insecure', 'boolean') ?? existing?.insecure ?? false,
    status: 'healthy',
    creationTime: existing?.creationTime ?? now,
    updateTime: now,
  };
}

/** Registers registries, replication policies, executions, tasks and logs. */
export function registerReplication(r: Router, rt: HarborRuntime): void {
  const s = rt.state;

  // ---- registries ----
  r.get('/registries', (ctx) => {
    requireSystem(rt, ctx, 'registry', 'list');
    const name = ctx.url.searchParams.get('name');
    const rows = [...s.registries.values()].filter(
      (x) => name === null || name === '' || x.name.includes(name)
    );
    return listReply(
      ctx,
      rows,
      {
        id: (x) => x.id,
        name: (x) => x.name,
        type: (x) => x.type,
        url: (x) => x.url,
        creation_time: (x) => x.creationTime,
      },
      '-creation_time',
      renderRegistry
    );
  });
  r.post('/registries', async (ctx) => {
    requireSystem(rt, ctx, 'registry', 'create');
    const b = await objectBody(ctx);
    const rec = registryFromBody(rt, b, s.next('registry'));
    if (rec.name === '') throw badRequest('name is required');
    if ([...s.registries.values()].some((x) => x.name === rec.name))
      throw conflict(`registry ${rec.name} already exists`);
    s.registries.set(rec.id, rec);
    return created(`/api/v2.0/registries/${rec.id}`);
  });
  r.post('/registries/ping', async (ctx) => {
    requireSystem(rt, ctx, 'registry', 'read');
    const b = await objectBody(ctx);
    const id = field(b, 'id', 'number');
    let url = field(b, 'url', 'string') ?? '';
    let user = field(b, 'access_key', 'string') ?? '';
    let pass = field(b, 'access_secret', 'string') ?? '';
    if (id !== undefined) {
      const reg = s.registries.get(id);
      if (!reg) throw notFound(`registry ${id} not found`);
      url = reg.url;
      if (field(b, 'access_key', 'string') === undefined)
        user = reg.credential.access_key;
      if (field(b, 'access_secret', 'string') === undefined)
        pass = reg.credential.access_secret;
    }
    if (!(await pingRegistry(url, user, pass)))
      throw badRequest('the registry is unhealthy');
    return { status: 200 };
  });
  const registry = (ctx: Ctx) => {
    const reg = s.registries.get(Number(ctx.params.id));
    if (!reg) throw notFound(`registry ${ctx.params.id ?? ''} not found`);
    return reg;
  };
  r.get('/registries/:id', (ctx) => {
    requireSystem(rt, ctx, 'registry', 'read');
    return { status: 200, body: renderRegistry(registry(ctx)) };
  });
  r.put('/registries/:id', async (ctx) => {
    requireSystem(rt, ctx, 'registry', 'update');
    const existing = registry(ctx);
    s.registries.set(
      existing.id,
      registryFromBody(rt, await objectBody(ctx), existing.id, existing)
    );
    return { status: 200 };
  });
  r.delete('/registries/:id', (ctx) => {
    requireSystem(rt, ctx, 'registry', 'delete');
    const reg = registry(ctx);
    if (
      [...s.policies.values()].some(
        (p) => p.srcRegistryId === reg.id || p.destRegistryId === reg.id
      )
    ) {
      throw conflict(`registry ${reg.id} is used by policies`);
    }
    s.registries.delete(reg.id);
    return { status: 200 };
  });
  r.get('/registries/:id/info', (ctx) => {
    requireSystem(rt, ctx, 'registry', 'read');
    const reg = registry(ctx);
    const labels = [...s.labels.values()]
      .filter((l) => l.scope === 'g')
      .map((l) => l.name);
    return {
      status: 200,
      body: {
        type: reg.type,
        description: reg.description,
        supported_resource_filters: [
          { type: 'name', style: 'input' },
          { type: 'tag', style: 'input' },
          ...(reg.type === 'harbor'
            ? [{ type: 'label', style: 'list', values: labels }]
            : []),
        ],
        supported_triggers:
          reg.type === 'harbor'
            ? ['manual', 'scheduled', 'event_based']
            : ['manual', 'scheduled'],
        // Only the harbor and azure-acr adapters declare chunked upload support.
        supported_copy_by_chunk:
          reg.type === 'harbor' || reg.type === 'azure-acr',
      },
    };
  });
  r.get('/replication/adapters', (ctx) => {
    requireSystem(rt, ctx, 'replication-adapter', 'list');
    return { status: 200, body: REGISTRY_TYPES };
  });

  // ---- policies ----
  r.get('/replication/policies', (ctx) => {
    requireSystem(rt, ctx, 'replication-policy', 'list');
    const name = ctx.url.searchParams.get('name');
    const rows = [...s.policies.values()].filter(
      (p) => name === null || name === '' || p.name.includes(name)
    );
    return listReply(
      ctx,
      rows,
      {
        id: (p) => p.id,
        name: (p) => p.name,
        creation_time: (p) => p.creationTime,
        update_time: (p) => p.updateTime,
        enabled: (p) => p.enabled,
      },
      '-creation_time',
      (p) => renderPolicy(rt, p)
    );
  });
  r.post('/replication/policies', async (ctx) => {
    requireSystem(rt, ctx, 'replication-policy', 'create');
    const now = rt.clock.now();
    const p = policyFromBody(rt, await objectBody(ctx), 0, now);
    if ([...s.policies.values()].some((x) => x.name === p.name))
      throw conflict(`policy ${p.name} already exists`);
    p.id = s.next('policy');
    s.policies.set(p.id, p);
    return created(`/api/v2.0/replication/policies/${p.id}`);
  });
  const policy = (ctx: Ctx) => {
    const p = s.policies.get(Number(ctx.params.id));
    if (!p) throw notFound(`policy ${ctx.params.id ?? ''} not found`);
    return p;
  };
  r.get('/replication/policies/:id', (ctx) => {
    requireSystem(rt, ctx, 'replication-policy', 'read');
    return { status: 200, body: renderPolicy(rt, policy(ctx)) };
  });
  r.put('/replication/policies/:id', async (ctx) => {
    requireSystem(rt, ctx, 'replication-policy', 'update');
    const old = policy(ctx);
    const p = policyFromBody(
      rt,
      await objectBody(ctx),
      old.id,
      old.creationTime
    );
    if (
      [...s.policies.values()].some((x) => x.name === p.name && x.id !== old.id)
    )
      throw conflict(`policy ${p.name} already exists`);
    s.policies.set(old.id, p);
    return { status: 200 };
  });
  r.delete('/replication/policies/:id', (ctx) => {
    requireSystem(rt, ctx, 'replication-policy', 'delete');
    const p = policy(ctx);
    if (
      [...s.executions.values()].some(
        (e) => e.policyId === p.id && e.status === 'Running'
      )
    ) {
      throw conflict(
        `the policy ${p.name} has running executions, can not be deleted`
      );
    }
    s.policies.delete(p.id);
    return { status: 200 };
  });

  // ---- executions ----
  r.get('/replication/executions', (ctx) => {
    requireSystem(rt, ctx, 'replication', 'list');
    const q = ctx.url.searchParams;
    const pid = q.get('policy_id');
    const status = q.get('status');
    const trigger = q.get('trigger');
    const rows = [...s.executions.values()].filter(
      (e) =>
        (pid === null || pid === '' || String(e.policyId) === pid) &&
        (status === null ||
          status === '' ||
          apiExecutionStatus(e.status) === status ||
          e.status === status) &&
        (trigger === null || trigger === '' || e.trigger === trigger)
    );
    return listReply(
      ctx,
      rows,
      {
        id: (e) => e.id,
        start_time: (e) => e.startTime,
        end_time: (e) => e.endTime,
        status: (e) => e.status,
      },
      '-start_time,-id',
      (e) => renderExecution(rt, e)
    );
  });
  r.post('/replication/executions', async (ctx) => {
    requireSystem(rt, ctx, 'replication', 'create');
    const pid = field(await objectBody(ctx), 'policy_id', 'number');
    if (pid === undefined) throw badRequest('policy_id is required');
    const trig =
      ctx.url.searchParams.get('trigger') === 'scheduled'
        ? 'scheduled'
        : 'manual';
    const e = rt.replication.start(pid, trig);
    return created(`/api/v2.0/replication/executions/${e.id}`);
  });
  const execution = (ctx: Ctx) => {
    const e = s.executions.get(Number(ctx.params.id));
    if (!e) throw notFound(`execution ${ctx.params.id ?? ''} not found`);
    return e;
  };
  r.get('/replication/executions/:id', (ctx) => {
    requireSystem(rt, ctx, 'replication', 'read');
    return { status: 200, body: renderExecution(rt, execution(ctx)) };
  });
  r.put('/replication/executions/:id', (ctx) => {
    requireSystem(rt, ctx, 'replication', 'create');
    rt.replication.stop(execution(ctx).id);
    return { status: 200 };
  });
  r.get('/replication/executions/:id/tasks', (ctx) => {
    requireSystem(rt, ctx, 'replication', 'read');
    const e = execution(ctx);
    const q = ctx.url.searchParams;
    const status = q.get('status');
    const rtype = q.get('resource_type');
    const rows = [...s.tasks.values()].filter(
      (t) =>
        t.executionId === e.id &&
        (status === null ||
          status === '' ||
          apiTaskStatus(t.status) === status ||
          t.status === status) &&
        (rtype === null || rtype === '' || t.resourceType === rtype)
    );
    return listReply(
      ctx,
      rows,
      {
        id: (t) => t.id,
        start_time: (t) => t.startTime,
        status: (t) => t.status,
      },
      '-start_time,-id',
      renderTask
    );
  });
  r.get('/replication/executions/:id/tasks/:task/log', (ctx) => {
    requireSystem(rt, ctx, 'replication', 'read');
    const e = execution(ctx);
    const t = s.tasks.get(Number(ctx.params.task));
    if (t?.executionId !== e.id)
      throw notFound(`task ${ctx.params.task ?? ''} not found`);
    return { status: 200, text: t.log.map((l) => `${l}\n`).join('') };
  });
}

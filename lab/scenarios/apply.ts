import {
  buildImage,
  buildIndex,
  buildSignature,
  descriptorOf,
  storeImage,
  type BuiltImage,
} from '../registry/images';
import type { LabHarbor } from '../harbor/server';
import { AdminClient } from './admin-client';
import type { HarborSpec, ImageSpec, ScenarioAction } from './schema';

const ROLE_IDS: Record<string, number> = {
  projectAdmin: 1,
  developer: 2,
  guest: 3,
  maintainer: 4,
  limitedGuest: 5,
};

/** Where a registry entry of a scenario points to. */
export interface EndpointInfo {
  url: string;
  type: 'harbor' | 'docker-registry';
  username?: string;
  password?: string;
}

/** Builds the synthetic image an image spec describes. */
export function buildSpecImage(
  repository: string,
  spec: ImageSpec
): BuiltImage {
  const seed = spec.seed ?? `${repository}:${spec.tags.join(',')}`;
  if (spec.kind === 'multi')
    return buildIndex({
      seed,
      platforms: spec.platforms.map((arch) => ({ arch })),
    });
  return buildImage({
    seed,
    format: spec.kind === 'docker' ? 'docker' : 'oci',
  });
}

/** Pushes an image (tags, signatures, labels) into a lab Harbor through its store. */
export async function pushImage(
  h: LabHarbor,
  client: AdminClient,
  repository: string,
  spec: ImageSpec
): Promise<BuiltImage> {
  const img = buildSpecImage(repository, spec);
  if (spec.tags.length === 0) storeImage(h.store, repository, img.digest, img);
  for (const tag of spec.tags) storeImage(h.store, repository, tag, img);
  spec.signatures.forEach((kind, i) => {
    const sig = buildSignature(descriptorOf(img), {
      seed: `${spec.seed ?? repository}-${kind}-${i}`,
      kind,
    });
    const cosignTag = `sha256-${img.digest.slice('sha256:'.length)}.sig`;
    storeImage(
      h.store,
      repository,
      spec.cosignTag && kind === 'cosign' ? cosignTag : sig.digest,
      sig
    );
  });
  const [project = '', ...rest] = repository.split('/');
  const repoPath = encodeURIComponent(encodeURIComponent(rest.join('/')));
  for (const labelName of spec.labels) {
    const label = [...h.state.labels.values()].find(
      (l) =>
        l.name === labelName &&
        (l.scope === 'g' || h.state.projects.get(l.projectId)?.name === project)
    );
    if (!label) throw new Error(`label ${labelName} not found on ${h.name}`);
    await client.call(
      'POST',
      `/projects/${project}/repositories/${repoPath}/artifacts/${img.digest}/labels`,
      { id: label.id }
    );
  }
  return img;
}

/** Seeds one lab Harbor from its scenario spec, through its REST API and its store. */
export async function applyHarborSpec(
  h: LabHarbor,
  spec: HarborSpec,
  endpoints: (target: string) => EndpointInfo
): Promise<void> {
  const c = new AdminClient(h.url, spec.admin);
  if (Object.keys(spec.configuration).length > 0)
    await c.call('PUT', '/configurations', spec.configuration);
  if (spec.systemCveAllowlist.length > 0) {
    await c.call('PUT', '/system/CVEAllowlist', {
      items: spec.systemCveAllowlist.map((cve_id) => ({ cve_id })),
    });
  }
  const auditor = await c.call('POST', '/users', {
    username: spec.auditor.username,
    password: spec.auditor.password,
    email: `${spec.auditor.username}@example.com`,
    realname: 'harbor-dr auditor',
  });
  await c.call('PUT', `/users/${AdminClient.idOf(auditor)}/sysadmin`, {
    sysadmin_flag: true,
  });
  for (const u of spec.users) {
    const r = await c.call('POST', '/users', {
      username: u.username,
      password: u.password,
      email: u.email ?? `${u.username}@example.com`,
      realname: u.realname ?? u.username,
    });
    if (u.sysadmin)
      await c.call('PUT', `/users/${AdminClient.idOf(r)}/sysadmin`, {
        sysadmin_flag: true,
      });
  }
  for (const g of spec.groups)
    await c.call('POST', '/usergroups', {
      group_name: g.name,
      group_type: g.type,
      ldap_group_dn: g.ldapDn,
    });
  for (const l of spec.labels)
    await c.call('POST', '/labels', {
      name: l.name,
      color: l.color,
      description: l.description,
      scope: 'g',
    });
  for (const s of spec.scanners)
    await c.call('POST', '/scanners', { name: s.name, url: s.url });
  const registryIds = new Map<string, number>();
  for (const reg of spec.registries) {
    const ep = endpoints(reg.target);
    const username = reg.username ?? ep.username;
    const password = reg.password ?? ep.password;
    const r = await c.call('POST', '/registries', {
      name: reg.name,
      type: reg.type ?? ep.type,
      url: ep.url,
      insecure: true,
      credential:
        username !== undefined
          ? {
              type: 'basic',
              access_key: username,
              access_secret: password ?? '',
            }
          : { type: 'basic', access_key: '', access_secret: '' },
    });
    registryIds.set(reg.name, AdminClient.idOf(r));
  }
  for (const p of spec.projects) {
    const proxy =
      p.proxyCacheOf === undefined
        ? undefined
        : registryIds.get(p.proxyCacheOf);
    if (p.proxyCacheOf !== undefined && proxy === undefined)
      throw new Error(`registry ${p.proxyCacheOf} not found`);
    const exists = h.state.projectByName(p.name);
    if (!exists) {
      await c.call('POST', '/projects', {
        project_name: p.name,
        metadata: { ...p.metadata, public: String(p.public) },
        ...(proxy !== undefined ? { registry_id: proxy } : {}),
      });
    } else {
      await c.call('PUT', `/projects/${exists.id}`, {
        metadata: { ...p.metadata, public: String(p.public) },
      });
    }
    const project = h.state.projectByName(p.name);
    if (!project) throw new Error(`project ${p.name} was not created`);
    if (p.cveAllowlist.length > 0) {
      await c.call('PUT', `/projects/${project.id}`, {
        cve_allowlist: { items: p.cveAllowlist.map((cve_id) => ({ cve_id })) },
      });
    }
    for (const m of p.members) {
      const role_id =
        typeof m.role === 'number' ? m.role : (ROLE_IDS[m.role] ?? 3);
      await c.call('POST', `/projects/${project.id}/members`, {
        role_id,
        ...(m.user !== undefined ? { member_user: { username: m.user } } : {}),
        ...(m.group !== undefined
          ? { member_group: { group_name: m.group } }
          : {}),
      });
    }
    for (const l of p.labels) {
      await c.call('POST', '/labels', {
        name: l.name,
        color: l.color,
        description: l.description,
        scope: 'p',
        project_id: project.id,
      });
    }
    for (const [i, rule] of p.immutableRules.entries()) {
      await c.call('POST', `/projects/${project.id}/immutabletagrules`, {
        priority: i,
        disabled: false,
        action: 'immutable',
        template: 'immutable_template',
        tag_selectors: [
          { kind: 'doublestar', decoration: 'matches', pattern: rule.tags },
        ],
        scope_selectors: {
          repository: [
            {
              kind: 'doublestar',
              decoration: 'repoMatches',
              pattern: rule.repositories,
            },
          ],
        },
      });
    }
    for (const w of p.webhooks) {
      await c.call('POST', `/projects/${project.id}/webhook/policies`, {
        name: w.name,
        enabled: true,
        event_types: w.eventTypes,
        targets: [
          {
            type: 'http',
            address: w.address,
            skip_cert_verify: false,
            payload_format: 'Default',
            ...(w.authHeader !== undefined
              ? { auth_header: w.authHeader }
              : {}),
          },
        ],
      });
    }
    if (p.retention) {
      await c.call('POST', '/retentions', {
        algorithm: 'or',
        rules: [
          {
            priority: 0,
            disabled: false,
            action: 'retain',
            template: 'latestPushedK',
            params: { latestPushedK: p.retention.keepLatest },
            tag_selectors: [
              {
                kind: 'doublestar',
                decoration: 'matches',
                pattern: p.retention.tags,
              },
            ],
            scope_selectors: {
              repository: [
                {
                  kind: 'doublestar',
                  decoration: 'repoMatches',
                  pattern: p.retention.repositories,
                },
              ],
            },
          },
        ],
        trigger: { kind: 'Schedule', settings: { cron: '0 0 0 * * *' } },
        scope: { level: 'project', ref: project.id },
      });
    }
    for (const repo of p.repositories) {
      for (const img of repo.images)
        await pushImage(h, c, `${p.name}/${repo.name}`, img);
    }
  }
  for (const r of spec.robots) {
    const namespace = r.level === 'project' ? (r.project ?? '') : '/';
    const res = await c.call('POST', '/robots', {
      name: r.name,
      level: r.level,
      duration: r.duration,
      disable: r.disable,
      permissions: [{ kind: r.level, namespace, access: r.access }],
    });
    if (r.secret !== undefined) {
      await c.call('PATCH', `/robots/${(res.body as { id: number }).id}`, {
        secret: r.secret,
      });
    }
  }
  for (const p of spec.policies) {
    const destId = registryIds.get(p.destRegistry);
    if (destId === undefined)
      throw new Error(`policy ${p.name}: registry ${p.destRegistry} not found`);
    const trigger =
      typeof p.trigger === 'string'
        ? { type: p.trigger }
        : { type: 'scheduled', trigger_settings: { cron: p.trigger.cron } };
    await c.call('POST', '/replication/policies', {
      name: p.name,
      description: p.description,
      src_registry: null,
      dest_registry: { id: destId },
      dest_namespace: p.destNamespace,
      dest_namespace_replace_count: p.replaceCount,
      trigger,
      filters: p.filters,
      override: p.override,
      deletion: p.deletion,
      replicate_deletion: p.deletion,
      enabled: p.enabled,
    });
  }
  if (spec.faults.length > 0) h.faults.add(spec.faults);
}

/** Runs one scenario action against the running lab. */
export async function applyAction(
  a: ScenarioAction,
  harbor: (name: string) => LabHarbor,
  admin: (name: string) => { username: string; password: string },
  advanceClock: (ms: number) => void
): Promise<void> {
  switch (a.type) {
    case 'run-policy': {
      const h = harbor(a.harbor);
      const policy = [...h.state.policies.values()].find(
        (p) => p.name === a.policy
      );
      if (!policy)
        throw new Error(`policy ${a.policy} not found on ${a.harbor}`);
      await new AdminClient(h.url, admin(a.harbor)).call(
        'POST',
        '/replication/executions',
        { policy_id: policy.id }
      );
      if (a.wait) await h.idle();
      return;
    }
    case 'push': {
      const h = harbor(a.harbor);
      await pushImage(
        h,
        new AdminClient(h.url, admin(a.harbor)),
        a.repository,
        a.image
      );
      return;
    }
    case 'move-tag': {
      const h = harbor(a.harbor);
      storeImage(h.store, a.repository, a.tag, buildImage({ seed: a.seed }));
      return;
    }
    case 'delete-artifact': {
      const h = harbor(a.harbor);
      const [project = '', ...rest] = a.repository.split('/');
      const repoPath = encodeURIComponent(encodeURIComponent(rest.join('/')));
      await new AdminClient(h.url, admin(a.harbor)).call(
        'DELETE',
        `/projects/${project}/repositories/${repoPath}/artifacts/${a.reference}`
      );
      return;
    }
    case 'advance-clock':
      advanceClock(a.seconds * 1000);
      return;
    case 'faults':
      harbor(a.harbor).faults.add(a.faults);
      return;
    case 'clear-faults':
      harbor(a.harbor).faults.clear();
      return;
    case 'wait-idle':
      return;
  }
}

import { join } from 'node:path';
import { startLab, type Lab } from '../../../../lab/index';
import { api } from './helpers/api';
import { remoteDigest } from './helpers/wait';

describe('a YAML scenario and the governance endpoints (swagger-validated)', () => {
  let lab: Lab | undefined;
  const the = (): Lab => {
    if (!lab) throw new Error('lab did not start');
    return lab;
  };

  beforeAll(async () => {
    lab = await startLab(join(__dirname, 'fixtures', 'small-scenario.yaml'));
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  });

  const get = async (path: string) => {
    const res = await api(the().primary.url, 'GET', path, {
      auth: the().primary.auditor,
    });
    expect(res.status).toBe(200);
    return res.body;
  };

  it('seeds projects, members, labels and the replication run', async () => {
    const members = (await get('/projects/apps/members')) as {
      entity_name: string;
      role_name: string;
    }[];
    expect(members.map((m) => [m.entity_name, m.role_name]).sort()).toEqual([
      ['erin', 'developer'],
      ['ops', 'guest'],
    ]);
    const summary = (await get('/projects/apps/summary')) as {
      developer_count: number;
      quota: { used: { storage: number } };
    };
    expect(summary.developer_count).toBe(1);
    expect(summary.quota.used.storage).toBeGreaterThan(0);
    const arts = (await get(
      '/projects/apps/repositories/svc%252Fapi/artifacts?with_label=true&with_accessory=true'
    )) as {
      labels: { name: string }[] | null;
      accessories: { type: string }[] | null;
    }[];
    expect(arts).toHaveLength(2);
    const tagged = arts.find((a) => a.labels !== null);
    expect(tagged?.labels?.map((l) => l.name).sort()).toEqual([
      'gold',
      'release',
    ]);
    expect(tagged?.accessories?.map((a) => a.type).sort()).toEqual([
      'signature.cosign',
      'subject.accessory',
    ]);
    const plain = the().registries[0];
    expect(plain?.kind).toBe('memory');
    // Label filter: only the labelled artifact (and its accessories) went to m/svc/api.
    expect(
      await remoteDigest(plain?.url ?? '', 'm/svc/api', 'v1')
    ).toBeDefined();
    const cache = (await get('/projects/cache')) as { registry_id: number };
    expect(cache.registry_id).toBeGreaterThan(0);
  });

  it('serves governance settings in Harbor shapes', async () => {
    const cfg = (await get('/configurations')) as Record<
      string,
      { value: unknown }
    >;
    expect(cfg.auth_mode?.value).toBe('oidc_auth');
    expect(cfg.oidc_client_secret).toBeUndefined();
    expect(
      ((await get('/system/CVEAllowlist')) as { items: { cve_id: string }[] })
        .items
    ).toEqual([{ cve_id: 'CVE-2024-9999' }]);
    const project = (await get('/projects/apps')) as {
      project_id: number;
      metadata: { retention_id: string };
      cve_allowlist: { items: unknown[] };
    };
    expect(project.cve_allowlist.items).toEqual([{ cve_id: 'CVE-2023-0001' }]);
    const retention = (await get(
      `/retentions/${project.metadata.retention_id}`
    )) as { rules: { params: Record<string, unknown> }[] };
    expect(retention.rules[0]?.params).toEqual({ latestPushedK: 5 });
    const rules = (await get('/projects/apps/immutabletagrules')) as {
      tag_selectors: { pattern: string }[];
    }[];
    expect(rules[0]?.tag_selectors[0]?.pattern).toBe('v*');
    const hooks = (await get('/projects/apps/webhook/policies')) as {
      targets: { auth_header: string }[];
    }[];
    expect(hooks[0]?.targets[0]?.auth_header).toBe('Bearer token-in-clear');
    const quotas = (await get(
      `/quotas?reference=project&reference_id=${project.project_id}`
    )) as { ref: { name: string }; hard: { storage: number } }[];
    expect(quotas.map((q) => [q.ref.name, q.hard.storage])).toEqual([
      ['apps', -1],
    ]);
    expect(
      ((await get('/scanners')) as { name: string }[]).map((s) => s.name)
    ).toEqual(['trivy']);
    expect(
      (
        (await get('/usergroups')) as {
          group_name: string;
          group_type: number;
        }[]
      ).map((g) => [g.group_name, g.group_type])
    ).toEqual([['ops', 3]]);
    expect(
      ((await get('/labels?scope=g')) as { name: string }[]).map((l) => l.name)
    ).toEqual(['gold']);
    expect(
      (
        (await get(`/labels?scope=p&project_id=${project.project_id}`)) as {
          name: string;
        }[]
      ).map((l) => l.name)
    ).toEqual(['release']);
    const info = (await get('/registries/1/info')) as {
      supported_triggers: string[];
    };
    expect(info.supported_triggers).toEqual(['manual', 'scheduled']);
    expect(await get('/replication/adapters')).toContain('harbor');
    const audit = (await get(
      '/auditlog-exts?q=' +
        encodeURIComponent('operation=create,resource_type=project')
    )) as { resource: string }[];
    expect(audit.map((a) => a.resource).sort()).toEqual(['apps', 'cache']);
    expect((await get('/auditlog-exts/events')) as unknown[]).toContainEqual({
      event_type: 'create_artifact',
    });
    const users = (await get(
      '/users?q=' + encodeURIComponent('username=erin')
    )) as { username: string }[];
    expect(users.map((u) => u.username)).toEqual(['erin']);
    expect(
      ((await get('/projects/apps/scanner')) as { name: string }).name
    ).toBe('trivy');
  });

  it('fires scheduled policies when the lab clock passes their cron', async () => {
    const h = the().primary.harbor;
    const before = (await get(
      '/replication/executions?trigger=scheduled'
    )) as unknown[];
    expect(before).toEqual([]);
    const now = h.clock.now();
    const toNext2am =
      ((26 - now.getUTCHours()) % 24) * 3600_000 -
      now.getUTCMinutes() * 60_000 -
      now.getUTCSeconds() * 1000 +
      1000;
    h.clock.advance(toNext2am > 0 ? toNext2am : toNext2am + 86_400_000);
    await h.idle();
    const after = (await get('/replication/executions?trigger=scheduled')) as {
      status: string;
    }[];
    expect(after.map((e) => e.status)).toEqual(['Succeed']);
  });

  it('stops and fails chosen tasks by repository pattern', async () => {
    const h = the().primary.harbor;
    h.faults.add({ kind: 'replication-stop', repository: 'apps/svc/*' });
    const id = [...h.state.policies.values()][0]?.id ?? 0;
    const started = await api(
      the().primary.url,
      'POST',
      '/replication/executions',
      { auth: the().primary.auditor, body: { policy_id: id } }
    );
    await h.idle();
    const exec = (await get(
      `/replication/executions/${started.headers.get('location')?.split('/').pop() ?? ''}`
    )) as { status: string; stopped: number };
    expect(exec).toMatchObject({ status: 'Stopped', stopped: 1 });
    h.faults.clear();
  });
});

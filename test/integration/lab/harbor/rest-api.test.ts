import {
  buildImage,
  buildIndex,
  buildSignature,
  descriptorOf,
  storeImage,
} from '../../../../lab/registry/images';
import { startHarbor, type LabHarbor } from '../../../../lab/harbor/server';
import { api, type Creds } from './helpers/api';

const ADMIN: Creds = { username: 'admin', password: 'Harbor12345' };
const READER: Creds = { username: 'reader', password: 'Reader12345' };

describe('lab Harbor REST API v2.0', () => {
  let h: LabHarbor;
  let robot: Creds;

  beforeAll(async () => {
    h = await startHarbor({ name: 'rest' });
    const post = (path: string, body: unknown) =>
      api(h.url, 'POST', path, { auth: ADMIN, body });
    expect(
      (
        await post('/users', {
          username: 'reader',
          password: READER.password,
          email: 'r@example.com',
          realname: 'Reader',
        })
      ).status
    ).toBe(201);
    for (let i = 0; i < 12; i++) {
      expect(
        (
          await post('/projects', {
            project_name: `team-${String(i).padStart(2, '0')}`,
            metadata: { public: i % 2 === 0 ? 'true' : 'false' },
          })
        ).status
      ).toBe(201);
    }
    expect(
      (
        await post('/projects', {
          project_name: 'secret',
          metadata: { public: 'false', auto_scan: 'true' },
        })
      ).status
    ).toBe(201);
    expect(
      (
        await post('/projects', {
          project_name: '123',
          metadata: { public: 'false' },
        })
      ).status
    ).toBe(201);
    expect(
      (
        await post('/projects/team-01/members', {
          role_id: 3,
          member_user: { username: 'reader' },
        })
      ).status
    ).toBe(201);
    const r = await post('/robots', {
      name: 'auditor',
      level: 'system',
      duration: -1,
      permissions: [
        {
          kind: 'system',
          namespace: '/',
          access: [
            { resource: 'registry', action: 'list' },
            { resource: 'replication-policy', action: 'list' },
            { resource: 'project', action: 'list' },
          ],
        },
      ],
    });
    expect(r.status).toBe(201);
    const created = r.body as { name: string; secret: string };
    robot = { username: created.name, password: created.secret };
    expect(robot.username).toBe('robot$auditor');

    // Content through the store, as a registry push would arrive.
    const single = buildImage({ seed: 'app-1' });
    storeImage(h.store, 'team-00/app', 'v1', single);
    storeImage(h.store, 'team-00/app', 'latest', single);
    const multi = buildIndex({
      seed: 'multi',
      platforms: [{ arch: 'amd64' }, { arch: 'arm64' }],
    });
    storeImage(h.store, 'team-00/group/multi', '1.0', multi);
    storeImage(
      h.store,
      'team-00/group/multi',
      'sha256-' + multi.digest.slice(7) + '.sig',
      buildSignature(descriptorOf(multi), { seed: 'sig', kind: 'cosign' })
    );
    storeImage(
      h.store,
      'team-00/app',
      buildImage({ seed: 'untagged' }).digest,
      buildImage({ seed: 'untagged' })
    );
  });

  afterAll(async () => {
    await h.stop();
  });

  it('answers ping, health and systeminfo (less for anonymous)', async () => {
    const ping = await api(h.url, 'GET', '/ping');
    expect(ping.text).toBe('Pong');
    const health = await api(h.url, 'GET', '/health');
    expect((health.body as { status: string }).status).toBe('healthy');
    const anon = (await api(h.url, 'GET', '/systeminfo')).body as Record<
      string,
      unknown
    >;
    expect(anon.harbor_version).toBeUndefined();
    expect(anon.auth_mode).toBe('db_auth');
    const full = (await api(h.url, 'GET', '/systeminfo', { auth: READER }))
      .body as Record<string, unknown>;
    expect(full.harbor_version).toMatch(/^v2\./);
    expect(full.external_url).toBe(h.url);
  });

  it('tells users, robots and bad credentials apart on /users/current', async () => {
    expect((await api(h.url, 'GET', '/users/current')).status).toBe(401);
    expect(
      (
        await api(h.url, 'GET', '/users/current', {
          auth: { username: 'admin', password: 'wrong' },
        })
      ).status
    ).toBe(401);
    const me = await api(h.url, 'GET', '/users/current', { auth: READER });
    expect(me.status).toBe(200);
    expect((me.body as { username: string }).username).toBe('reader');
    expect(
      (await api(h.url, 'GET', '/users/current', { auth: robot })).status
    ).toBe(412);
  });

  it('lets bad credentials act anonymously: only public projects', async () => {
    const res = await api(h.url, 'GET', '/projects?page_size=100', {
      auth: { username: 'admin', password: 'nope' },
    });
    expect(res.status).toBe(200);
    const names = (
      res.body as { name: string; metadata: { public: string } }[]
    ).map((p) => p.name);
    expect(names).toContain('library');
    expect(names).not.toContain('secret');
    expect(res.headers.get('x-total-count')).toBe('7');
  });

  it('paginates like Harbor with X-Total-Count and a relative Link', async () => {
    const p1 = await api(h.url, 'GET', '/projects?page_size=5', {
      auth: ADMIN,
    });
    expect(p1.headers.get('x-total-count')).toBe('15');
    expect(p1.headers.get('link')).toBe(
      '</api/v2.0/projects?page=2&page_size=5>; rel="next"'
    );
    expect((p1.body as { name: string }[]).map((p) => p.name)).toEqual([
      '123',
      'library',
      'secret',
      'team-00',
      'team-01',
    ]);
    const p2 = await api(h.url, 'GET', '/projects?page=2&page_size=5', {
      auth: ADMIN,
    });
    expect(p2.headers.get('link')).toBe(
      '</api/v2.0/projects?page=1&page_size=5>; rel="prev" , </api/v2.0/projects?page=3&page_size=5>; rel="next"'
    );
    const p3 = await api(h.url, 'GET', '/projects?page=3&page_size=5', {
      auth: ADMIN,
    });
    expect(p3.headers.get('link')).toBe(
      '</api/v2.0/projects?page=2&page_size=5>; rel="prev"'
    );
    const dflt = await api(h.url, 'GET', '/projects', { auth: ADMIN });
    expect((dflt.body as unknown[]).length).toBe(10);
    const tooBig = await api(h.url, 'GET', '/projects?page_size=101', {
      auth: ADMIN,
    });
    expect(tooBig.status).toBe(422);
  });

  it('filters with q (fuzzy, lists), ignores unknown keys and sorts', async () => {
    const fuzzy = await api(
      h.url,
      'GET',
      '/projects?page_size=100&q=' + encodeURIComponent('name=~team-0'),
      { auth: ADMIN }
    );
    expect(fuzzy.headers.get('x-total-count')).toBe('10');
    const list = await api(
      h.url,
      'GET',
      '/projects?q=' + encodeURIComponent('name={secret library}'),
      { auth: ADMIN }
    );
    expect((list.body as { name: string }[]).map((p) => p.name)).toEqual([
      'library',
      'secret',
    ]);
    const typo = await api(
      h.url,
      'GET',
      '/projects?page_size=1&q=nmae%3Dsecret',
      { auth: ADMIN }
    );
    expect(typo.headers.get('x-total-count')).toBe('15');
    const sorted = await api(h.url, 'GET', '/projects?page_size=2&sort=-name', {
      auth: ADMIN,
    });
    expect((sorted.body as { name: string }[]).map((p) => p.name)).toEqual([
      'team-11',
      'team-10',
    ]);
    const linkWithQ = await api(
      h.url,
      'GET',
      '/projects?page_size=1&q=' + encodeURIComponent('name={secret library}'),
      { auth: ADMIN }
    );
    expect(linkWithQ.headers.get('link')).toBe(
      '</api/v2.0/projects?page=2&page_size=1&q=name={secret library}>; rel="next"'
    );
  });

  it('returns metadata as strings and honours X-Is-Resource-Name', async () => {
    const p = (await api(h.url, 'GET', '/projects/secret', { auth: ADMIN }))
      .body as { metadata: Record<string, unknown>; project_id: number };
    expect(p.metadata).toEqual({ public: 'false', auto_scan: 'true' });
    const byId = await api(h.url, 'GET', `/projects/${p.project_id}`, {
      auth: ADMIN,
    });
    expect((byId.body as { name: string }).name).toBe('secret');
    const digits = await api(h.url, 'GET', '/projects/123', {
      auth: ADMIN,
      headers: { 'X-Is-Resource-Name': 'true' },
    });
    expect((digits.body as { name: string }).name).toBe('123');
    const asId = await api(h.url, 'GET', '/projects/123', { auth: ADMIN });
    expect(asId.status).toBe(404);
  });

  it('enforces permissions: 401 anonymous, 403 missing, robots by their permission list', async () => {
    expect((await api(h.url, 'GET', '/registries')).status).toBe(401);
    expect(
      (await api(h.url, 'GET', '/registries', { auth: READER })).status
    ).toBe(403);
    expect(
      (await api(h.url, 'GET', '/registries', { auth: robot })).status
    ).toBe(200);
    expect(
      (
        await api(h.url, 'GET', '/replication/policies?page_size=1', {
          auth: robot,
        })
      ).status
    ).toBe(200);
    expect(
      (await api(h.url, 'GET', '/replication/executions', { auth: robot }))
        .status
    ).toBe(403);
    expect(
      (await api(h.url, 'GET', '/configurations', { auth: robot })).status
    ).toBe(403);
    expect((await api(h.url, 'GET', '/users', { auth: READER })).status).toBe(
      403
    );
    expect(
      (
        await api(h.url, 'POST', '/projects/team-01/members', {
          auth: READER,
          body: { role_id: 1, member_user: { username: 'admin' } },
        })
      ).status
    ).toBe(403);
    // A guest of a private project can read it, others cannot see it at all.
    expect(
      (await api(h.url, 'GET', '/projects/team-01', { auth: READER })).status
    ).toBe(200);
    expect(
      (await api(h.url, 'GET', '/projects/secret', { auth: READER })).status
    ).toBe(403);
    expect((await api(h.url, 'GET', '/projects/secret')).status).toBe(401);
  });

  it('never returns write-only configuration secrets', async () => {
    expect(
      (
        await api(h.url, 'PUT', '/configurations', {
          auth: ADMIN,
          body: { oidc_client_secret: 's3cr3t', oidc_name: 'corp' },
        })
      ).status
    ).toBe(200);
    const cfg = (await api(h.url, 'GET', '/configurations', { auth: ADMIN }))
      .body as Record<string, { value: unknown }>;
    expect(cfg.oidc_client_secret).toBeUndefined();
    expect(cfg.oidc_name?.value).toBe('corp');
  });

  it('lists repositories with double-encoded names and default newest-first order', async () => {
    const repos = await api(h.url, 'GET', '/projects/team-00/repositories', {
      auth: ADMIN,
    });
    expect((repos.body as { name: string }[]).map((r) => r.name)).toEqual([
      'team-00/group/multi',
      'team-00/app',
    ]);
    const one = await api(
      h.url,
      'GET',
      '/projects/team-00/repositories/group%252Fmulti',
      { auth: ADMIN }
    );
    expect((one.body as { artifact_count: number }).artifact_count).toBe(1);
    const all = await api(h.url, 'GET', '/repositories?sort=repository_id', {
      auth: ADMIN,
    });
    expect((all.body as { name: string }[]).map((r) => r.name)).toEqual([
      'team-00/app',
      'team-00/group/multi',
    ]);
  });

  it('lists artifacts like Harbor: index children hidden, references with platform, accessories apart', async () => {
    const base = '/projects/team-00/repositories/group%252Fmulti/artifacts';
    const list = await api(h.url, 'GET', `${base}?with_accessory=true`, {
      auth: ADMIN,
    });
    const arts = list.body as {
      digest: string;
      references: { platform: { architecture: string } }[];
      accessories: { type: string }[] | null;
      tags: { name: string }[];
    }[];
    expect(arts).toHaveLength(1);
    expect(arts[0]?.references.map((r) => r.platform.architecture)).toEqual([
      'amd64',
      'arm64',
    ]);
    expect(arts[0]?.accessories?.map((a) => a.type)).toEqual([
      'signature.cosign',
    ]);
    expect(arts[0]?.tags.map((t) => t.name)).toEqual(['1.0']);
    const withBase = await api(h.url, 'GET', `${base}?q=base%3D*`, {
      auth: ADMIN,
    });
    expect(withBase.headers.get('x-total-count')).toBe('3');
    const acc = await api(h.url, 'GET', `${base}/1.0/accessories`, {
      auth: ADMIN,
    });
    expect((acc.body as unknown[]).length).toBe(1);

    const app = '/projects/team-00/repositories/app/artifacts';
    const untagged = await api(h.url, 'GET', `${app}?q=tags%3Dnil`, {
      auth: ADMIN,
    });
    expect((untagged.body as { tags: unknown }[]).map((a) => a.tags)).toEqual([
      null,
    ]);
    const tagged = await api(h.url, 'GET', `${app}?q=tags%3D*&with_tag=false`, {
      auth: ADMIN,
    });
    expect((tagged.body as Record<string, unknown>[])[0]?.tags).toBeUndefined();
    const byTag = await api(h.url, 'GET', `${app}/latest`, { auth: ADMIN });
    expect(
      (byTag.body as { tags: { name: string }[] }).tags
        .map((t) => t.name)
        .sort()
    ).toEqual(['latest', 'v1']);
  });

  it('moves a tag: tag push_time changes, artifact push_time stays', async () => {
    const app = '/projects/team-00/repositories/app/artifacts';
    const before = (await api(h.url, 'GET', `${app}/latest`, { auth: ADMIN }))
      .body as {
      push_time: string;
      tags: { name: string; push_time: string }[];
    };
    h.clock.advance(60_000);
    storeImage(h.store, 'team-00/app', 'latest', buildImage({ seed: 'app-2' }));
    const after = (await api(h.url, 'GET', `${app}/latest`, { auth: ADMIN }))
      .body as {
      digest: string;
      push_time: string;
      tags: { name: string; push_time: string }[];
    };
    const latest = after.tags.find((t) => t.name === 'latest');
    expect(
      Date.parse(latest?.push_time ?? '') -
        Date.parse(
          before.tags.find((t) => t.name === 'latest')?.push_time ?? ''
        )
    ).toBeGreaterThanOrEqual(60_000);
    const v1 = (await api(h.url, 'GET', `${app}/v1`, { auth: ADMIN })).body as {
      push_time: string;
    };
    expect(v1.push_time).toBe(before.push_time);
  });

  it('creates and deletes tags and artifacts through the API', async () => {
    const app = '/projects/team-00/repositories/app/artifacts';
    expect(
      (
        await api(h.url, 'POST', `${app}/v1/tags`, {
          auth: ADMIN,
          body: { name: 'stable' },
        })
      ).status
    ).toBe(201);
    expect(h.store.listTags('team-00/app')).toContain('stable');
    expect(
      (
        await api(h.url, 'POST', `${app}/v1/tags`, {
          auth: ADMIN,
          body: { name: 'stable' },
        })
      ).status
    ).toBe(409);
    expect(
      (await api(h.url, 'DELETE', `${app}/v1/tags/stable`, { auth: ADMIN }))
        .status
    ).toBe(200);
    expect(h.store.listTags('team-00/app')).not.toContain('stable');
    expect(
      (await api(h.url, 'DELETE', `${app}/v1`, { auth: READER })).status
    ).toBe(403);
    expect(
      (await api(h.url, 'DELETE', `${app}/v1`, { auth: ADMIN })).status
    ).toBe(200);
    expect((await api(h.url, 'GET', `${app}/v1`, { auth: ADMIN })).status).toBe(
      404
    );
  });

  it('lists robots by level and returns webhook auth headers in clear', async () => {
    const sys = await api(
      h.url,
      'GET',
      '/robots?q=' + encodeURIComponent('Level=system'),
      { auth: ADMIN }
    );
    expect((sys.body as { name: string }[]).map((r) => r.name)).toEqual([
      'robot$auditor',
    ]);
    const pid = (
      (await api(h.url, 'GET', '/projects/team-00', { auth: ADMIN })).body as {
        project_id: number;
      }
    ).project_id;
    await api(h.url, 'POST', '/robots', {
      auth: ADMIN,
      body: {
        name: 'ci',
        level: 'project',
        duration: 30,
        permissions: [
          {
            kind: 'project',
            namespace: 'team-00',
            access: [{ resource: 'repository', action: 'pull' }],
          },
        ],
      },
    });
    const proj = await api(
      h.url,
      'GET',
      '/robots?q=' + encodeURIComponent(`Level=project,ProjectID=${pid}`),
      { auth: ADMIN }
    );
    expect((proj.body as { name: string }[]).map((r) => r.name)).toEqual([
      'robot$team-00+ci',
    ]);
    await api(h.url, 'POST', '/projects/team-00/webhook/policies', {
      auth: ADMIN,
      body: {
        name: 'hook',
        enabled: true,
        event_types: ['REPLICATION'],
        targets: [
          {
            type: 'http',
            address: 'http://hook.invalid',
            auth_header: 'Bearer abc',
          },
        ],
      },
    });
    const hooks = await api(
      h.url,
      'GET',
      '/projects/team-00/webhook/policies',
      { auth: ADMIN }
    );
    expect(
      (hooks.body as { targets: { auth_header: string }[] }[])[0]?.targets[0]
        ?.auth_header
    ).toBe('Bearer abc');
  });

  it('answers unknown resources with Harbor error bodies', async () => {
    const res = await api(h.url, 'GET', '/projects/nope', { auth: ADMIN });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      errors: [{ code: 'NOT_FOUND', message: 'project nope not found' }],
    });
  });
});

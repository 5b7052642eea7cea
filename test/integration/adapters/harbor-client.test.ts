import type { ServerResponse } from 'node:http';
import {
  AuthError,
  IncompleteListingError,
  UpstreamHttpError,
  UpstreamSchemaError,
} from '../../../lambdas/core/errors';
import { HarborClient } from '../../../lambdas/adapters/harbor/harbor-client';
import { HarborMetadataClient } from '../../../lambdas/adapters/harbor/metadata-client';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import { observeHarborTarget } from '../../../lambdas/adapters/observe/observe-harbor';
import { Credentials } from '../../../lambdas/adapters/secrets/credentials';
import { sendJson, startHttpFixture } from '../../helpers/http-fixture';
import type { FixtureHandler, HttpFixture } from '../../helpers/http-fixture';

const ADMIN = new Credentials('admin', 'S3cret-Pa55');
const ROBOT = new Credentials('robot$dr-auditor', 'robot-secret-token');
const basic = (c: Credentials): string =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
/** The cosign tag of the signature D(30) of D(2). */
const SIG_TAG = `sha256-${D(2).slice(7)}.sig`;

/**
 * Answers a Harbor list the way Harbor's handler does: X-Total-Count, and a Link whose URL
 * is the request path with page/page_size set and the query left un-escaped.
 */
function sendPage(
  res: ServerResponse,
  url: string,
  rows: unknown[],
  opts: { total?: number } = {}
): void {
  const u = new URL(url, 'http://harbor.invalid');
  const page = Number(u.searchParams.get('page') ?? '1');
  const size = Number(u.searchParams.get('page_size') ?? '10');
  const total = opts.total ?? rows.length;
  const link = (p: number): string => {
    const q = new URLSearchParams(u.searchParams);
    q.set('page', String(p));
    q.set('page_size', String(size));
    // Go's url.Values.Encode sorts the keys.
    q.sort();
    return `<${u.pathname}?${decodeURIComponent(q.toString())}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
  if (page * size < total) links.push(`${link(page + 1)}; rel="next"`);
  sendJson(res, 200, rows.slice((page - 1) * size, page * size), {
    'x-total-count': String(total),
    ...(links.length > 0 ? { link: links.join(' , ') } : {}),
    'set-cookie': 'sid=abc; Path=/',
  });
}

const POLICIES = [
  {
    id: 1,
    name: 'to-cluster1',
    src_registry: {
      id: 0,
      name: 'Local',
      type: 'harbor',
      url: 'http://core:8080',
      insecure: false,
    },
    dest_registry: {
      id: 3,
      name: 'cluster1',
      type: 'docker-registry',
      url: 'https://c1.example.com/',
      insecure: true,
      credential: { type: 'basic', access_key: 'u', access_secret: '*****' },
    },
    dest_namespace: 'mirror',
    trigger: { type: 'event_based', trigger_settings: { cron: '' } },
    filters: [
      { type: 'name', value: 'library/**' },
      { type: 'label', value: ['prod', 'dr'], decoration: 'excludes' },
    ],
    deletion: true,
    override: true,
    enabled: true,
    speed: -1,
    creation_time: '2026-01-02T03:04:05.000Z',
    future_field: { anything: 1 },
  },
  {
    id: 2,
    name: 'nightly',
    src_registry: {
      id: 0,
      name: 'Local',
      type: 'harbor',
      url: 'http://core:8080',
    },
    dest_registry: {
      id: 4,
      name: 'dr-harbor',
      type: 'harbor',
      url: 'https://dr.example.com',
    },
    dest_namespace_replace_count: 1,
    trigger: { type: 'scheduled', trigger_settings: { cron: '0 0 2 * * *' } },
    filters: [{ type: 'tag', value: 'v*', decoration: 'matches' }],
    replicate_deletion: false,
    enabled: false,
    single_active_replication: true,
  },
];

function artifact(
  id: number,
  tags: string[],
  extra: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    id,
    type: 'IMAGE',
    media_type: 'application/vnd.oci.image.config.v1+json',
    manifest_media_type: 'application/vnd.oci.image.manifest.v1+json',
    project_id: 1,
    repository_id: 7,
    repository_name: 'library/team/app',
    digest: D(id),
    size: 1234,
    push_time: `2026-03-0${String(id)}T00:00:00.000Z`,
    pull_time: '0001-01-01T00:00:00.000Z',
    tags:
      tags.length === 0
        ? null
        : tags.map((name, i) => ({
            id: id * 10 + i,
            artifact_id: id,
            name,
            push_time: `2026-04-0${String(id)}T00:00:00.000Z`,
            immutable: false,
          })),
    labels: [{ id: 1, name: 'prod', scope: 'g' }],
    references: null,
    accessories: null,
    ...extra,
  };
}

const ARTIFACTS = [
  artifact(1, ['1.0', 'latest']),
  artifact(2, [], {
    manifest_media_type: 'application/vnd.oci.image.index.v1+json',
    media_type: 'application/vnd.oci.image.index.v1+json',
    references: [
      {
        parent_id: 2,
        child_id: 21,
        child_digest: D(21),
        platform: { os: 'linux', architecture: 'amd64' },
      },
      {
        parent_id: 2,
        child_id: 22,
        child_digest: D(22),
        platform: { os: 'linux', architecture: 'arm64' },
      },
    ],
    accessories: [
      {
        id: 5,
        artifact_id: 30,
        subject_artifact_digest: D(2),
        subject_artifact_repo: 'library/team/app',
        digest: D(30),
        size: 10,
        type: 'signature.cosign',
        creation_time: '2026-03-03T00:00:00.000Z',
      },
    ],
  }),
  artifact(3, ['2.0']),
];

/** A Harbor with a few projects, policies and one repository of artifacts. */
const harbor: FixtureHandler = (req, res, url) => {
  const auth = req.headers.authorization;
  const path = url.split('?')[0] ?? '';
  if (path === '/api/v2.0/users/current') {
    if (auth === basic(ADMIN)) {
      sendJson(res, 200, {
        user_id: 1,
        username: 'admin',
        sysadmin_flag: true,
        email: 'a@b',
      });
      return;
    }
    if (auth === basic(ROBOT)) {
      sendJson(res, 412, {
        errors: [
          {
            code: 'PRECONDITION',
            message: 'get current user not available for security context',
          },
        ],
      });
      return;
    }
    {
      sendJson(res, 401, {
        errors: [{ code: 'UNAUTHORIZED', message: 'UnAuthorized' }],
      });
      return;
    }
  }
  if (auth !== basic(ADMIN) && auth !== basic(ROBOT)) {
    {
      sendJson(res, 401, {
        errors: [{ code: 'UNAUTHORIZED', message: 'UnAuthorized' }],
      });
      return;
    }
  }
  const projects = [
    {
      project_id: 1,
      name: 'library',
      registry_id: 0,
      metadata: { public: 'true' },
    },
    { project_id: 2, name: 'team', metadata: { public: 'false' } },
    {
      project_id: 3,
      name: 'proxy',
      registry_id: 5,
      metadata: { public: 'false', auto_scan: 'true' },
    },
  ];
  switch (path) {
    case '/api/v2.0/replication/policies': {
      sendPage(res, url, POLICIES);
      return;
    }
    case '/api/v2.0/registries': {
      sendPage(res, url, [
        POLICIES[0]?.dest_registry,
        POLICIES[1]?.dest_registry,
      ]);
      return;
    }
    case '/api/v2.0/projects': {
      const name = new URL(url, 'http://x').searchParams.get('name');
      {
        sendPage(
          res,
          url,
          name === null ? projects : projects.filter((p) => p.name === name)
        );
        return;
      }
    }
    case '/api/v2.0/projects/library': {
      sendJson(res, 200, projects[0]);
      return;
    }
    case '/api/v2.0/projects/ghost': {
      // Harbor checks permissions before existence: a missing project is 403.
      sendJson(res, 403, {
        errors: [{ code: 'FORBIDDEN', message: 'forbidden' }],
      });
      return;
    }
    case '/api/v2.0/projects/library/repositories': {
      sendPage(res, url, [
        { id: 7, project_id: 1, name: 'library/team/app', artifact_count: 3 },
        { id: 8, project_id: 1, name: 'library/empty', artifact_count: 0 },
      ]);
      return;
    }
    case '/api/v2.0/projects/library/repositories/team%252Fapp/artifacts': {
      sendPage(res, url, ARTIFACTS);
      return;
    }
    case '/api/v2.0/projects/library/repositories/empty/artifacts': {
      sendPage(res, url, []);
      return;
    }
    default: {
      const acc =
        /^\/api\/v2\.0\/projects\/library\/repositories\/team%252Fapp\/artifacts\/([^/]+)\/accessories$/.exec(
          path
        );
      const single =
        /^\/api\/v2\.0\/projects\/library\/repositories\/team%252Fapp\/artifacts\/(sha256[^/]+)$/.exec(
          path
        );
      if (single) {
        // An accessory read by digest: its own tags (a cosign `.sig` tag on D(30) only).
        const digest = decodeURIComponent(single[1] ?? '');
        sendJson(res, 200, {
          id: 100,
          type: 'SIGNATURE',
          digest,
          manifest_media_type: 'application/vnd.oci.image.manifest.v1+json',
          tags: digest === D(30) ? [{ id: 9, name: SIG_TAG }] : [],
        });
        return;
      }
      if (acc) {
        const subject = decodeURIComponent(acc[1] ?? '');
        // The amd64 child carries its own signature, and that signature an SBOM.
        const rows =
          subject === D(21)
            ? [
                {
                  id: 6,
                  artifact_id: 31,
                  subject_artifact_digest: D(21),
                  digest: D(31),
                  type: 'signature.cosign',
                },
              ]
            : subject === D(31)
              ? [
                  {
                    id: 7,
                    artifact_id: 32,
                    subject_artifact_digest: D(31),
                    digest: D(32),
                    type: 'sbom.harbor',
                  },
                ]
              : [];
        {
          sendPage(res, url, rows);
          return;
        }
      }
      {
        sendJson(res, 404, {
          errors: [{ code: 'NOT_FOUND', message: `no route ${path}` }],
        });
        return;
      }
    }
  }
};

describe('HarborClient against a recorded Harbor API', () => {
  let server: HttpFixture;
  const clients: HttpClient[] = [];
  const harborClient = (
    credentials: Credentials | undefined,
    pageSize = 2,
    url = server.url
  ): HarborClient => {
    const http = createHttpClient({
      service: 'harbor-primary',
      baseUrl: url,
      keepAliveTimeoutMs: 10,
      retry: { minDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1_500 },
    });
    clients.push(http);
    return new HarborClient({
      http,
      baseUrl: url,
      pageSize,
      ...(credentials ? { credentials } : {}),
    });
  };

  beforeAll(async () => {
    server = await startHttpFixture(harbor);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server.close();
  });

  it('tells a user, a robot and rejected credentials apart (200 / 412 / 401)', async () => {
    await expect(harborClient(ADMIN).whoAmI()).resolves.toEqual({
      kind: 'user',
      username: 'admin',
      sysadmin: true,
    });
    await expect(harborClient(ROBOT).whoAmI()).resolves.toEqual({
      kind: 'robot',
    });
    await expect(
      harborClient(new Credentials('admin', 'bad')).whoAmI()
    ).resolves.toEqual({ kind: 'anonymous' });
  });

  it('normalises policies: deletion twins, replace count default, filter values and decoration', async () => {
    const policies = await harborClient(ADMIN).listPolicies();

    expect(policies).toEqual([
      {
        id: 1,
        name: 'to-cluster1',
        enabled: true,
        srcRegistry: null,
        destRegistry: {
          id: 3,
          name: 'cluster1',
          type: 'docker-registry',
          url: 'https://c1.example.com',
          insecure: true,
        },
        destNamespace: 'mirror',
        destNamespaceReplaceCount: -1,
        trigger: { type: 'event_based' },
        filters: [
          { type: 'name', value: 'library/**', decoration: 'matches' },
          { type: 'label', value: ['prod', 'dr'], decoration: 'excludes' },
        ],
        override: true,
        deletion: true,
        singleActiveReplication: false,
        creationTime: '2026-01-02T03:04:05.000Z',
      },
      {
        id: 2,
        name: 'nightly',
        enabled: false,
        srcRegistry: null,
        destRegistry: {
          id: 4,
          name: 'dr-harbor',
          type: 'harbor',
          url: 'https://dr.example.com',
          insecure: false,
        },
        destNamespace: '',
        destNamespaceReplaceCount: 1,
        trigger: { type: 'scheduled', cron: '0 0 2 * * *' },
        filters: [{ type: 'tag', value: 'v*', decoration: 'matches' }],
        override: false,
        deletion: false,
        singleActiveReplication: true,
      },
    ]);
  });

  it('follows Link pages to the end, sends Basic auth and never a cookie', async () => {
    server.requests.length = 0;

    const projects = await harborClient(ADMIN).listProjects();

    expect(projects).toEqual([
      { id: 1, name: 'library', registryId: 0, public: true },
      { id: 2, name: 'team', registryId: 0, public: false },
      { id: 3, name: 'proxy', registryId: 5, public: false },
    ]);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/v2.0/projects?sort=name&page=1&page_size=2',
      '/api/v2.0/projects?page=2&page_size=2&sort=name',
    ]);
    expect(
      server.requests.every((r) => r.headers.authorization === basic(ADMIN))
    ).toBe(true);
    expect(server.requests.some((r) => r.headers.cookie !== undefined)).toBe(
      false
    );
  });

  it('gets a project by name with X-Is-Resource-Name, and settles a 403 by the exact-name list', async () => {
    server.requests.length = 0;
    const client = harborClient(ADMIN);

    await expect(client.getProject('library')).resolves.toEqual({
      id: 1,
      name: 'library',
      registryId: 0,
      public: true,
    });
    await expect(client.getProject('ghost')).resolves.toBeNull();
    expect(server.requests[0]?.headers['x-is-resource-name']).toBe('true');
  });

  it('lists artifacts of a nested repository with a double-encoded name, tags, children and every reachable accessory', async () => {
    server.requests.length = 0;

    const artifacts =
      await harborClient(ADMIN).listArtifacts('library/team/app');

    expect(server.requests[0]?.url).toBe(
      '/api/v2.0/projects/library/repositories/team%252Fapp/artifacts?with_tag=true&with_label=true&with_accessory=true&sort=id&page=1&page_size=2'
    );
    expect(artifacts.map((a) => a.digest)).toEqual([D(1), D(2), D(3)]);
    expect(artifacts[0]).toEqual({
      repository: 'library/team/app',
      digest: D(1),
      manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      type: 'IMAGE',
      pushTime: '2026-03-01T00:00:00.000Z',
      tags: [
        { name: '1.0', pushTime: '2026-04-01T00:00:00.000Z' },
        { name: 'latest', pushTime: '2026-04-01T00:00:00.000Z' },
      ],
      labels: ['prod'],
      childDigests: [],
      accessories: [],
    });
    expect(artifacts[1]?.childDigests).toEqual([D(21), D(22)]);
    expect(artifacts[1]?.accessories).toEqual([
      {
        digest: D(30),
        type: 'signature.cosign',
        subjectDigest: D(2),
        pushTime: '2026-03-03T00:00:00.000Z',
        tags: [SIG_TAG],
        manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      },
      {
        digest: D(31),
        type: 'signature.cosign',
        subjectDigest: D(21),
        tags: [],
        manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      },
      {
        digest: D(32),
        type: 'sbom.harbor',
        subjectDigest: D(31),
        tags: [],
        manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      },
    ]);
  });

  it('observes a Harbor target: tag refs with push times, untagged by digest, accessories, absent repositories', async () => {
    const client = harborClient(ADMIN, 100);

    const observed = await observeHarborTarget(client, [
      'library/team/app',
      'library/gone',
      'ghost/app',
      'library/empty',
    ]);

    expect(observed.map((o) => [o.repository, o.exists])).toEqual([
      ['library/team/app', true],
      ['library/gone', false],
      ['ghost/app', false],
      ['library/empty', true],
    ]);
    const refs = observed[0]?.refs ?? [];
    expect(refs.map((r) => `${r.byDigest ? '@' : ':'}${r.reference}`)).toEqual([
      ':1.0',
      ':latest',
      `@${D(2)}`,
      `:${SIG_TAG}`,
      `@${D(31)}`,
      `@${D(32)}`,
      ':2.0',
    ]);
    expect(refs[0]).toMatchObject({
      digest: D(1),
      pushTime: '2026-04-01T00:00:00.000Z',
    });
    expect(refs[2]).toMatchObject({
      digest: D(2),
      childDigests: [D(21), D(22)],
      pushTime: '2026-03-02T00:00:00.000Z',
    });
    expect(observed[3]?.refs).toEqual([]);
  });

  it('keeps credentials out of errors when a call is refused', async () => {
    const err = await harborClient(new Credentials('admin', 'leaky-password'))
      .listPolicies()
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AuthError);
    expect(
      JSON.stringify(err) + String(err) + (err as Error).message
    ).not.toContain('leaky-password');
    expect((err as Error).message).toContain('/api/v2.0/replication/policies');
  });
});

describe('HarborClient failure handling', () => {
  const clients: HttpClient[] = [];
  const servers: HttpFixture[] = [];
  const start = async (
    handler: FixtureHandler
  ): Promise<{ server: HttpFixture; client: HarborClient }> => {
    const server = await startHttpFixture(handler);
    servers.push(server);
    const http = createHttpClient({
      service: 'harbor-primary',
      baseUrl: server.url,
      keepAliveTimeoutMs: 10,
      retry: {
        maxRetries: 3,
        minDelayMs: 5,
        maxDelayMs: 20,
        maxRetryAfterMs: 1_500,
      },
    });
    clients.push(http);
    return {
      server,
      client: new HarborClient({
        http,
        baseUrl: server.url,
        pageSize: 2,
        credentials: ADMIN,
        deepAccessories: false,
      }),
    };
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('throws IncompleteListingError when the total changes mid-listing', async () => {
    const { client } = await start((_req, res, url) => {
      const page = new URL(url, 'http://x').searchParams.get('page');
      const rows = [
        { project_id: 1, name: 'a' },
        { project_id: 2, name: 'b' },
        { project_id: 3, name: 'c' },
      ];
      sendPage(
        res,
        url,
        page === '1' ? rows : [...rows, { project_id: 4, name: 'd' }],
        { total: page === '1' ? 3 : 4 }
      );
    });

    const err = await client.listProjects().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IncompleteListingError);
    expect((err as Error).message).toContain(
      'X-Total-Count changed from 3 to 4'
    );
  });

  it('throws when the Link ends before X-Total-Count rows were seen', async () => {
    const { client } = await start((_req, res) => {
      sendJson(res, 200, [{ project_id: 1, name: 'a' }], {
        'x-total-count': '5',
      });
    });

    await expect(client.listProjects()).rejects.toThrow(
      /pagination ended after 1 of 5 rows/
    );
  });

  it('waits for Retry-After on 429 and then succeeds', async () => {
    let calls = 0;
    const { server, client } = await start((_req, res, url) => {
      calls++;
      if (calls === 1) {
        sendJson(
          res,
          429,
          { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] },
          { 'retry-after': '1' }
        );
        return;
      }
      sendPage(res, url, [{ project_id: 1, name: 'a' }]);
    });
    const started = Date.now();

    const projects = await client.listProjects();

    expect(projects.map((p) => p.name)).toEqual(['a']);
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries 502/503 and then succeeds', async () => {
    let calls = 0;
    const { server, client } = await start((_req, res, url) => {
      calls++;
      if (calls <= 2) {
        sendJson(res, calls === 1 ? 502 : 503, {
          errors: [{ code: 'UNAVAILABLE', message: 'down' }],
        });
        return;
      }
      sendPage(res, url, [{ project_id: 1, name: 'a' }]);
    });

    await expect(client.listProjects()).resolves.toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after the retries with a retryable UpstreamHttpError', async () => {
    const { server, client } = await start((_req, res) => {
      sendJson(res, 503, {
        errors: [{ code: 'UNAVAILABLE', message: 'down for maintenance' }],
      });
    });

    const err = await client.listProjects().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UpstreamHttpError);
    expect(err).toMatchObject({
      status: 503,
      retryable: true,
      upstreamCode: 'UNAVAILABLE',
    });
    expect(server.requests).toHaveLength(4);
  });

  it('does not retry a 500 (not in the retry list)', async () => {
    const { server, client } = await start((_req, res) => {
      sendJson(res, 500, {});
    });

    await expect(client.listProjects()).rejects.toMatchObject({ status: 500 });
    expect(server.requests).toHaveLength(1);
  });

  it('reports a truncated body as UpstreamSchemaError', async () => {
    const { client } = await start((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-total-count': '2',
      });
      res.end('[{"project_id":1,"name":"a"},{"project_id":2,');
    });

    const err = await client.listProjects().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UpstreamSchemaError);
    expect((err as Error).message).toContain('not valid JSON');
  });

  it('reads the release from /systeminfo: harbor_version, null when not shown, a named field on drift', async () => {
    const answers: unknown[] = [
      { harbor_version: 'v2.10.1-b7b88476', auth_mode: 'db_auth' },
      { auth_mode: 'oidc_auth' },
      { harbor_version: 2 },
    ];
    const { client, server } = await start((_req, res) => {
      sendJson(res, 200, answers.shift());
    });

    expect(await client.harborVersion()).toBe('v2.10.1-b7b88476');
    expect(await client.harborVersion()).toBeNull();
    const err = await client.harborVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamSchemaError);
    expect((err as UpstreamSchemaError).problems).toEqual([
      expect.stringMatching(/^harbor_version: /),
    ]);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/v2.0/systeminfo',
      '/api/v2.0/systeminfo',
      '/api/v2.0/systeminfo',
    ]);
  });

  it('reads /systeminfo for the readiness probes as for the release: the same fields, null when not shown', async () => {
    const answers: unknown[] = [
      {
        harbor_version: 'v2.10.1-b7b88476',
        auth_mode: 'db_auth',
        current_time: '2026-11-30T12:00:00Z',
        read_only: false,
      },
      { auth_mode: 'oidc_auth' },
    ];
    const { server } = await start((_req, res) => {
      sendJson(res, 200, answers.shift());
    });
    const http = createHttpClient({
      service: 'harbor-primary',
      baseUrl: server.url,
    });
    clients.push(http);
    const metadata = new HarborMetadataClient({
      http,
      baseUrl: server.url,
      credentials: ADMIN,
    });

    expect(await metadata.systemInfo()).toEqual({
      version: 'v2.10.1-b7b88476',
      authMode: 'db_auth',
      currentTime: '2026-11-30T12:00:00Z',
      readOnly: false,
    });
    expect(await metadata.systemInfo()).toEqual({
      version: null,
      authMode: 'oidc_auth',
      currentTime: null,
      readOnly: null,
    });
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/v2.0/systeminfo',
      '/api/v2.0/systeminfo',
    ]);
  });

  it('reports schema drift as UpstreamSchemaError naming the field', async () => {
    const { client } = await start((_req, res, url) => {
      sendPage(res, url, [
        artifact(1, ['a']),
        { ...artifact(2, ['b']), digest: 42, tags: [{ id: 1 }] },
      ]);
    });

    const err = await client
      .listArtifacts('library/app')
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UpstreamSchemaError);
    expect((err as UpstreamSchemaError).problems).toEqual([
      expect.stringMatching(/^\[1\]\.digest: /),
      expect.stringMatching(/^\[1\]\.tags\[0\]\.name: /),
    ]);
  });
});

import { buildImage, storeImage } from '../../../../lab/registry/images';
import { startMemoryRegistry } from '../../../../lab/registry/memory-registry';
import type { PlainRegistry } from '../../../../lab/registry/plain-registry';
import { startHarbor, type LabHarbor } from '../../../../lab/harbor/server';
import { api, type Creds } from './helpers/api';
import { runPolicy } from './helpers/wait';

const ADMIN: Creds = { username: 'admin', password: 'Harbor12345' };

/** Rows from harbor-semantics §5.3 / §5.4: filters + namespace + count → destination repos, or a failed execution. */
const TABLE: {
  name: string;
  filters: unknown[];
  ns: string;
  k: number;
  harborDest?: boolean;
  expect: string[] | { error: RegExp };
}[] = [
  {
    name: 'k-1',
    filters: [{ type: 'name', value: 'a/b/c' }],
    ns: 'x',
    k: -1,
    expect: ['x/c'],
  },
  {
    name: 'k0',
    filters: [{ type: 'name', value: 'a/b/c' }],
    ns: 'x',
    k: 0,
    expect: ['x/a/b/c'],
  },
  {
    name: 'k1',
    filters: [{ type: 'name', value: 'a/b/c' }],
    ns: 'x',
    k: 1,
    expect: ['x/b/c'],
  },
  {
    name: 'k2',
    filters: [{ type: 'name', value: 'a/b/c' }],
    ns: 'x',
    k: 2,
    expect: ['x/c'],
  },
  {
    name: 'k3',
    filters: [{ type: 'name', value: 'a/b/c' }],
    ns: 'x',
    k: 3,
    expect: {
      error: /contains only 2 path components .* flattening level is 3/,
    },
  },
  {
    name: 'deep-k4',
    filters: [{ type: 'name', value: 'a/b/c/d/img' }],
    ns: 'ns',
    k: 4,
    expect: ['ns/img'],
  },
  {
    name: 'deep-k5',
    filters: [{ type: 'name', value: 'a/b/c/d/img' }],
    ns: 'ns',
    k: 5,
    expect: { error: /flattening level is 5/ },
  },
  {
    name: 'nginx-k2',
    filters: [{ type: 'name', value: 'library/nginx' }],
    ns: 'x',
    k: 2,
    expect: { error: /flattening level is 2/ },
  },
  {
    name: 'two-level-ns',
    filters: [{ type: 'name', value: 'a/b/c' }],
    ns: 'x/y',
    k: 1,
    expect: ['x/y/b/c'],
  },
  {
    name: 'empty-ns',
    filters: [{ type: 'name', value: 'a/b/c' }],
    ns: '',
    k: 3,
    expect: ['a/b/c'],
  },
  // One shallow repository matched by a high-k rule fails the entire execution.
  {
    name: 'one-bad-fails-all',
    filters: [{ type: 'name', value: '{a/b/c,library/nginx}' }],
    ns: 'x',
    k: 2,
    expect: { error: /library\/nginx/ },
  },
  {
    name: 'single-star',
    filters: [{ type: 'name', value: 'library/*' }],
    ns: '',
    k: 0,
    expect: ['library/nginx'],
  },
  {
    name: 'double-star',
    filters: [{ type: 'name', value: 'library/**' }],
    ns: '',
    k: 0,
    expect: ['library/nginx', 'library/tools/jq'],
  },
  {
    name: 'suffix',
    filters: [{ type: 'name', value: '**/nginx' }],
    ns: '',
    k: 0,
    expect: ['library/nginx'],
  },
  // Harbor has no regex: prefix: the pattern is a glob of literal characters and selects nothing.
  {
    name: 'regex-is-a-literal-glob',
    filters: [{ type: 'name', value: 'regex:tools' }],
    ns: '',
    k: 0,
    expect: [],
  },
  {
    name: 'tag-v',
    filters: [
      { type: 'name', value: 'a/**' },
      { type: 'tag', value: 'v*' },
    ],
    ns: '',
    k: 0,
    expect: ['a/b/c'],
  },
  {
    name: 'tag-excl',
    filters: [
      { type: 'name', value: 'a/**' },
      { type: 'tag', value: 'v*', decoration: 'excludes' },
    ],
    ns: '',
    k: 0,
    expect: ['a/b/c/d/img'],
  },
  {
    name: 'label',
    filters: [{ type: 'label', value: ['gold'] }],
    ns: '',
    k: 0,
    expect: ['library/nginx'],
  },
  {
    name: 'label-excl',
    filters: [
      { type: 'name', value: 'library/**' },
      { type: 'label', value: ['gold'], decoration: 'excludes' },
    ],
    ns: '',
    k: 0,
    expect: ['library/tools/jq'],
  },
  {
    name: 'bad-glob',
    filters: [{ type: 'name', value: 'a/[b' }],
    ns: '',
    k: 0,
    expect: { error: /failed to fetch artifacts/ },
  },
  {
    name: 'collision',
    filters: [{ type: 'name', value: '{a/b/c,library/tools/jq}' }],
    ns: 'flat',
    k: -1,
    expect: ['flat/c', 'flat/jq'],
  },
  {
    name: 'harbor-needs-two',
    filters: [{ type: 'name', value: 'a/b/c' }],
    ns: '',
    k: 0,
    harborDest: true,
    expect: ['a/b/c'],
  },
];

describe('replication naming and filters, execution by execution (harbor-semantics §5.3-5.4)', () => {
  let h: LabHarbor;
  let dest: PlainRegistry;
  let destId: number;

  beforeAll(async () => {
    h = await startHarbor({ name: 'table' });
    dest = await startMemoryRegistry();
    await api(h.url, 'POST', '/projects', {
      auth: ADMIN,
      body: { project_name: 'a' },
    });
    storeImage(h.store, 'a/b/c', 'v1', buildImage({ seed: 'abc' }));
    storeImage(h.store, 'a/b/c/d/img', 'latest', buildImage({ seed: 'deep' }));
    storeImage(
      h.store,
      'library/nginx',
      'stable',
      buildImage({ seed: 'nginx' })
    );
    storeImage(h.store, 'library/tools/jq', '1.7', buildImage({ seed: 'jq' }));
    await api(h.url, 'POST', '/labels', {
      auth: ADMIN,
      body: { name: 'gold', scope: 'g' },
    });
    const gold = [...h.state.labels.values()][0]?.id ?? 0;
    await api(
      h.url,
      'POST',
      '/projects/library/repositories/nginx/artifacts/stable/labels',
      { auth: ADMIN, body: { id: gold } }
    );
    const r = await api(h.url, 'POST', '/registries', {
      auth: ADMIN,
      body: { name: 'plain', type: 'docker-registry', url: dest.url },
    });
    destId = Number(r.headers.get('location')?.split('/').pop());
  });
  afterAll(async () => {
    await h.stop();
    await dest.stop();
  });

  it.each(TABLE)('$name', async (row) => {
    const res = await api(h.url, 'POST', '/replication/policies', {
      auth: ADMIN,
      body: {
        name: `row-${row.name}`,
        enabled: true,
        src_registry: null,
        dest_registry: { id: destId },
        dest_namespace: row.ns,
        dest_namespace_replace_count: row.k,
        filters: row.filters,
        override: true,
        deletion: false,
      },
    });
    expect(res.status).toBe(201);
    const exec = await runPolicy(
      h,
      ADMIN,
      Number(res.headers.get('location')?.split('/').pop())
    );
    const tasks = (
      await api(
        h.url,
        'GET',
        `/replication/executions/${String(exec.id)}/tasks?page_size=100`,
        { auth: ADMIN }
      )
    ).body as { dst_resource: string }[];
    if (Array.isArray(row.expect)) {
      expect(exec.status).toBe('Succeed');
      expect(
        tasks.map((t) => t.dst_resource.replace(/ \[.*$/, '')).sort()
      ).toEqual(row.expect);
    } else {
      expect(exec.status).toBe('Failed');
      expect(exec.total).toBe(0);
      expect(tasks).toEqual([]);
      expect(String(exec.status_text)).toMatch(row.expect.error);
    }
  });
});

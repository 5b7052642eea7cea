import { buildImage, storeImage } from '../../../../lab/registry/images';
import { startHarbor, type LabHarbor } from '../../../../lab/harbor/server';
import { api, type Creds } from './helpers/api';

const ADMIN: Creds = { username: 'admin', password: 'Harbor12345' };

describe('lab Harbor fault knobs', () => {
  let h: LabHarbor;

  beforeAll(async () => {
    h = await startHarbor({ name: 'faults' });
    for (let i = 0; i < 4; i++)
      storeImage(
        h.store,
        'library/app',
        `t${i}`,
        buildImage({ seed: `app-${i}` })
      );
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(async () => {
    await fetch(`${h.url}/lab/faults`, { method: 'DELETE' });
  });

  const addFault = async (fault: unknown) => {
    const res = await fetch(`${h.url}/lab/faults`, {
      method: 'POST',
      body: JSON.stringify(fault),
    });
    expect(res.status).toBe(201);
  };

  it('answers 429 with Retry-After, then 503, for the next N matching requests only', async () => {
    await addFault([
      {
        kind: 'status',
        method: 'GET',
        path: '^/api/v2\\.0/projects\\b',
        status: 429,
        retryAfter: 2,
        count: 1,
      },
      {
        kind: 'status',
        path: '^/api/v2\\.0/projects\\b',
        status: 503,
        count: 1,
      },
    ]);
    const first = await api(h.url, 'GET', '/projects', { auth: ADMIN });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect((await api(h.url, 'GET', '/projects', { auth: ADMIN })).status).toBe(
      503
    );
    expect((await api(h.url, 'GET', '/projects', { auth: ADMIN })).status).toBe(
      200
    );
    expect(
      (await api(h.url, 'GET', '/repositories', { auth: ADMIN })).status
    ).toBe(200);
  });

  it('times out and truncates bodies', async () => {
    await addFault({
      kind: 'timeout',
      path: '^/api/v2\\.0/systeminfo',
      ms: 5000,
    });
    const ctrl = AbortSignal.timeout(300);
    await expect(
      fetch(`${h.url}/api/v2.0/systeminfo`, { signal: ctrl })
    ).rejects.toThrow();
    await addFault({ kind: 'truncate', path: '^/api/v2\\.0/projects$' });
    await expect(
      fetch(`${h.url}/api/v2.0/projects`).then((r) => r.text())
    ).rejects.toThrow();
    expect((await api(h.url, 'GET', '/projects')).status).toBe(200);
  });

  it('faults /v2 too (registry side)', async () => {
    await addFault({
      kind: 'status',
      path: '^/v2/library/app/manifests/',
      status: 500,
    });
    const res = await fetch(`${h.url}/v2/library/app/manifests/t0`, {
      headers: {
        Authorization:
          'Basic ' + Buffer.from('admin:Harbor12345').toString('base64'),
      },
    });
    expect(res.status).toBe(500);
  });

  it('moves a tag between page 1 and page 2 of an artifact listing', async () => {
    await addFault({
      kind: 'shift-tag',
      repository: 'library/app',
      tag: 't3',
      to: 't0',
    });
    const path =
      '/projects/library/repositories/app/artifacts?sort=id&page_size=2';
    const p1 = (await api(h.url, 'GET', `${path}&page=1`, { auth: ADMIN }))
      .body as { tags: { name: string }[] | null }[];
    const p2 = (await api(h.url, 'GET', `${path}&page=2`, { auth: ADMIN }))
      .body as { tags: { name: string }[] | null }[];
    const seen = [...p1, ...p2].flatMap((a) =>
      (a.tags ?? []).map((t) => t.name)
    );
    // t3 moved onto the first artifact after page 1 was served: a naive pager never sees it.
    expect(p1[0]?.tags?.map((t) => t.name)).toEqual(['t0']);
    expect(seen).not.toContain('t3');
    const now = (
      await api(
        h.url,
        'GET',
        '/projects/library/repositories/app/artifacts/t0',
        { auth: ADMIN }
      )
    ).body as { tags: { name: string }[] };
    expect(now.tags.map((t) => t.name).sort()).toEqual(['t0', 't3']);
  });

  it('advances the lab clock through the admin endpoint', async () => {
    const before = Date.parse(
      ((await (await fetch(`${h.url}/lab/clock`)).json()) as { now: string })
        .now
    );
    const res = await fetch(`${h.url}/lab/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceSeconds: 600 }),
    });
    const after = Date.parse(((await res.json()) as { now: string }).now);
    expect(after - before).toBeGreaterThanOrEqual(600_000);
  });
});

import type { ServerResponse } from 'node:http';
import { HarborClient } from '../../../lambdas/adapters/harbor/harbor-client';
import { HarborRest } from '../../../lambdas/adapters/harbor/harbor-rest';
import { z } from 'zod';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import { OciRegistryClient } from '../../../lambdas/adapters/registry/oci-client';
import { IncompleteListingError } from '../../../lambdas/core/errors';
import { sendJson, startHttpFixture } from '../../helpers/http-fixture';
import type { HttpFixture } from '../../helpers/http-fixture';

const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

/** Harbor's artifact rows, page by page, as a proxy that drops X-Total-Count and Link sends them. */
function sendStrippedPage(
  res: ServerResponse,
  url: string,
  rows: unknown[]
): void {
  const u = new URL(url, 'http://harbor.invalid');
  const page = Number(u.searchParams.get('page') ?? '1');
  const size = Number(u.searchParams.get('page_size') ?? '10');
  sendJson(res, 200, rows.slice((page - 1) * size, page * size));
}

const artifact = (i: number) => ({
  id: i,
  type: 'IMAGE',
  digest: D(i),
  tags: [{ name: `t${i.toString()}` }],
});

let fixture: HttpFixture | undefined;
let http: HttpClient | undefined;
afterEach(async () => {
  await http?.close();
  await fixture?.close();
  http = undefined;
  fixture = undefined;
});

describe('a Harbor listing without X-Total-Count and Link (headers dropped by a proxy)', () => {
  it('reads past a full first page: all 101 artifacts are seen', async () => {
    const rows = Array.from({ length: 101 }, (_, i) => artifact(i + 1));
    fixture = await startHttpFixture((_req, res, url) => {
      sendStrippedPage(res, url, rows);
    });
    http = createHttpClient({ service: 'harbor-dr', baseUrl: fixture.url });
    const api = new HarborClient({
      http,
      baseUrl: fixture.url,
      deepAccessories: false,
    });
    const seen = await api.listArtifacts('library/app');
    expect(seen).toHaveLength(101);
    expect(seen.map((a) => a.tags[0]?.name)).toContain('t101');
  });

  it('stops at an empty page when the count is a multiple of the page size', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => artifact(i + 1));
    fixture = await startHttpFixture((_req, res, url) => {
      sendStrippedPage(res, url, rows);
    });
    http = createHttpClient({ service: 'harbor-dr', baseUrl: fixture.url });
    const api = new HarborClient({
      http,
      baseUrl: fixture.url,
      deepAccessories: false,
    });
    await expect(api.listArtifacts('library/app')).resolves.toHaveLength(100);
    expect(
      fixture.requests.map((r) =>
        new URL(r.url, 'http://x').searchParams.get('page')
      )
    ).toEqual(['1', '2']);
  });

  it('is incomplete, never a short list, when a probed page repeats the rows already seen', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => artifact(i + 1));
    // A proxy that also drops the page parameter: every page is the first one.
    fixture = await startHttpFixture((_req, res) => {
      sendJson(res, 200, rows);
    });
    http = createHttpClient({ service: 'harbor-dr', baseUrl: fixture.url });
    const api = new HarborClient({
      http,
      baseUrl: fixture.url,
      deepAccessories: false,
    });
    await expect(api.listArtifacts('library/app')).rejects.toThrow(
      IncompleteListingError
    );
  });
});

describe('a listing of 200,000 rows', () => {
  it('collects one huge tags/list page without overflowing the call stack', async () => {
    const tags = Array.from({ length: 200_000 }, (_, i) => `v${i.toString()}`);
    fixture = await startHttpFixture((_req, res) => {
      // A registry that ignores n= and answers everything at once.
      sendJson(res, 200, { name: 'library/app', tags });
    });
    http = createHttpClient({ service: 'registry', baseUrl: fixture.url });
    const api = new OciRegistryClient({ http });
    const listed = await api.listTags('library/app');
    expect(listed).toHaveLength(200_000);
  });
});

describe('a Harbor listing whose rows shift between pages (offset paging while pushes happen)', () => {
  /** Page 2 starts with the last row of page 1 (a row slid back): the count is right, one row unseen. */
  function shiftedServer(rows: unknown[], shiftedReadings: number) {
    let readings = 0;
    return startHttpFixture((_req, res, url) => {
      const u = new URL(url, 'http://harbor.invalid');
      const page = Number(u.searchParams.get('page') ?? '1');
      const size = Number(u.searchParams.get('page_size') ?? '10');
      if (page === 1) readings++;
      let served = rows.slice((page - 1) * size, page * size);
      if (page === 2 && readings <= shiftedReadings) {
        served = [rows[size - 1], ...served.slice(1)];
      }
      res.setHeader('X-Total-Count', String(rows.length));
      if (page * size < rows.length) {
        u.searchParams.set('page', String(page + 1));
        res.setHeader('Link', `<${u.pathname}${u.search}>; rel="next"`);
      }
      sendJson(res, 200, served);
    });
  }

  it('reads the listing again: a shift that passes is ridden out, every row seen', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => artifact(i + 1));
    fixture = await shiftedServer(rows, 1);
    http = createHttpClient({ service: 'harbor-dr', baseUrl: fixture.url });
    const api = new HarborClient({
      http,
      baseUrl: fixture.url,
      deepAccessories: false,
    });
    const seen = await api.listArtifacts('library/app');
    expect(seen).toHaveLength(150);
    expect(seen.map((a) => a.tags[0]?.name)).toContain('t101');
  });

  it('notices a shift in any listing, keyed or not (a metadata list: users)', async () => {
    const users = Array.from({ length: 150 }, (_, i) => ({
      user_id: i + 1,
      username: `u${(i + 1).toString()}`,
    }));
    fixture = await shiftedServer(users, Infinity);
    http = createHttpClient({ service: 'harbor-dr', baseUrl: fixture.url });
    const rest = new HarborRest({ http, baseUrl: fixture.url });
    const listing = rest.listAll(
      '/users',
      {},
      z.object({ user_id: z.int(), username: z.string() })
    );
    await expect(listing).rejects.toBeInstanceOf(IncompleteListingError);
    await expect(listing).rejects.toThrow(/a row came twice/);
  });

  it('is incomplete, never a list with a row missing, when the rows keep shifting', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => artifact(i + 1));
    fixture = await shiftedServer(rows, Infinity);
    http = createHttpClient({ service: 'harbor-dr', baseUrl: fixture.url });
    const api = new HarborClient({
      http,
      baseUrl: fixture.url,
      deepAccessories: false,
    });
    const listing = api.listArtifacts('library/app');
    await expect(listing).rejects.toBeInstanceOf(IncompleteListingError);
    await expect(listing).rejects.toThrow(/a row came twice/);
  });
});

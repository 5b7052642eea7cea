import { HarborClient } from '../../../lambdas/adapters/harbor/harbor-client';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import { UpstreamSchemaError } from '../../../lambdas/core/errors';
import { sendJson, startHttpFixture } from '../../helpers/http-fixture';
import type { HttpFixture } from '../../helpers/http-fixture';

const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

let fixture: HttpFixture | undefined;
let http: HttpClient | undefined;
afterEach(async () => {
  await http?.close();
  await fixture?.close();
});

/** A Harbor that lists these artifact rows for every repository. */
async function harborWith(rows: unknown[]): Promise<HarborClient> {
  fixture = await startHttpFixture((_req, res) => {
    sendJson(res, 200, rows, { 'x-total-count': String(rows.length) });
  });
  http = createHttpClient({
    service: 'harbor-primary',
    baseUrl: fixture.url,
    retry: { maxRetries: 0 },
  });
  return new HarborClient({
    http,
    baseUrl: fixture.url,
    deepAccessories: false,
  });
}

const good = {
  id: 1,
  type: 'IMAGE',
  digest: D(1),
  push_time: '2024-05-01T10:00:00.000Z',
  tags: [{ name: 'v1', push_time: '2024-05-01T10:00:00.123456Z' }],
};

describe('upstream fields are held to the report contract where they enter', () => {
  it('accepts what Harbor sends (fractional seconds, Z or offset, empty zero values)', async () => {
    const api = await harborWith([
      good,
      { ...good, id: 2, digest: D(2), push_time: '2024-05-01T12:00:00+02:00' },
      { ...good, id: 3, digest: D(3), push_time: '', tags: null },
    ]);
    await expect(api.listArtifacts('library/app')).resolves.toHaveLength(3);
  });

  it.each([
    [
      'an artifact push_time without a zone',
      { push_time: '2024-05-01 10:00:00' },
      /\[1\]\.push_time: must be an ISO 8601/,
    ],
    [
      'a tag push_time without a zone',
      { tags: [{ name: 'v2', push_time: '2024-05-01 10:00:00' }] },
      /\[1\]\.tags\[0\]\.push_time/,
    ],
    [
      'a digest that is a path',
      { digest: 'sha256:../../x' },
      /\[1\]\.digest: must be a digest/,
    ],
    [
      'a digest of an algorithm no registry uses (found by the fault campaign)',
      { digest: 'md5:abc' },
      /\[1\]\.digest: must be a sha256 or sha512 digest/,
    ],
    [
      'a truncated sha256',
      { digest: 'sha256:abc' },
      /\[1\]\.digest: must be a sha256 or sha512 digest/,
    ],
    [
      'an index child that is no digest',
      { references: [{ child_digest: 'sha256:a/b' }] },
      /\[1\]\.references\[0\]\.child_digest/,
    ],
    [
      'an accessory digest that is no digest',
      { accessories: [{ digest: '../x', type: 'signature.cosign' }] },
      /\[1\]\.accessories\[0\]\.digest/,
    ],
  ])(
    '%s makes the listing fail, naming the field and not the value',
    async (_what, bad, field) => {
      const api = await harborWith([
        good,
        { ...good, id: 2, digest: D(2), ...bad },
      ]);
      const err: unknown = await api
        .listArtifacts('library/app')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamSchemaError);
      expect((err as Error).message).toMatch(field);
      expect((err as Error).message).not.toContain('../');
      expect((err as Error).message).not.toContain('10:00:00');
    }
  );
});

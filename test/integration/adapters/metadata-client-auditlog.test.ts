import { HarborMetadataClient } from '../../../lambdas/adapters/harbor/metadata-client';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import { Credentials } from '../../../lambdas/adapters/secrets/credentials';
import { sendJson, startHttpFixture } from '../../helpers/http-fixture';
import type { HttpFixture } from '../../helpers/http-fixture';

/** Harbor 2.12 (no /auditlog-exts) and 2.13 (with it), as the audit-log read sees them. */
describe('HarborMetadataClient.auditLogSummary', () => {
  let server: HttpFixture;
  let has213 = true;
  const clients: HttpClient[] = [];

  beforeAll(async () => {
    server = await startHttpFixture((_req, res, url) => {
      if (url.startsWith('/api/v2.0/auditlog-exts') && has213) {
        sendJson(res, 200, [{ id: 7, op_time: '2026-11-29T11:00:00.000Z' }], {
          'x-total-count': '42',
        });
        return;
      }
      sendJson(res, 404, {
        errors: [{ code: 'NOT_FOUND', message: 'no such route' }],
      });
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server.close();
  });

  const client = (): HarborMetadataClient => {
    const http = createHttpClient({
      service: 'harbor-primary',
      baseUrl: server.url,
      keepAliveTimeoutMs: 10,
      retry: { minDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1_500 },
    });
    clients.push(http);
    return new HarborMetadataClient({
      http,
      baseUrl: server.url,
      credentials: new Credentials('admin', 'S3cret-Pa55'),
    });
  };

  it('reads the newest entry and the total from 2.13 on', async () => {
    has213 = true;
    await expect(client().auditLogSummary()).resolves.toEqual({
      total: 42,
      latest: '2026-11-29T11:00:00.000Z',
    });
  });

  it('says "not applicable" on a 404 (Harbor 2.8-2.12), instead of failing', async () => {
    has213 = false;
    await expect(client().auditLogSummary()).resolves.toEqual({
      total: null,
      latest: null,
      notApplicable: expect.stringContaining('only from Harbor 2.13') as string,
    });
  });
});

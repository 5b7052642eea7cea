import { MemoryBudget } from '../../../lambdas/adapters/http/budget';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import { TARGET_DRIVERS } from '../../../lambdas/compose/drivers';
import type { HarborApi } from '../../../lambdas/core/ports';
import { parseConfig } from '../../../lambdas/shared/config';
import { runAudit } from '../../../lambdas/use-cases/audit';
import type { AuditInput } from '../../../lambdas/use-cases/audit';
import { sendJson, startHttpFixture } from '../../helpers/http-fixture';
import type { HttpFixture } from '../../helpers/http-fixture';
import { endpoint, policy } from '../../helpers/policy-fixture';
import { fakeArtifact, fakePrimary } from '../../helpers/fake-harbor';

const NOW = new Date('2026-11-29T12:00:00Z');
const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const MEDIA = 'application/vnd.oci.image.manifest.v1+json';

/** The primary: library/app with v1; library/old was deleted there. */
function primary(url: string, deletion: boolean): HarborApi {
  return fakePrimary({
    harborVersion: () => Promise.resolve('v2.15.2'),
    listPolicies: () =>
      Promise.resolve([policy({ deletion, destRegistry: endpoint({ url }) })]),
    listArtifacts: () => Promise.resolve([fakeArtifact('v1', 1)]),
  });
}

/**
 * A plain registry holding library/app:v1 (replicated) and library/old:v0 (deleted on the
 * primary, so an orphan under a deletion-replicating policy); its catalog answers `catalog`.
 */
async function registry(catalog: number): Promise<HttpFixture> {
  return startHttpFixture((_req, res, url) => {
    const path = url.split('?')[0] ?? '';
    if (path === '/v2/_catalog') {
      if (catalog === 200)
        sendJson(res, 200, { repositories: ['library/app', 'library/old'] });
      else sendJson(res, catalog, { errors: [{ code: 'UNSUPPORTED' }] });
      return;
    }
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(path)?.[1];
    if (tags === 'library/app') {
      sendJson(res, 200, { name: tags, tags: ['v1'] });
      return;
    }
    if (tags === 'library/old') {
      sendJson(res, 200, { name: tags, tags: ['v0'] });
      return;
    }
    const m = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(path);
    if (m?.[1] === 'library/app' && m[2] === 'v1') {
      res.writeHead(200, {
        'docker-content-digest': D(1),
        'content-type': MEDIA,
      });
      res.end();
      return;
    }
    if (m?.[1] === 'library/old' && m[2] === 'v0') {
      res.writeHead(200, {
        'docker-content-digest': D(9),
        'content-type': MEDIA,
      });
      res.end();
      return;
    }
    sendJson(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
  });
}

const servers: HttpFixture[] = [];
const pools: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function audit(catalog: number, deletion: boolean) {
  const server = await registry(catalog);
  servers.push(server);
  const config = parseConfig(
    {
      primary: { name: 'harbor', url: 'https://harbor.example.com' },
      targets: [{ name: 'cluster1', url: server.url, kind: 'distribution' }],
    },
    'test'
  );
  const target = config.targets[0];
  if (!target) throw new Error('no target');
  const http = createHttpClient({
    service: 'cluster1',
    baseUrl: server.url,
    retry: { maxRetries: 0 },
  });
  pools.push(http);
  const driver = TARGET_DRIVERS.distribution;
  const built = driver.build(
    {
      config: target,
      http,
      credentials: undefined,
      caBundle: undefined,
      budget: new MemoryBudget(),
    },
    4
  );
  const input: AuditInput = {
    runId: 'run-1',
    toolVersion: 'test',
    primary: { name: 'harbor', url: 'https://harbor.example.com' },
    policies: 'auto',
    rpoObjectiveMinutes: 60,
    concurrency: 4,
    deadline: new Date(NOW.getTime() + 60_000),
  };
  const report = await runAudit(
    {
      primary: primary(server.url, deletion),
      targets: [
        {
          name: 'cluster1',
          kind: 'distribution',
          url: server.url,
          traits: driver.traits,
          observer: built.observer,
        },
      ],
      clock: { now: () => NOW },
    },
    input
  );
  const t = report.targets[0];
  if (!t) throw new Error('no target report');
  return t;
}

describe('orphans on a plain registry that a deletion-replicating policy feeds', () => {
  it('are found through the catalog', async () => {
    const t = await audit(200, true);
    expect(t.counts).toMatchObject({ synced: 1, orphaned: 1 });
    expect(t.verdict).not.toBe('READY');
  });

  it.each([401, 403, 404])(
    'are unseen when /v2/_catalog answers %i: the shard is UNKNOWN with the reason, never READY',
    async (status) => {
      const t = await audit(status, true);
      // The expected refs are still checked one by one.
      expect(t.counts).toMatchObject({ expected: 1, synced: 1, unknown: 0 });
      expect(t.shards).toEqual([
        {
          project: 'library',
          status: 'unknown',
          reason: expect.stringMatching(
            /does not list its repositories.*deleted on the primary are unseen/
          ) as string,
          causes: [
            {
              kind: 'namespace',
              text: expect.stringMatching(
                /does not list its repositories.*deleted on the primary are unseen/
              ) as string,
            },
          ],
        },
      ]);
      expect(t.verdict).toBe('UNKNOWN');
    }
  );

  it('do not matter without a deletion-replicating policy: READY without a catalog', async () => {
    const t = await audit(404, false);
    expect(t.shards).toEqual([{ project: 'library', status: 'audited' }]);
    expect(t.verdict).toBe('READY');
  });
});

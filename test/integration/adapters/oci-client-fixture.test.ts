import { createHash } from 'node:crypto';
import { AuthError } from '../../../lambdas/core/errors';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import {
  MANIFEST_ACCEPT,
  MEDIA_TYPES,
  OciRegistryClient,
} from '../../../lambdas/adapters/registry/oci-client';
import { Credentials } from '../../../lambdas/adapters/secrets/credentials';
import { sendJson, startHttpFixture } from '../../helpers/http-fixture';
import type { FixtureHandler, HttpFixture } from '../../helpers/http-fixture';

const CREDS = new Credentials('robot$dr', 'tok-secret');
const BASIC = `Basic ${Buffer.from('robot$dr:tok-secret').toString('base64')}`;
const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

const servers: HttpFixture[] = [];
const clients: HttpClient[] = [];
async function start(
  handler: FixtureHandler,
  opts: { credentials?: Credentials; now?: () => number } = {}
): Promise<{ server: HttpFixture; client: OciRegistryClient }> {
  const server = await startHttpFixture(handler);
  servers.push(server);
  const http = createHttpClient({
    service: 'cluster1-registry',
    baseUrl: server.url,
    keepAliveTimeoutMs: 10,
    retry: { maxRetries: 0 },
  });
  clients.push(http);
  return { server, client: new OciRegistryClient({ http, ...opts }) };
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A Harbor-like token registry: scope-bound tokens issued by /service/token. */
function tokenRegistry(state: {
  issued: string[];
  tokenField: 'token' | 'access_token';
  expiresIn?: number;
}): FixtureHandler {
  return (req, res, url) => {
    const u = new URL(url, 'http://x');
    if (u.pathname === '/service/token') {
      if (req.headers.authorization !== BASIC) {
        sendJson(res, 401, {});
        return;
      }
      const scopes = u.searchParams.getAll('scope').sort().join(' ');
      const token = `t${state.issued.length.toString()}|${scopes}`;
      state.issued.push(`${u.searchParams.get('service') ?? ''}:${scopes}`);
      {
        sendJson(res, 200, {
          [state.tokenField]: token,
          ...(state.expiresIn ? { expires_in: state.expiresIn } : {}),
        });
        return;
      }
    }
    const repo = /^\/v2\/(.+)\/(tags|manifests)\//.exec(u.pathname)?.[1];
    const needed = repo ? `repository:${repo}:pull` : '';
    const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const [, scopes = ''] = bearer.split('|');
    const revoked =
      bearer.startsWith('t0|') &&
      state.issued.length > 1 &&
      repo === 'team/old';
    if (
      !req.headers.authorization?.startsWith('Bearer ') ||
      !scopes.split(' ').includes(needed) ||
      revoked
    ) {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${'http://' + (req.headers.host ?? '')}/service/token",service="harbor-registry"${repo ? `,scope="${needed},push repository:other:pull"` : ''}`,
      });
      {
        res.end();
        return;
      }
    }
    if (u.pathname.endsWith('/tags/list')) {
      {
        sendJson(res, 200, { name: repo, tags: ['a', 'b'] });
        return;
      }
    }
    res.writeHead(200, {
      'docker-content-digest': D(1),
      'content-type': MEDIA_TYPES.ociManifest,
      'content-length': '321',
    });
    res.end();
  };
}

describe('OciRegistryClient auth handshakes (fixture registries)', () => {
  it('follows a Bearer challenge with quoted commas and several scopes, and caches the token per scope', async () => {
    const state = { issued: [] as string[], tokenField: 'token' as const };
    const { server, client } = await start(tokenRegistry(state), {
      credentials: CREDS,
    });

    const head = await client.headManifest('team/app', '1.0');
    await client.listTags('team/app');
    await client.headManifest('team/app', '2.0');

    expect(head).toEqual({
      digest: D(1),
      mediaType: MEDIA_TYPES.ociManifest,
      size: 321,
    });
    // One token: the request scope plus every space-separated scope of the challenge.
    expect(state.issued).toEqual([
      'harbor-registry:repository:other:pull repository:team/app:pull repository:team/app:pull,push',
    ]);
    const manifestCalls = server.requests.filter((r) =>
      r.url.includes('/manifests/')
    );
    expect(manifestCalls.map((r) => r.headers.accept)).toEqual([
      MANIFEST_ACCEPT,
      MANIFEST_ACCEPT,
      MANIFEST_ACCEPT,
    ]);
  });

  it('accepts access_token, and fetches a new token once the cached one expired', async () => {
    let now = 1_000_000;
    const state = {
      issued: [] as string[],
      tokenField: 'access_token' as const,
    };
    const { client } = await start(tokenRegistry(state), {
      credentials: CREDS,
      now: () => now,
    });

    await client.headManifest('team/app', '1.0');
    now += 30_000;
    await client.headManifest('team/app', '1.0');
    const afterHalfLife = state.issued.length;
    // expires_in defaults to 60 s.
    now += 31_000;
    await client.headManifest('team/app', '1.0');

    expect(afterHalfLife).toBe(1);
    expect(state.issued).toHaveLength(2);
    // The renewal is fetched up front for the request's own scope, without a 401 round trip.
    expect(state.issued[1]).toBe('harbor-registry:repository:team/app:pull');
  });

  it('re-authenticates once when a cached token is refused', async () => {
    const state = { issued: [] as string[], tokenField: 'token' as const };
    const { client } = await start(tokenRegistry(state), {
      credentials: CREDS,
    });
    // Token t0 covers team/old; a later token makes the registry revoke it.
    await client.headManifest('team/old', '1');
    await client.headManifest('team/app', '1');

    await expect(client.headManifest('team/old', '1')).resolves.toMatchObject({
      digest: D(1),
    });
    expect(state.issued).toHaveLength(3);
  });

  it('reports a token endpoint refusal as AuthError without the secret', async () => {
    const state = { issued: [] as string[], tokenField: 'token' as const };
    const { client } = await start(tokenRegistry(state), {
      credentials: new Credentials('robot$dr', 'bad-secret'),
    });

    const err = await client.listTags('team/app').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AuthError);
    expect(String(err)).not.toContain('bad-secret');
  });

  it('classifies 403 on a repository as AuthError (unverifiable), not as missing', async () => {
    const { client } = await start((_req, res) => {
      sendJson(res, 403, {
        errors: [
          {
            code: 'DENIED',
            message: 'requested access to the resource is denied',
          },
        ],
      });
    });

    await expect(client.headManifest('team/secret', '1')).rejects.toMatchObject(
      { name: 'AuthError', status: 403 }
    );
    await expect(client.listTags('team/secret')).rejects.toBeInstanceOf(
      AuthError
    );
  });
});

describe('OciRegistryClient listings and digests (fixture registries)', () => {
  it('follows tags/list Link pages (relative, escaped) and tolerates tags: null', async () => {
    const { server, client } = await start((_req, res, url) => {
      const u = new URL(url, 'http://x');
      if (u.pathname === '/v2/team/empty/tags/list') {
        sendJson(res, 200, { name: 'team/empty', tags: null });
        return;
      }
      const last = u.searchParams.get('last');
      if (last === null) {
        sendJson(
          res,
          200,
          { name: 'team/app', tags: ['a', 'b'] },
          { link: '</v2/team/app/tags/list?last=b&n=2>; rel="next"' }
        );
        return;
      }
      if (last === 'b') {
        sendJson(
          res,
          200,
          { name: 'team/app', tags: ['c', 'd'] },
          { link: '</v2/team/app/tags/list?last=d%2Bx&n=2>; rel="next"' }
        );
        return;
      }
      {
        sendJson(res, 200, { name: 'team/app', tags: ['e'] });
        return;
      }
    });

    await expect(client.listTags('team/app')).resolves.toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    await expect(client.listTags('team/empty')).resolves.toEqual([]);
    expect(server.requests.map((r) => r.url)).toContain(
      '/v2/team/app/tags/list?last=d%2Bx&n=2'
    );
  });

  it('treats a catalog that is not offered (401/403/404) as null', async () => {
    for (const status of [401, 403, 404]) {
      const { client } = await start(
        (_req, res) => {
          if (status === 401) {
            res.writeHead(401, { 'www-authenticate': 'Basic realm="harbor"' });
            {
              res.end();
              return;
            }
          }
          sendJson(res, status, {
            errors: [{ code: 'UNAUTHORIZED', message: 'no' }],
          });
        },
        { credentials: CREDS }
      );

      await expect(client.listCatalog()).resolves.toBeNull();
    }
  });

  it('GETs the manifest and hashes its raw bytes when Docker-Content-Digest is missing', async () => {
    const raw = Buffer.from(
      '{"schemaVersion":2,  "mediaType":"application/vnd.oci.image.manifest.v1+json"}\n'
    );
    const { server, client } = await start((req, res) => {
      res.writeHead(200, {
        'content-type': MEDIA_TYPES.ociManifest,
        'content-length': String(raw.length),
      });
      res.end(req.method === 'HEAD' ? undefined : raw);
    });

    const head = await client.headManifest('team/app', '1.0');

    expect(head).toEqual({
      digest: `sha256:${createHash('sha256').update(raw).digest('hex')}`,
      mediaType: MEDIA_TYPES.ociManifest,
      size: raw.length,
    });
    expect(server.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('reads the referrers API when the registry offers it, across Link pages', async () => {
    const { server, client } = await start((_req, res, url) => {
      const page2 = url.includes('page=2');
      sendJson(
        res,
        200,
        {
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociIndex,
          manifests: [
            {
              mediaType: MEDIA_TYPES.ociManifest,
              digest: page2 ? D(8) : D(7),
              size: 1,
              artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
            },
          ],
        },
        page2
          ? {}
          : { link: `</v2/team/app/referrers/${D(1)}?page=2>; rel="next"` }
      );
    });

    await expect(client.listReferrers('team/app', D(1))).resolves.toEqual([
      D(7),
      D(8),
    ]);
    expect(server.requests[0]?.headers.accept).toBe(MEDIA_TYPES.ociIndex);
  });
});

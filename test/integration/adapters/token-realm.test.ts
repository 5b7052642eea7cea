import { MockAgent } from 'undici';
import { MemoryBudget } from '../../../lambdas/adapters/http/budget';
import { clientOptions } from '../../../lambdas/compose/endpoints';
import { parseConfig } from '../../../lambdas/shared/config';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import { observeRegistryTarget } from '../../../lambdas/adapters/observe/observe-registry';
import { OciRegistryClient } from '../../../lambdas/adapters/registry/oci-client';
import { Credentials } from '../../../lambdas/adapters/secrets/credentials';
import { AuthError } from '../../../lambdas/core/errors';
import { sendJson, startHttpFixture } from '../../helpers/http-fixture';
import type { HttpFixture } from '../../helpers/http-fixture';

const SECRET = 'realm-Pa55word';
const CREDS = new Credentials('robot$dr', SECRET);
const BASIC = `Basic ${Buffer.from(`robot$dr:${SECRET}`).toString('base64')}`;
const D1 = `sha256:${'1'.repeat(64)}`;

const servers: HttpFixture[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A token service: issues a token to whoever presents the credentials. */
async function tokenServer(): Promise<HttpFixture> {
  const s = await startHttpFixture((req, res) => {
    if (req.headers.authorization !== BASIC) sendJson(res, 401, {});
    else sendJson(res, 200, { token: 'tok' });
  });
  servers.push(s);
  return s;
}

/** A registry whose tags/list wants a Bearer token from `realm` (a function of its own URL). */
async function registry(realm: (self: string) => string): Promise<HttpFixture> {
  let self = '';
  const s = await startHttpFixture((req, res, url) => {
    if (url.startsWith('/token')) {
      if (req.headers.authorization !== BASIC) sendJson(res, 401, {});
      else sendJson(res, 200, { token: 'tok' });
      return;
    }
    if (req.headers.authorization !== 'Bearer tok') {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${realm(self)}",service="reg"`,
      });
      res.end();
      return;
    }
    if (url.startsWith('/v2/team/app/tags/list')) {
      sendJson(res, 200, { name: 'team/app', tags: ['v1'] });
      return;
    }
    res.writeHead(200, {
      'docker-content-digest': D1,
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
    });
    res.end();
  });
  self = s.url;
  servers.push(s);
  return s;
}

function client(
  baseUrl: string,
  extra: { tokenRealms?: string[] } = {}
): OciRegistryClient {
  const http = createHttpClient({
    service: 'cluster1-registry',
    baseUrl,
    retry: { maxRetries: 0 },
  });
  clients.push(http);
  return new OciRegistryClient({ http, credentials: CREDS, ...extra });
}

describe('credentials and the token realm', () => {
  it('sends no credentials to a realm on another host, and says which setting allows it', async () => {
    const foreign = await tokenServer();
    const reg = await registry(() => `${foreign.url}/token`);
    const api = client(reg.url);
    const err: unknown = await api
      .listTags('team/app')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/tokenRealms/);
    expect((err as Error).message).toMatch(/https/);
    expect(foreign.requests).toHaveLength(0);
    expect(JSON.stringify(reg.requests)).not.toContain(BASIC);
  });

  it('leaves the repository unobserved (so UNKNOWN), never seen', async () => {
    const foreign = await tokenServer();
    const reg = await registry(() => `${foreign.url}/token`);
    await expect(
      observeRegistryTarget(client(reg.url), ['team/app'], [])
    ).rejects.toThrow(AuthError);
    expect(foreign.requests).toHaveLength(0);
  });

  it('refuses an http realm on another origin even when its host is listed', async () => {
    const foreign = await tokenServer();
    const reg = await registry(() => `${foreign.url}/token`);
    const host = new URL(foreign.url).host;
    const api = client(reg.url, { tokenRealms: [host] });
    await expect(api.listTags('team/app')).rejects.toThrow(/not https/);
    expect(foreign.requests).toHaveLength(0);
  });

  it('still authenticates with a realm on the registry itself', async () => {
    const reg = await registry((self) => `${self}/token`);
    await expect(client(reg.url).listTags('team/app')).resolves.toEqual(['v1']);
  });
});

describe('credentials and the token realm of an https registry', () => {
  function mocked(realm: string, tokenRealms?: string[]) {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const seen: { origin: string; authorization: string | undefined }[] = [];
    const reg = agent.get('https://registry.example.com');
    reg
      .intercept({ path: /^\/v2\/team\/app\/tags\/list/, method: 'GET' })
      .reply((opts) => {
        const h = opts.headers as Record<string, string>;
        seen.push({ origin: 'registry', authorization: h.authorization });
        return h.authorization === 'Bearer tok'
          ? { statusCode: 200, data: { name: 'team/app', tags: ['v1'] } }
          : {
              statusCode: 401,
              data: '',
              responseOptions: {
                headers: {
                  'www-authenticate': `Bearer realm="${realm}",service="reg"`,
                },
              },
            };
      })
      .persist();
    for (const origin of [
      'http://registry.example.com',
      'https://auth.example.com',
    ]) {
      agent
        .get(origin)
        .intercept({ path: /^\/token/, method: 'GET' })
        .reply((opts) => {
          const h = opts.headers as Record<string, string>;
          seen.push({ origin, authorization: h.authorization });
          return { statusCode: 200, data: { token: 'tok' } };
        })
        .persist();
    }
    const http = createHttpClient({
      service: 'cluster1-registry',
      baseUrl: 'https://registry.example.com',
      dispatcherFor: (o) => agent.get(o),
      retry: { maxRetries: 0 },
    });
    clients.push(http);
    const api = new OciRegistryClient({
      http,
      credentials: CREDS,
      ...(tokenRealms ? { tokenRealms } : {}),
    });
    return { api, seen };
  }

  it('refuses a plain-http realm on its own host', async () => {
    const { api, seen } = mocked('http://registry.example.com/token');
    await expect(api.listTags('team/app')).rejects.toThrow(/not https/);
    expect(seen.filter((s) => s.origin !== 'registry')).toEqual([]);
  });

  it('refuses an https realm on a host that targets[].tokenRealms does not list', async () => {
    const { api, seen } = mocked('https://auth.example.com/token');
    await expect(api.listTags('team/app')).rejects.toThrow(
      /auth\.example\.com.*tokenRealms/
    );
    expect(seen.filter((s) => s.origin !== 'registry')).toEqual([]);
  });

  it('sends credentials to an https realm that targets[].tokenRealms lists', async () => {
    const { api, seen } = mocked('https://auth.example.com/token', [
      'auth.example.com',
    ]);
    await expect(api.listTags('team/app')).resolves.toEqual(['v1']);
    expect(seen).toContainEqual({
      origin: 'https://auth.example.com',
      authorization: BASIC,
    });
  });
});

describe('targets[].tokenRealms in the config', () => {
  const base = (tokenRealms: unknown) => ({
    primary: { name: 'primary', url: 'https://harbor.example.com' },
    targets: [
      {
        name: 'dr',
        url: 'https://registry.example.com',
        kind: 'distribution',
        tokenRealms,
      },
    ],
  });

  it('takes hosts and host:port, lower-cased', () => {
    const config = parseConfig(
      base(['Auth.Example.com', 'auth2.example.com:8443']),
      'test'
    );
    expect(config.targets[0]?.tokenRealms).toEqual([
      'auth.example.com',
      'auth2.example.com:8443',
    ]);
  });

  it('rejects a URL, naming the field', () => {
    expect(() =>
      parseConfig(base(['https://auth.example.com/token']), 'test')
    ).toThrow(/targets\[0\]\.tokenRealms\[0\]: must be a host or host:port/);
  });

  it('reaches the registry client of the target', () => {
    const config = parseConfig(base(['auth.example.com']), 'test');
    const target = config.targets[0];
    if (!target) throw new Error('no target');
    const http = createHttpClient({ service: 'dr', baseUrl: target.url });
    clients.push(http);
    const options = clientOptions({
      config: target,
      http,
      credentials: undefined,
      caBundle: undefined,
      budget: new MemoryBudget(),
    });
    expect(options.tokenRealms).toEqual(['auth.example.com']);
  });
});

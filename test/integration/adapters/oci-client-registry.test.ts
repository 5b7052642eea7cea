import { AuthError } from '../../../lambdas/core/errors';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import {
  MANIFEST_ACCEPT,
  MEDIA_TYPES,
  OciRegistryClient,
} from '../../../lambdas/adapters/registry/oci-client';
import { Credentials } from '../../../lambdas/adapters/secrets/credentials';
import { observeRegistryTarget } from '../../../lambdas/adapters/observe/observe-registry';
import type { ExpectedRef } from '../../../lambdas/core/model';
import {
  pushManifest,
  pushOciImage,
  pushOciIndex,
  startDockerRegistry,
} from '../../helpers/docker-registry';
import type { RunningRegistry } from '../../helpers/docker-registry';

const clients: HttpClient[] = [];
function httpFor(url: string): HttpClient {
  const http = createHttpClient({
    service: 'cluster1-registry',
    baseUrl: url,
    keepAliveTimeoutMs: 10,
    retry: { maxRetries: 0 },
  });
  clients.push(http);
  return http;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('OciRegistryClient against the real docker-registry 2.8.2', () => {
  let registry: RunningRegistry;
  let image: { digest: string; size: number };
  let index: { digest: string; children: string[] };

  beforeAll(async () => {
    registry = await startDockerRegistry();
    image = await pushOciImage(registry.url, 'library/app', '1.0', 'amd64');
    index = await pushOciIndex(registry.url, 'library/multi', 'v1');
  });
  afterAll(async () => {
    await registry.stop();
  });

  it('HEADs an OCI image and an OCI index by tag with their true digests', async () => {
    // Arrange
    const client = new OciRegistryClient({ http: httpFor(registry.url) });

    // Act
    const app = await client.headManifest('library/app', '1.0');
    const multi = await client.headManifest('library/multi', 'v1');

    // Assert
    expect(app).toEqual({
      digest: image.digest,
      mediaType: MEDIA_TYPES.ociManifest,
      size: image.size,
    });
    expect(multi?.digest).toBe(index.digest);
    expect(multi?.mediaType).toBe(MEDIA_TYPES.ociIndex);
  });

  it('needs the full Accept list: the registry answers 404 when a type is dropped', async () => {
    // Arrange: the same HEAD with one type missing from Accept, as a careless client sends it.
    const withoutIndex = MANIFEST_ACCEPT.split(', ')
      .filter((t) => t !== MEDIA_TYPES.ociIndex)
      .join(', ');
    const withoutOciManifest = MANIFEST_ACCEPT.split(', ')
      .filter((t) => t !== MEDIA_TYPES.ociManifest)
      .join(', ');

    // Act
    const indexReduced = await fetch(
      `${registry.url}/v2/library/multi/manifests/v1`,
      {
        method: 'HEAD',
        headers: { accept: withoutIndex },
      }
    );
    const imageReduced = await fetch(
      `${registry.url}/v2/library/app/manifests/1.0`,
      {
        method: 'HEAD',
        headers: { accept: withoutOciManifest },
      }
    );
    const full = await fetch(`${registry.url}/v2/library/multi/manifests/v1`, {
      method: 'HEAD',
      headers: { accept: MANIFEST_ACCEPT },
    });

    // Assert: a false "missing" without the full list, the true digest with it.
    expect(indexReduced.status).toBe(404);
    expect(imageReduced.status).toBe(404);
    expect(full.status).toBe(200);
    expect(full.headers.get('docker-content-digest')).toBe(index.digest);
  });

  it('HEADs index children by digest, and answers null for unknown tags and repositories', async () => {
    const client = new OciRegistryClient({ http: httpFor(registry.url) });

    const children = await Promise.all(
      index.children.map((d) => client.headManifest('library/multi', d))
    );
    const unknownTag = await client.headManifest('library/app', 'nope');
    const unknownRepo = await client.headManifest('library/ghost', '1.0');

    expect(children.map((c) => c?.digest)).toEqual(index.children);
    expect(unknownTag).toBeNull();
    expect(unknownRepo).toBeNull();
  });

  it('lists tags, the catalog, and null for an unknown repository', async () => {
    const client = new OciRegistryClient({ http: httpFor(registry.url) });
    await pushOciImage(registry.url, 'library/app', '2.0', 'amd64');

    const tags = await client.listTags('library/app');
    const missing = await client.listTags('library/ghost');
    const catalog = await client.listCatalog();

    expect([...(tags ?? [])].sort()).toEqual(['1.0', '2.0']);
    expect(missing).toBeNull();
    expect(catalog).toEqual(
      expect.arrayContaining(['library/app', 'library/multi'])
    );
  });

  it('follows the catalog Link pages to the end', async () => {
    const client = new OciRegistryClient({
      http: httpFor(registry.url),
      pageSize: 1,
    });

    const catalog = await client.listCatalog();

    expect(catalog).toEqual(
      expect.arrayContaining(['library/app', 'library/multi'])
    );
    expect(new Set(catalog).size).toBe(catalog?.length);
  });

  it('returns [] for tags once every manifest is deleted (tags: null)', async () => {
    const client = new OciRegistryClient({ http: httpFor(registry.url) });
    const pushed = await pushOciImage(
      registry.url,
      'library/gone',
      'x',
      'amd64'
    );
    const del = await fetch(
      `${registry.url}/v2/library/gone/manifests/${pushed.digest}`,
      {
        method: 'DELETE',
      }
    );
    expect(del.status).toBe(202);

    await expect(client.listTags('library/gone')).resolves.toEqual([]);
  });

  it('falls back to the referrers tag schema where the referrers API is missing (404)', async () => {
    const client = new OciRegistryClient({ http: httpFor(registry.url) });
    const sig = await pushOciImage(
      registry.url,
      'library/app',
      undefined,
      'signature'
    );
    const referrersIndex = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [
        {
          mediaType: MEDIA_TYPES.ociManifest,
          digest: sig.digest,
          size: sig.size,
        },
      ],
    };
    await pushManifest(
      registry.url,
      'library/app',
      image.digest.replace(':', '-'),
      referrersIndex,
      MEDIA_TYPES.ociIndex
    );

    const referrers = await client.listReferrers('library/app', image.digest);
    const none = await client.listReferrers('library/multi', index.digest);

    expect(referrers).toEqual([sig.digest]);
    expect(none).toEqual([]);
  });

  it('observes a plain target: tags by HEAD, digest refs, index children', async () => {
    const client = new OciRegistryClient({ http: httpFor(registry.url) });
    const expected: ExpectedRef[] = [
      expectedRef('library/multi', 'v1', false, index.digest, index.children),
      expectedRef('library/app', image.digest, true, image.digest, []),
      expectedRef('library/ghost', '1.0', false, image.digest, []),
    ];

    const observed = await observeRegistryTarget(
      client,
      ['library/multi', 'library/app', 'library/ghost'],
      expected,
      { concurrency: 4 }
    );

    const multi = observed.find((o) => o.repository === 'library/multi');
    expect(multi?.exists).toBe(true);
    expect(multi?.refs).toEqual([
      expect.objectContaining({
        reference: 'v1',
        byDigest: false,
        digest: index.digest,
        childDigests: index.children,
      }),
    ]);
    const app = observed.find((o) => o.repository === 'library/app');
    expect(app?.refs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reference: '1.0', digest: image.digest }),
        expect.objectContaining({ reference: image.digest, byDigest: true }),
      ])
    );
    expect(observed.find((o) => o.repository === 'library/ghost')).toEqual({
      repository: 'library/ghost',
      exists: false,
      refs: [],
    });
  });
});

describe('OciRegistryClient against docker-registry with htpasswd Basic auth', () => {
  let registry: RunningRegistry;
  const user = { username: 'admin', password: 'Harbor12345' };
  const basic = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  let digest: string;

  beforeAll(async () => {
    registry = await startDockerRegistry({ basicAuth: user });
    digest = (
      await pushOciImage(registry.url, 'team/api', '1', 'amd64', {
        authorization: basic,
      })
    ).digest;
  });
  afterAll(async () => {
    await registry.stop();
  });

  it('answers the Basic challenge with the credentials', async () => {
    const client = new OciRegistryClient({
      http: httpFor(registry.url),
      credentials: new Credentials(user.username, user.password),
    });

    await client.ping();
    const head = await client.headManifest('team/api', '1');

    expect(head?.digest).toBe(digest);
  });

  it('reports rejected credentials as AuthError (unverifiable), not as missing', async () => {
    const client = new OciRegistryClient({
      http: httpFor(registry.url),
      credentials: new Credentials(user.username, 'wrong-password'),
    });

    const err = await client
      .headManifest('team/api', '1')
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).status).toBe(401);
    expect((err as Error).message).not.toContain('wrong-password');
  });

  it('reports a missing Basic credential as AuthError', async () => {
    const client = new OciRegistryClient({ http: httpFor(registry.url) });

    await expect(client.listTags('team/api')).rejects.toBeInstanceOf(AuthError);
  });
});

function expectedRef(
  repository: string,
  reference: string,
  byDigest: boolean,
  digest: string,
  childDigests: string[]
): ExpectedRef {
  return {
    target: 'cluster1-registry',
    repository,
    reference,
    byDigest,
    digest,
    manifestMediaType: MEDIA_TYPES.ociManifest,
    childDigests,
    source: { repository, reference },
    policy: { id: 1, name: 'to-cluster1', override: true, deletion: false },
  };
}

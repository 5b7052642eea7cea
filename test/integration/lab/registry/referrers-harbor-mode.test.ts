import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDistributionRegistry } from '../../../../lab/registry/distribution';
import type { PlainRegistry } from '../../../../lab/registry/plain-registry';
import {
  buildImage,
  buildSignature,
  descriptorOf,
  storeImage,
} from '../../../../lab/registry/images';
import { FULL_ACCEPT, MEDIA } from '../../../../lab/registry/media-types';
import { startMemoryRegistry } from '../../../../lab/registry/memory-registry';
import { LabOciClient, copyToRemote } from '../../../../lab/registry/oci-copy';
import { OciStore } from '../../../../lab/registry/store';
import { createTokenIssuer } from '../../../../lab/registry/token';
import { createV2Handler, scopeOf } from '../../../../lab/registry/v2-handler';
import type { V2Access } from '../../../../lab/registry/v2-handler';
import { DOCKER_REGISTRY, errorCode, h, raw, requireBinary } from './helpers';

const image = buildImage({ seed: 'referred' });
const cosign = buildSignature(descriptorOf(image), {
  seed: 'sig',
  kind: 'cosign',
});
const sbom = buildSignature(descriptorOf(image), {
  seed: 'sbom',
  kind: 'sbom',
});

interface ReferrersIndex {
  mediaType: string;
  manifests: {
    digest: string;
    artifactType?: string;
    size: number;
    mediaType: string;
  }[];
}

describe('referrers API on the memory registry', () => {
  let registry: (PlainRegistry & { store: OciStore }) | undefined;

  beforeAll(async () => {
    registry = await startMemoryRegistry();
    const source = new OciStore();
    storeImage(source, 'lab/signed', 'v1', image);
    storeImage(source, 'lab/signed', cosign.digest, cosign);
    storeImage(source, 'lab/signed', sbom.digest, sbom);
    const client = new LabOciClient({ url: registry.url });
    try {
      for (const ref of ['v1', cosign.digest, sbom.digest]) {
        await copyToRemote(
          source,
          'lab/signed',
          ref,
          client,
          'lab/signed',
          ref
        );
      }
    } finally {
      await client.close();
    }
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('lists signature and SBOM as an OCI index, filterable by artifactType', async () => {
    const all = await raw(
      'GET',
      `${registry!.url}/v2/lab/signed/referrers/${image.digest}`
    );
    expect([all.status, h(all, 'content-type')]).toEqual([200, MEDIA.ociIndex]);
    const index = JSON.parse(all.body.toString()) as ReferrersIndex;
    expect(index.mediaType).toBe(MEDIA.ociIndex);
    expect(index.manifests.map((m) => m.digest).sort()).toEqual(
      [cosign.digest, sbom.digest].sort()
    );
    expect(index.manifests.find((m) => m.digest === sbom.digest)).toEqual({
      mediaType: MEDIA.ociManifest,
      digest: sbom.digest,
      size: sbom.manifest.length,
      artifactType: 'application/spdx+json',
      annotations: {
        'org.opencontainers.image.created': '2024-01-01T00:00:00Z',
      },
    });
    const filtered = await raw(
      'GET',
      `${registry!.url}/v2/lab/signed/referrers/${image.digest}?artifactType=${encodeURIComponent('application/spdx+json')}`
    );
    expect(h(filtered, 'oci-filters-applied')).toBe('artifactType');
    expect(
      (JSON.parse(filtered.body.toString()) as ReferrersIndex).manifests.map(
        (m) => m.digest
      )
    ).toEqual([sbom.digest]);
  });

  it('answers an empty index for a digest nobody refers to, and 404 for an unknown repo', async () => {
    const none = await raw(
      'GET',
      `${registry!.url}/v2/lab/signed/referrers/${cosign.digest}`
    );
    expect(none.status).toBe(200);
    expect(
      (JSON.parse(none.body.toString()) as ReferrersIndex).manifests
    ).toEqual([]);
    const unknown = await raw(
      'GET',
      `${registry!.url}/v2/lab/nothing/referrers/${image.digest}`
    );
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'NAME_UNKNOWN']);
  });

  it('returns OCI-Subject when a manifest with subject is pushed', async () => {
    const again = buildSignature(descriptorOf(image), {
      seed: 'sig2',
      kind: 'notation',
    });
    for (const [digest, bytes] of again.blobs)
      registry!.store.putBlob(bytes, digest, 'lab/signed');
    const put = await raw(
      'PUT',
      `${registry!.url}/v2/lab/signed/manifests/${again.digest}`,
      { 'content-type': MEDIA.ociManifest },
      again.manifest
    );
    expect([put.status, h(put, 'oci-subject')]).toEqual([201, image.digest]);
    expect(registry!.store.referrers('lab/signed', image.digest)).toHaveLength(
      3
    );
  });
});

describe('docker-registry 2.8.2 has no referrers API', () => {
  let registry: PlainRegistry | undefined;

  beforeAll(async () => {
    requireBinary(DOCKER_REGISTRY, 'docker-registry');
    registry = await startDistributionRegistry();
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('stores an OCI 1.1 artifact with subject but answers 404 on /referrers', async () => {
    const source = new OciStore();
    storeImage(source, 'lab/signed', 'v1', image);
    storeImage(source, 'lab/signed', cosign.digest, cosign);
    const client = new LabOciClient({ url: registry!.url });
    try {
      await copyToRemote(
        source,
        'lab/signed',
        'v1',
        client,
        'lab/signed',
        'v1'
      );
      await copyToRemote(
        source,
        'lab/signed',
        cosign.digest,
        client,
        'lab/signed',
        cosign.digest
      );
      expect(
        (await client.headManifest('lab/signed', cosign.digest))?.digest
      ).toBe(cosign.digest);
    } finally {
      await client.close();
    }
    const r = await raw(
      'GET',
      `${registry!.url}/v2/lab/signed/referrers/${image.digest}`
    );
    expect(r.status).toBe(404);
  });
});

describe('Harbor mode: paginated tags/list and a token-checking V2Auth', () => {
  const issuer = createTokenIssuer({
    issuer: 'harbor-token-issuer',
    lifetimeSeconds: 60,
  });
  const store = new OciStore();
  const asked: V2Access[] = [];
  let server: Server | undefined;
  let url = '';

  beforeAll(async () => {
    for (const tag of ['a', 'b', 'c', 'd', 'e'])
      storeImage(store, 'proj/app', tag, image);
    const handler = createV2Handler(store, {
      paginateTags: true,
      auth: {
        authorize(req, access) {
          asked.push(access);
          const scope = scopeOf(access) ?? '';
          const challenge = `Bearer realm="http://127.0.0.1/service/token",service="harbor-registry"${scope ? `,scope="${scope}"` : ''}`;
          const header = req.headers.authorization ?? '';
          if (!header.startsWith('Bearer ')) return { challenge };
          const claims = issuer.verify(header.slice(7));
          if (!claims) return { challenge };
          const granted = claims.access.find(
            (a) => a.name === (access.repository ?? 'catalog')
          );
          const ok = access.actions.every((a) => granted?.actions.includes(a));
          return ok ? 'ok' : 'denied';
        },
      },
    });
    server = createServer((req, res) => {
      void handler(req, res);
    });
    await new Promise<void>((resolve) =>
      server!.listen(0, '127.0.0.1', resolve)
    );
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      server?.close(() => {
        resolve();
      })
    );
  });

  const bearer = (actions: string[]) => ({
    authorization: `Bearer ${issuer.issue('admin', [{ type: 'repository', name: 'proj/app', actions }], 'harbor-registry').token}`,
  });

  it('challenges without a token, with the scope of the request', async () => {
    const r = await raw('HEAD', `${url}/v2/proj/app/manifests/a`, {
      accept: FULL_ACCEPT,
    });
    expect(r.status).toBe(401);
    expect(h(r, 'www-authenticate')).toBe(
      'Bearer realm="http://127.0.0.1/service/token",service="harbor-registry",scope="repository:proj/app:pull"'
    );
    const push = await raw(
      'PUT',
      `${url}/v2/proj/app/manifests/z`,
      bearer(['pull']),
      image.manifest
    );
    expect([push.status, errorCode(push)]).toEqual([403, 'DENIED']);
    expect(asked.at(-1)).toEqual({
      repository: 'proj/app',
      actions: ['pull', 'push'],
    });
  });

  it('follows Link pages through tags/list like Harbor', async () => {
    const pages: string[][] = [];
    let next: string | undefined = '/v2/proj/app/tags/list?n=2';
    while (next) {
      const r = await raw('GET', `${url}${next}`, bearer(['pull']));
      expect(r.status).toBe(200);
      pages.push((JSON.parse(r.body.toString()) as { tags: string[] }).tags);
      next = /^<([^>]+)>; rel="next"$/.exec(h(r, 'link') ?? '')?.[1];
    }
    expect(pages).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('rejects a tampered token', async () => {
    const good = bearer(['pull']).authorization;
    const tampered = `${good.slice(0, -4)}AAAA`;
    const r = await raw('GET', `${url}/v2/proj/app/tags/list`, {
      authorization: tampered,
    });
    expect(r.status).toBe(401);
  });
});

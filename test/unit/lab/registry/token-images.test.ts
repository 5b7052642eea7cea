import { gunzipSync } from 'node:zlib';
import { X509Certificate } from 'node:crypto';
import {
  buildImage,
  buildIndex,
  buildSignature,
  descriptorOf,
} from '../../../../lab/registry/images';
import { MEDIA, sha256Digest } from '../../../../lab/registry/media-types';
import { convertToSchema1 } from '../../../../lab/registry/schema1';
import { OciStore } from '../../../../lab/registry/store';
import { storeImage } from '../../../../lab/registry/images';
import { createTokenIssuer, parseScopes } from '../../../../lab/registry/token';

describe('createTokenIssuer', () => {
  const issuer = createTokenIssuer({
    issuer: 'unit-issuer',
    lifetimeSeconds: 120,
  });
  const access = [
    { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
  ];

  it('issues an RS256 JWT with the certificate in x5c and verifies it', () => {
    const { token, expires_in } = issuer.issue(
      'admin',
      access,
      'harbor-registry'
    );
    expect(expires_in).toBe(120);
    const [header, claims] = token
      .split('.')
      .slice(0, 2)
      .map(
        (p) =>
          JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<
            string,
            unknown
          >
      );
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const x5c = (header!.x5c as string[])[0]!;
    expect(new X509Certificate(Buffer.from(x5c, 'base64')).subject).toBe(
      'CN=unit-issuer'
    );
    expect(new X509Certificate(issuer.certPem).raw.toString('base64')).toBe(
      x5c
    );
    expect(claims).toMatchObject({
      iss: 'unit-issuer',
      sub: 'admin',
      aud: 'harbor-registry',
      access,
    });
    expect(issuer.verify(token)).toEqual({ sub: 'admin', access });
  });

  it('rejects tokens from another issuer and tampered tokens', () => {
    const other = createTokenIssuer({ issuer: 'unit-issuer' });
    const foreign = other.issue('admin', access, 'harbor-registry').token;
    expect(issuer.verify(foreign)).toBeUndefined();
    const [h, , s] = issuer.issue('admin', access, 'x').token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ iss: 'unit-issuer', sub: 'root', access: [] })
    ).toString('base64url');
    expect(issuer.verify(`${h}.${forged}.${s}`)).toBeUndefined();
    expect(issuer.verify('not-a-token')).toBeUndefined();
  });

  it('parses space-separated scopes with slashes in names', () => {
    expect(
      parseScopes(['repository:a/b/c:pull,push registry:catalog:*', 'junk'])
    ).toEqual([
      { type: 'repository', name: 'a/b/c', actions: ['pull', 'push'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
  });
});

describe('synthetic images', () => {
  it('are deterministic per seed and differ across seeds and formats', () => {
    expect(buildImage({ seed: 's' }).digest).toBe(
      buildImage({ seed: 's' }).digest
    );
    expect(buildImage({ seed: 's' }).digest).not.toBe(
      buildImage({ seed: 't' }).digest
    );
    expect(buildImage({ seed: 's', format: 'docker' }).mediaType).toBe(
      MEDIA.dockerManifest
    );
  });

  it('have gzip tar layers whose diff_ids match the config', () => {
    const img = buildImage({ seed: 'layers', layers: 2, arch: 'arm64' });
    const manifest = JSON.parse(img.manifest.toString()) as {
      config: { digest: string; size: number };
      layers: { digest: string; size: number }[];
    };
    const config = JSON.parse(
      img.blobs.get(manifest.config.digest)!.toString()
    ) as {
      architecture: string;
      rootfs: { diff_ids: string[] };
    };
    expect(config.architecture).toBe('arm64');
    expect(manifest.layers).toHaveLength(2);
    manifest.layers.forEach((l, i) => {
      const gz = img.blobs.get(l.digest)!;
      expect(gz.length).toBe(l.size);
      const tar = gunzipSync(gz);
      expect(sha256Digest(tar)).toBe(config.rootfs.diff_ids[i]);
      expect(tar.subarray(257, 262).toString()).toBe('ustar');
      expect(tar.subarray(0, 9).toString()).toBe(`lab/${i}.txt`);
    });
  });

  it('build indexes and OCI 1.1 signatures with subject', () => {
    const index = buildIndex({
      seed: 'i',
      platforms: [{ arch: 'amd64' }, { arch: 'arm64' }],
      format: 'docker',
    });
    expect(index.mediaType).toBe(MEDIA.dockerList);
    expect(
      index.children!.every((c) => c.mediaType === MEDIA.dockerManifest)
    ).toBe(true);
    const sig = buildSignature(descriptorOf(index), {
      seed: 'x',
      kind: 'notation',
    });
    const store = new OciStore();
    storeImage(store, 'r', 'v1', index);
    const stored = storeImage(store, 'r', sig.digest, sig);
    expect(stored.subject).toBe(index.digest);
    expect(stored.artifactType).toBe('application/vnd.cncf.notary.signature');
    expect(store.referrers('r', index.digest).map((m) => m.digest)).toEqual([
      sig.digest,
    ]);
  });

  it('down-convert Docker schema2 to a schema1 body with another digest', () => {
    const img = buildImage({ seed: 'd', format: 'docker', layers: 2 });
    const store = new OciStore();
    const stored = storeImage(store, 'r', 'v1', img);
    const s1 = convertToSchema1(stored, 'v1', store.getBlob(stored.blobs[0]!));
    const body = JSON.parse(s1.toString()) as {
      schemaVersion: number;
      tag: string;
      fsLayers: { blobSum: string }[];
    };
    expect(body.schemaVersion).toBe(1);
    expect(body.tag).toBe('v1');
    expect(body.fsLayers.map((l) => l.blobSum)).toEqual(
      [...stored.blobs.slice(1)].reverse()
    );
    expect(sha256Digest(s1)).not.toBe(img.digest);
  });
});

import { startDistributionRegistry } from '../../../../lab/registry/distribution';
import type { DistributionRegistry } from '../../../../lab/registry/distribution';
import {
  buildImage,
  buildIndex,
  storeImage,
} from '../../../../lab/registry/images';
import {
  LabOciClient,
  RegistryHttpError,
  copyToRemote,
} from '../../../../lab/registry/oci-copy';
import { OciStore } from '../../../../lab/registry/store';
import {
  DOCKER_REGISTRY,
  SKOPEO,
  h,
  raw,
  requireBinary,
  skopeo,
} from './helpers';
import { sha256Digest } from '../../../../lab/registry/media-types';

const single = buildImage({ seed: 'copy-single', layers: 2 });
const docker = buildImage({ seed: 'copy-docker', format: 'docker' });
const multi = buildIndex({
  seed: 'copy-multi',
  platforms: [{ arch: 'amd64' }, { arch: 'arm64' }],
});

/** Records which blobs copyToRemote actually uploads. */
class CountingClient extends LabOciClient {
  readonly pushed: string[] = [];
  override async pushBlob(
    repo: string,
    digest: string,
    bytes: Buffer,
    from?: string
  ): Promise<void> {
    this.pushed.push(digest);
    await super.pushBlob(repo, digest, bytes, from);
  }
}

function sourceStore(): OciStore {
  const store = new OciStore();
  storeImage(store, 'src/app', 'single', single);
  storeImage(store, 'src/app', 'docker', docker);
  storeImage(store, 'src/app', 'multi', multi);
  return store;
}

describe.each(['basic', 'token'] as const)(
  'copyToRemote into docker-registry with %s auth',
  (auth) => {
    let registry: DistributionRegistry | undefined;
    let client: LabOciClient | undefined;

    beforeAll(async () => {
      requireBinary(DOCKER_REGISTRY, 'docker-registry');
      requireBinary(SKOPEO, 'skopeo');
      registry = await startDistributionRegistry({ auth });
      client = new LabOciClient({
        url: registry.url,
        username: registry.username,
        password: registry.password,
      });
    });

    afterAll(async () => {
      await client?.close();
      await registry?.stop();
    });

    it('challenges anonymous requests with the expected scheme', async () => {
      const r = await raw('GET', `${registry!.url}/v2/dst/app/tags/list`);
      expect(r.status).toBe(401);
      const challenge = h(r, 'www-authenticate') ?? '';
      if (auth === 'basic') {
        expect(challenge).toBe('Basic realm="basic-realm"');
      } else {
        expect(challenge).toBe(
          `Bearer realm="${registry!.token!.realm}",service="harbor-registry",scope="repository:dst/app:pull"`
        );
      }
    });

    it('copies an image, a Docker image and an index with the right digests', async () => {
      const store = sourceStore();
      for (const [ref, image] of [
        ['single', single],
        ['docker', docker],
        ['multi', multi],
      ] as const) {
        const { digest } = await copyToRemote(
          store,
          'src/app',
          ref,
          client!,
          'dst/app',
          ref
        );
        expect(digest).toBe(image.digest);
        expect(await client!.headManifest('dst/app', ref)).toEqual({
          digest: image.digest,
          mediaType: image.mediaType,
        });
      }
      expect((await client!.listTags('dst/app'))?.sort()).toEqual([
        'docker',
        'multi',
        'single',
      ]);
      // An independent witness: real skopeo with the same credentials.
      const rawIndex = await skopeo([
        'inspect',
        '--raw',
        '--tls-verify=false',
        '--creds',
        `${registry!.username}:${registry!.password}`,
        `docker://${registry!.url.replace('http://', '')}/dst/app:multi`,
      ]);
      expect(sha256Digest(rawIndex)).toBe(multi.digest);
    });

    it('skips blobs the target has and mounts across repositories', async () => {
      const store = sourceStore();
      const layer = [...single.blobs.keys()][1]!;
      expect(await client!.hasBlob('dst/app', layer)).toBe(true);
      expect(await client!.hasBlob('dst/other', layer)).toBe(false);
      await client!.pushBlob(
        'dst/other',
        layer,
        single.blobs.get(layer)!,
        'dst/app'
      );
      expect(await client!.hasBlob('dst/other', layer)).toBe(true);
      const counting = new CountingClient({
        url: registry!.url,
        username: registry!.username,
        password: registry!.password,
      });
      try {
        const { digest } = await copyToRemote(
          store,
          'src/app',
          'single',
          counting,
          'dst/other',
          'again'
        );
        expect(digest).toBe(single.digest);
        // The mounted layer is skipped; config and the other layer are uploaded.
        const expected = store.getManifest('src/app', 'single')!.blobs;
        expect(counting.pushed).toEqual(expected.filter((d) => d !== layer));
        expect(counting.pushed).toHaveLength(2);
      } finally {
        await counting.close();
      }
      expect(
        (await client!.getBlob('dst/other', layer))?.equals(
          single.blobs.get(layer)!
        )
      ).toBe(true);
    });

    it('deletes by digest and lists the catalog', async () => {
      await client!.deleteManifest('dst/app', docker.digest);
      expect(await client!.headManifest('dst/app', 'docker')).toBeNull();
      expect(await client!.listRepositories(1)).toEqual([
        'dst/app',
        'dst/other',
      ]);
      expect(await client!.listTags('dst/none')).toBeNull();
    });

    it('rejects wrong credentials with a RegistryHttpError', async () => {
      const bad = new LabOciClient({
        url: registry!.url,
        username: 'admin',
        password: 'wrong',
      });
      try {
        await expect(
          bad.headManifest('dst/app', 'single')
        ).rejects.toBeInstanceOf(RegistryHttpError);
        await expect(
          bad.headManifest('dst/app', 'single')
        ).rejects.toMatchObject({ status: 401 });
      } finally {
        await bad.close();
      }
      const head = await client!.headManifest('dst/app', single.digest);
      expect(head?.digest).toBe(single.digest);
    });
  }
);

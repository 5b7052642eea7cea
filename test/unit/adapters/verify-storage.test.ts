import { verifyInStorage } from '../../../lambdas/adapters/observe/verify-storage';
import type {
  ObservedRepository,
  RegistryApi,
} from '../../../lambdas/core/ports';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const repo: ObservedRepository = {
  repository: 'library/app',
  exists: true,
  refs: [1, 2, 3, 4].map((n) => ({
    repository: 'library/app',
    reference: `v${n}`,
    byDigest: false,
    digest: digest(n),
  })),
};

function storageWithout(...missing: number[]) {
  const heads: string[] = [];
  const api: RegistryApi = {
    ping: () => Promise.resolve(),
    listCatalog: () => Promise.resolve(null),
    listTags: () => Promise.resolve(null),
    listReferrers: () => Promise.resolve([]),
    headManifest: (_repo, ref) => {
      heads.push(ref);
      return Promise.resolve(
        missing.some((n) => digest(n) === ref)
          ? null
          : {
              digest: ref,
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              size: 1,
            }
      );
    },
  };
  return { api, heads };
}

describe('verifyInStorage', () => {
  it('drops refs whose manifest Harbor lists but its storage lacks (all)', async () => {
    const { api, heads } = storageWithout(3);

    const out = await verifyInStorage(
      [repo],
      api,
      { manifests: 'all', sampleSize: 50 },
      2
    );

    expect(heads.sort()).toEqual([1, 2, 3, 4].map(digest));
    expect(out[0]?.refs.map((r) => r.reference)).toEqual(['v1', 'v2', 'v4']);
  });

  it('checks only a sample of the given size', async () => {
    const { api, heads } = storageWithout();

    await verifyInStorage(
      [repo],
      api,
      { manifests: 'sample', sampleSize: 2 },
      2,
      () => 0
    );

    expect(heads).toHaveLength(2);
  });

  it('checks nothing when off', async () => {
    const { api, heads } = storageWithout(1);

    const out = await verifyInStorage(
      [repo],
      api,
      { manifests: 'none', sampleSize: 2 },
      2
    );

    expect(heads).toEqual([]);
    expect(out).toEqual([repo]);
  });

  it('lets a failing HEAD throw, so that the repository becomes unknown', async () => {
    const { api } = storageWithout();
    api.headManifest = () => Promise.reject(new Error('HTTP 401'));

    await expect(
      verifyInStorage([repo], api, { manifests: 'all', sampleSize: 1 }, 2)
    ).rejects.toThrow('HTTP 401');
  });
});

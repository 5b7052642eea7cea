import { observeRegistryTarget } from '../../../lambdas/adapters/observe/observe-registry';
import type { ExpectedRef } from '../../../lambdas/core/model';
import type { ManifestInfo, RegistryApi } from '../../../lambdas/core/ports';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const d = (c: string): string => `sha256:${c.repeat(64)}`;

/** A registry in memory: repository → reference (tag or digest) → manifest; counts HEADs. */
function fakeRegistry(
  repos: Record<string, Record<string, ManifestInfo>>,
  opts: { failOn?: string } = {}
): RegistryApi & { heads: string[]; inFlightMax: number } {
  let inFlight = 0;
  const api = {
    heads: [] as string[],
    inFlightMax: 0,
    ping: () => Promise.resolve(),
    listCatalog: () => Promise.resolve(Object.keys(repos)),
    listTags: (repository: string) => {
      const refs = repos[repository];
      return Promise.resolve(
        refs ? Object.keys(refs).filter((r) => !r.startsWith('sha256:')) : null
      );
    },
    headManifest: async (repository: string, reference: string) => {
      api.heads.push(`${repository}@${reference}`);
      inFlight++;
      api.inFlightMax = Math.max(api.inFlightMax, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      if (reference === opts.failOn) throw new Error(`HEAD ${reference}: 500`);
      return repos[repository]?.[reference] ?? null;
    },
    listReferrers: () => Promise.resolve([]),
  };
  return api;
}

function expected(
  repository: string,
  reference: string,
  digest: string,
  childDigests: string[] = []
): ExpectedRef {
  const byDigest = reference.startsWith('sha256:');
  return {
    target: 'cluster',
    repository,
    reference,
    byDigest,
    digest,
    manifestMediaType: childDigests.length > 0 ? INDEX : MANIFEST,
    childDigests,
    source: { repository, reference },
    policy: { id: 1, name: 'p', override: true, deletion: false },
  };
}

const info = (digest: string, mediaType = MANIFEST): ManifestInfo => ({
  digest,
  mediaType,
  size: 100,
});

describe('observeRegistryTarget', () => {
  it('HEADs each tag, expected digest and matched index child once, and tells the children present', async () => {
    const api = fakeRegistry({
      'p/multi': {
        v1: info(d('a'), INDEX),
        v2: info(d('a'), INDEX),
        [d('a')]: info(d('a'), INDEX),
        [d('b')]: info(d('b')),
        // d('c') is missing: a child that did not arrive
      },
      'p/app': { '1.0': info(d('e')), [d('f')]: info(d('f')) },
    });
    const refs = [
      expected('p/multi', 'v1', d('a'), [d('b'), d('c')]),
      expected('p/multi', 'v2', d('a'), [d('b'), d('c')]),
      expected('p/app', d('f'), d('f')),
      expected('p/app', d('f'), d('f')),
      expected('p/app', d('9'), d('9')),
    ];

    const observed = await observeRegistryTarget(
      api,
      ['p/multi', 'p/app', 'p/ghost', 'p/app'],
      refs,
      { concurrency: 3 }
    );

    expect(observed).toEqual([
      {
        repository: 'p/multi',
        exists: true,
        refs: [
          {
            repository: 'p/multi',
            reference: 'v1',
            byDigest: false,
            digest: d('a'),
            mediaType: INDEX,
            childDigests: [d('b')],
          },
          {
            repository: 'p/multi',
            reference: 'v2',
            byDigest: false,
            digest: d('a'),
            mediaType: INDEX,
            childDigests: [d('b')],
          },
        ],
      },
      {
        repository: 'p/app',
        exists: true,
        refs: [
          {
            repository: 'p/app',
            reference: '1.0',
            byDigest: false,
            digest: d('e'),
            mediaType: MANIFEST,
          },
          {
            repository: 'p/app',
            reference: d('f'),
            byDigest: true,
            digest: d('f'),
            mediaType: MANIFEST,
          },
        ],
      },
      { repository: 'p/ghost', exists: false, refs: [] },
    ]);
    // Every call once: both tags of p/multi point at the index, its children are asked once.
    expect([...api.heads].sort()).toEqual(
      [
        'p/multi@v1',
        'p/multi@v2',
        `p/multi@${d('b')}`,
        `p/multi@${d('c')}`,
        'p/app@1.0',
        `p/app@${d('f')}`,
        `p/app@${d('9')}`,
      ].sort()
    );
    expect(api.inFlightMax).toBeLessThanOrEqual(3);
    expect(api.inFlightMax).toBeGreaterThan(1);
  });

  it('does not ask for the children of an index whose digest differs', async () => {
    const api = fakeRegistry({
      'p/multi': { v1: info(d('0'), INDEX) },
    });
    const observed = await observeRegistryTarget(
      api,
      ['p/multi'],
      [expected('p/multi', 'v1', d('a'), [d('b')])]
    );

    expect(observed[0]?.refs).toEqual([
      {
        repository: 'p/multi',
        reference: 'v1',
        byDigest: false,
        digest: d('0'),
        mediaType: INDEX,
      },
    ]);
    expect(api.heads).toEqual(['p/multi@v1']);
  });

  it('rejects when a HEAD fails, and starts no call after it', async () => {
    const tags = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`t${i.toString()}`, info(d('a'))])
    );
    const api = fakeRegistry({ 'p/app': tags }, { failOn: 't3' });

    await expect(
      observeRegistryTarget(api, ['p/app'], [], { concurrency: 2 })
    ).rejects.toThrow('HEAD t3: 500');
    expect(api.heads.length).toBeLessThan(10);
  });
});

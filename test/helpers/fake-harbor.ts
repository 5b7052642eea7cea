import type { HarborArtifact, HarborProject } from '../../lambdas/core/model';
import type { HarborApi } from '../../lambdas/core/ports';
import { endpoint, policy } from './policy-fixture';

/** A sha256 digest made from a number. */
export const fakeDigest = (n: number): string =>
  `sha256:${n.toString(16).padStart(64, '0')}`;

/** An image artifact with one tag, pushed an hour before the tests' noon. */
export function fakeArtifact(
  tag: string,
  n: number,
  repository = 'library/app'
): HarborArtifact {
  return {
    repository,
    digest: fakeDigest(n),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    type: 'IMAGE',
    pushTime: '2026-11-29T11:00:00Z',
    tags: [{ name: tag, pushTime: '2026-11-29T11:00:00Z' }],
    labels: [],
    childDigests: [],
    accessories: [],
  };
}

const LIBRARY: HarborProject = {
  id: 1,
  name: 'library',
  registryId: 0,
  public: true,
};

/**
 * A primary Harbor (robot credentials, release 2.15.2) whose one policy replicates
 * library/app (v1, v2) to http://r.example.com; `overrides` replace any call.
 */
export function fakePrimary(overrides: Partial<HarborApi> = {}): HarborApi {
  return {
    whoAmI: () => Promise.resolve({ kind: 'robot' }),
    harborVersion: () => Promise.resolve('v2.15.2-080b0220'),
    listPolicies: () =>
      Promise.resolve([
        policy({ destRegistry: endpoint({ url: 'http://r.example.com' }) }),
      ]),
    listRegistries: () => Promise.resolve([]),
    listProjects: () => Promise.resolve([LIBRARY]),
    getProject: () => Promise.resolve(LIBRARY),
    listRepositories: () => Promise.resolve(['library/app']),
    listArtifacts: () =>
      Promise.resolve([fakeArtifact('v1', 1), fakeArtifact('v2', 2)]),
    ...overrides,
  };
}

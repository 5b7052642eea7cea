import type { Lab, LabHarborEndpoint } from '../../lab/index';
import { buildImage, storeImage } from '../../lab/registry/images';
import {
  harborArtifactSeed,
  harborArtifactTag,
  harborRepos,
  registryRepos,
  registryTags,
  type BenchSizes,
} from './scenario';

/** What the lab Harbors hold after seeding. */
export interface LabSeedResult {
  /** Registry side: repository → digest of its one image (under every tag). */
  registryDigests: Map<string, string>;
  /** Artifacts stored on the Harbor target (and on the primary). */
  harborArtifacts: number;
}

/**
 * Stores the data set through the lab stores (no HTTP): on the primary, one image per registry
 * repository under every tag, and the Harbor side's artifacts (one tag each); on the Harbor
 * target, the same Harbor-side artifacts (same seeds, same digests).
 */
export function seedLabHarbors(lab: Lab, sizes: BenchSizes): LabSeedResult {
  const primary = lab.primary;
  const target = harborByName(lab, 'bench-dr');
  const registryDigests = new Map<string, string>();
  for (const repo of registryRepos(sizes)) {
    const image = buildImage({ seed: repo.name });
    for (const tag of registryTags(sizes))
      storeImage(primary.harbor.store, repo.name, tag, image);
    registryDigests.set(repo.name, image.digest);
  }
  let harborArtifacts = 0;
  for (const repo of harborRepos(sizes)) {
    for (let i = 0; i < sizes.artifactsPerRepo; i++) {
      const image = buildImage({ seed: harborArtifactSeed(repo.name, i) });
      const tag = harborArtifactTag(i);
      storeImage(primary.harbor.store, repo.name, tag, image);
      storeImage(target.harbor.store, repo.name, tag, image);
      harborArtifacts++;
    }
  }
  return { registryDigests, harborArtifacts };
}

function harborByName(lab: Lab, name: string): LabHarborEndpoint {
  const h = lab.harbors.find((x) => x.name === name);
  if (!h) throw new Error(`the bench lab has no Harbor named ${name}`);
  return h;
}

import type { Lab, LabHarborEndpoint } from '../../lab/index';
import {
  harborArtifactSeed,
  harborArtifactTag,
  harborRepos,
  NAMES,
  registryRepos,
  registryTags,
  type BenchSizes,
} from './scenario';
import { TinyImages } from './tiny-images';

/** What the lab Harbors hold after seeding. */
export interface LabSeedResult {
  /** Registry side: repository → digest of its one image (under every tag). */
  registryDigests: Map<string, string>;
  /** Artifacts stored on the Harbor target (and on the primary). */
  harborArtifacts: number;
  /** Artifacts created in the lab Harbors' databases, both Harbors together. */
  storedArtifacts: number;
}

/**
 * Stores the data set through the lab stores (no HTTP): on the primary, one image per registry
 * repository under every tag, and the Harbor side's artifacts (one tag each); on the Harbor
 * target, the same Harbor-side artifacts (same seeds, same digests). Images are tiny-images.ts
 * (one shared config and layer), so that an artifact costs one JSON and one sha256.
 */
export function seedLabHarbors(lab: Lab, sizes: BenchSizes): LabSeedResult {
  const primary = lab.primary.harbor.store;
  const target = harborByName(lab, NAMES.harborTarget).harbor.store;
  const tiny = new TinyImages();
  const registryDigests = new Map<string, string>();
  for (const repo of registryRepos(sizes)) {
    const image = tiny.image(repo.name);
    tiny.linkBase(primary, repo.name);
    for (const tag of registryTags(sizes))
      tiny.store(primary, repo.name, tag, image);
    registryDigests.set(repo.name, image.digest);
  }
  let harborArtifacts = 0;
  for (const repo of harborRepos(sizes)) {
    tiny.linkBase(primary, repo.name);
    tiny.linkBase(target, repo.name);
    for (let i = 0; i < sizes.artifactsPerRepo; i++) {
      const image = tiny.image(harborArtifactSeed(repo.name, i));
      const tag = harborArtifactTag(i);
      tiny.store(primary, repo.name, tag, image);
      tiny.store(target, repo.name, tag, image);
      harborArtifacts++;
    }
  }
  return {
    registryDigests,
    harborArtifacts,
    storedArtifacts: registryDigests.size + 2 * harborArtifacts,
  };
}

function harborByName(lab: Lab, name: string): LabHarborEndpoint {
  const h = lab.harbors.find((x) => x.name === name);
  if (!h) throw new Error(`the bench lab has no Harbor named ${name}`);
  return h;
}

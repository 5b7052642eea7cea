import { startDistributionRegistry } from '../../../../lab/registry/distribution';
import { startMemoryRegistry } from '../../../../lab/registry/memory-registry';
import { LabOciClient, copyToRemote } from '../../../../lab/registry/oci-copy';
import type { PlainRegistry } from '../../../../lab/registry/plain-registry';
import { OciStore } from '../../../../lab/registry/store';
import { DOCKER_REGISTRY, requireBinary } from './helpers';

/** The memory registry and the real one, side by side, to compare answers. */
export interface Pair {
  memory: PlainRegistry;
  real: PlainRegistry;
  stop(): Promise<void>;
}

/** Starts both registries (fails clearly when docker-registry is missing). */
export async function startPair(): Promise<Pair> {
  requireBinary(DOCKER_REGISTRY, 'docker-registry');
  const memory = await startMemoryRegistry();
  let real: PlainRegistry;
  try {
    real = await startDistributionRegistry();
  } catch (e) {
    await memory.stop();
    throw e;
  }
  return {
    memory,
    real,
    stop: async () => {
      await Promise.all([memory.stop(), real.stop()]);
    },
  };
}

/** Copies `repo:ref` of `source` into both registries with the lab client. */
export async function seedBoth(
  pair: Pair,
  source: OciStore,
  repo: string,
  ref: string
): Promise<void> {
  for (const target of [pair.memory, pair.real]) {
    const client = new LabOciClient({ url: target.url });
    try {
      await copyToRemote(source, repo, ref, client, repo, ref);
    } finally {
      await client.close();
    }
  }
}

export { OciStore };

import { mapWithConcurrency } from '../../use-cases/limit';
import type { ObservedRef } from '../../core/model';
import type { ObservedRepository, RegistryApi } from '../../core/ports';

/** How much of what Harbor's database lists is checked in its storage. */
export interface StorageVerification {
  manifests: 'none' | 'sample' | 'all';
  sampleSize: number;
}

/**
 * Checks through a Harbor target's `/v2/` that manifests its database lists really exist in
 * storage (a HEAD by digest each, full Accept list). A ref whose manifest is gone is dropped
 * from the observation, so the diff reports it missing; a HEAD that fails otherwise throws,
 * which makes the repository unknown. `sample` checks a random sample, so that successive runs
 * cover different refs.
 */
export async function verifyInStorage(
  observed: ObservedRepository[],
  registry: RegistryApi,
  verification: StorageVerification,
  concurrency: number,
  random: () => number = Math.random
): Promise<ObservedRepository[]> {
  if (verification.manifests === 'none') return observed;
  const all = observed.flatMap((repo) => repo.refs);
  const chosen =
    verification.manifests === 'all'
      ? all
      : sample(all, verification.sampleSize, random);
  const absent = new Set<ObservedRef>();
  await mapWithConcurrency(chosen, concurrency, async (ref) => {
    const head = await registry.headManifest(ref.repository, ref.digest);
    if (head === null) absent.add(ref);
  });
  if (absent.size === 0) return observed;
  return observed.map((repo) => ({
    ...repo,
    refs: repo.refs.filter((ref) => !absent.has(ref)),
  }));
}

/** A uniform random sample of at most `size` items (partial Fisher-Yates). */
function sample<T>(
  items: readonly T[],
  size: number,
  random: () => number
): T[] {
  const pool = [...items];
  const n = Math.min(size, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, n);
}

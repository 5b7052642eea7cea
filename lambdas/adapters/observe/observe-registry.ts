import { mapWithConcurrency } from '../../use-cases/limit';
import type { ExpectedRef, ObservedRef } from '../../core/model';
import type {
  ManifestInfo,
  ObservedRepository,
  RegistryApi,
} from '../../core/ports';
import type { ObserveOptions } from './observe-harbor';

interface HeadJob {
  repository: string;
  reference: string;
  byDigest: boolean;
}

/**
 * What a plain OCI registry holds in the given repositories: tags/list per repository,
 * a HEAD (full Accept list) per tag, a HEAD per expected digest ref, and a HEAD per index
 * child of every expected index whose digest matched. Calls are bounded by `concurrency`.
 * Throws on any listing or HEAD that could not be completed (401/403 included).
 */
export async function observeRegistryTarget(
  api: RegistryApi,
  repositories: readonly string[],
  expectedRefs: readonly ExpectedRef[],
  opts: ObserveOptions = {}
): Promise<ObservedRepository[]> {
  const limit = opts.concurrency ?? 8;
  const wanted = [...new Set(repositories)];
  const tagLists = await mapWithConcurrency(wanted, limit, (r) =>
    api.listTags(r)
  );
  const tagsOf = new Map(wanted.map((r, i) => [r, tagLists[i] ?? null]));

  // Tags and expected digests first, then children of the indexes found intact.
  const jobs: HeadJob[] = [];
  const seen = new Set<string>();
  const addJob = (job: HeadJob): void => {
    const key = `${job.repository}\u0000${job.byDigest ? '@' : ':'}${job.reference}`;
    if (seen.has(key) || tagsOf.get(job.repository) == null) return;
    seen.add(key);
    jobs.push(job);
  };
  for (const [repository, tags] of tagsOf) {
    for (const tag of tags ?? [])
      addJob({ repository, reference: tag, byDigest: false });
  }
  for (const ref of expectedRefs) {
    if (ref.byDigest)
      addJob({
        repository: ref.repository,
        reference: ref.digest,
        byDigest: true,
      });
  }
  const heads = await headAll(api, jobs, limit);
  const found = (repository: string, reference: string, byDigest: boolean) =>
    heads.get(`${repository}\u0000${byDigest ? '@' : ':'}${reference}`);

  const childJobs: HeadJob[] = [];
  for (const ref of expectedRefs) {
    if (ref.childDigests.length === 0) continue;
    const info = found(
      ref.repository,
      ref.byDigest ? ref.digest : ref.reference,
      ref.byDigest
    );
    if (info?.digest !== ref.digest) continue;
    for (const child of ref.childDigests) {
      const key = `${ref.repository}\u0000@${child}`;
      if (!seen.has(key) && tagsOf.get(ref.repository) != null) {
        seen.add(key);
        childJobs.push({
          repository: ref.repository,
          reference: child,
          byDigest: true,
        });
      }
    }
  }
  for (const [key, info] of await headAll(api, childJobs, limit))
    heads.set(key, info);

  // Indexes, not scans: a target holds tens of thousands of refs (npm run bench).
  const refKey = (repository: string, reference: string, byDigest: boolean) =>
    `${repository}\u0000${byDigest ? '@' : ':'}${reference}`;
  const indexes = new Map<string, ExpectedRef[]>();
  const digestRefs = new Map<string, ExpectedRef[]>();
  for (const e of expectedRefs) {
    if (e.childDigests.length > 0) {
      const key = refKey(
        e.repository,
        e.byDigest ? e.digest : e.reference,
        e.byDigest
      );
      indexes.set(key, [...(indexes.get(key) ?? []), e]);
    }
    if (e.byDigest)
      digestRefs.set(e.repository, [
        ...(digestRefs.get(e.repository) ?? []),
        e,
      ]);
  }

  return wanted.map((repository) => {
    const tags = tagsOf.get(repository) ?? null;
    if (tags === null) return { repository, exists: false, refs: [] };
    const refs: ObservedRef[] = [];
    const toRef = (reference: string, byDigest: boolean): void => {
      const info = found(repository, reference, byDigest);
      if (!info) return;
      const expected = indexes
        .get(refKey(repository, reference, byDigest))
        ?.find((e) => e.digest === info.digest);
      const childDigests = expected?.childDigests.filter(
        (c) => found(repository, c, true) !== undefined
      );
      refs.push({
        repository,
        reference,
        byDigest,
        digest: info.digest,
        mediaType: info.mediaType,
        ...(childDigests ? { childDigests } : {}),
      });
    };
    for (const tag of tags) toRef(tag, false);
    const byDigestDone = new Set<string>();
    for (const ref of digestRefs.get(repository) ?? []) {
      if (byDigestDone.has(ref.digest)) continue;
      byDigestDone.add(ref.digest);
      toRef(ref.digest, true);
    }
    return { repository, exists: true, refs };
  });
}

/** HEADs every job; a 404 (tag deleted meanwhile, digest absent) leaves no entry. */
async function headAll(
  api: RegistryApi,
  jobs: readonly HeadJob[],
  limit: number
): Promise<Map<string, ManifestInfo>> {
  const infos = await mapWithConcurrency(jobs, limit, (j) =>
    api.headManifest(j.repository, j.reference)
  );
  const out = new Map<string, ManifestInfo>();
  jobs.forEach((j, i) => {
    const info = infos[i];
    if (info)
      out.set(
        `${j.repository}\u0000${j.byDigest ? '@' : ':'}${j.reference}`,
        info
      );
  });
  return out;
}

import { mapWithConcurrency } from '../../use-cases/limit';
import type { HarborArtifact, ObservedRef } from '../../core/model';
import type { HarborApi, ObservedRepository } from '../../core/ports';
import { splitRepository } from '../harbor/harbor-client';

/** Options of an observation. */
export interface ObserveOptions {
  /** Calls in flight at once; equal to the client's pool size. @default 8 */
  concurrency?: number;
}

/** The refs under which a Harbor target holds one artifact. */
function refsOfArtifact(artifact: HarborArtifact): ObservedRef[] {
  const base = {
    repository: artifact.repository,
    digest: artifact.digest,
    mediaType: artifact.manifestMediaType,
    childDigests: artifact.childDigests,
  };
  const refs: ObservedRef[] =
    artifact.tags.length > 0
      ? artifact.tags.map((tag) => ({
          ...base,
          reference: tag.name,
          byDigest: false,
          // The tag's time is when replication (re)pointed it; the artifact's is the fallback.
          ...((tag.pushTime ?? artifact.pushTime)
            ? { pushTime: tag.pushTime ?? artifact.pushTime }
            : {}),
        }))
      : [
          {
            ...base,
            reference: artifact.digest,
            byDigest: true,
            ...(artifact.pushTime ? { pushTime: artifact.pushTime } : {}),
          },
        ];
  for (const acc of artifact.accessories) {
    const common = {
      repository: artifact.repository,
      digest: acc.digest,
      ...(acc.manifestMediaType ? { mediaType: acc.manifestMediaType } : {}),
      ...(acc.pushTime ? { pushTime: acc.pushTime } : {}),
    };
    // Like any artifact: under its own tags when it has some (a cosign `.sig`), else by digest.
    const tags = acc.tags ?? [];
    if (tags.length > 0) {
      for (const tag of tags)
        refs.push({ ...common, reference: tag, byDigest: false });
    } else {
      refs.push({ ...common, reference: acc.digest, byDigest: true });
    }
  }
  return refs;
}

/**
 * What a Harbor target holds in the given repositories, through its REST API (push times,
 * index children, accessories). A repository is absent when its project is absent or the
 * project does not list it: Harbor answers an empty artifact list, not 404, for an unknown
 * repository. Throws on any listing that could not be completed.
 */
export async function observeHarborTarget(
  api: HarborApi,
  repositories: readonly string[],
  opts: ObserveOptions = {}
): Promise<ObservedRepository[]> {
  const limit = opts.concurrency ?? 8;
  const wanted = [...new Set(repositories)];
  const projects = [...new Set(wanted.map((r) => splitRepository(r).project))];
  const existing = new Set<string>();
  await mapWithConcurrency(projects, limit, async (project) => {
    if ((await api.getProject(project)) === null) return;
    for (const repo of await api.listRepositories(project)) existing.add(repo);
  });
  return mapWithConcurrency(wanted, limit, async (repository) => {
    if (!existing.has(repository)) {
      return { repository, exists: false, refs: [] };
    }
    const artifacts = await api.listArtifacts(repository);
    return {
      repository,
      exists: true,
      refs: dedupeRefs(artifacts.flatMap(refsOfArtifact)),
    };
  });
}

function dedupeRefs(refs: ObservedRef[]): ObservedRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.byDigest ? '@' : ':'}${r.reference}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

import { mapWithConcurrency } from '../../use-cases/limit';
import type { ExpectedRef, ObservedRef } from '../../core/model';
import type {
  ManifestInfo,
  ObservedRepository,
  RegistryApi,
} from '../../core/ports';
import type { ObserveOptions } from './observe-harbor';

/**
 * What is known of one repository while it is observed. A registry's repositories hold tens
 * of thousands of tags (npm run bench): each tag's answer is kept once, as the ref it becomes,
 * next to the tag list, with no job record or key string per tag.
 */
interface RepoState {
  repository: string;
  tags: readonly string[];
  /** The ref each tag (same index) resolved to; null: gone (404), undefined: not yet. */
  tagRefs: (ObservedRef | null | undefined)[];
  /** HEADs by digest (expected digest refs, then index children); null: absent. */
  digests: Map<string, ManifestInfo | null | undefined>;
  /** The expected refs of the repository. */
  expected: ExpectedRef[];
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
  const states = new Map<string, RepoState>();
  wanted.forEach((repository, i) => {
    const tags = tagLists[i];
    if (tags == null) return;
    states.set(repository, {
      repository,
      tags,
      tagRefs: new Array<ObservedRef | null | undefined>(tags.length),
      digests: new Map(),
      expected: [],
    });
  });
  for (const ref of expectedRefs)
    states.get(ref.repository)?.expected.push(ref);

  // Tags and expected digests first, then children of the indexes found intact.
  await runAll(headsOfTagsAndDigests(api, states.values()), limit);
  await runAll(headsOfChildren(api, states.values()), limit);

  return wanted.map((repository) => {
    const state = states.get(repository);
    if (state === undefined) return { repository, exists: false, refs: [] };
    return { repository, exists: true, refs: refsOf(state) };
  });
}

/** The HEAD of every listed tag, then of every expected digest ref, one call at a time. */
function* headsOfTagsAndDigests(
  api: RegistryApi,
  states: Iterable<RepoState>
): Generator<() => Promise<void>> {
  const all = [...states];
  for (const s of all) {
    for (const [i, tag] of s.tags.entries()) {
      yield async () => {
        const info = await api.headManifest(s.repository, tag);
        s.tagRefs[i] =
          info === null
            ? null
            : {
                repository: s.repository,
                reference: tag,
                byDigest: false,
                digest: info.digest,
                mediaType: info.mediaType,
              };
      };
    }
  }
  for (const s of all) {
    for (const ref of s.expected) {
      if (ref.byDigest) yield* headOfDigest(api, s, ref.digest);
    }
  }
}

/** The HEAD of each child of an expected index whose digest matched, once per repository. */
function* headsOfChildren(
  api: RegistryApi,
  states: Iterable<RepoState>
): Generator<() => Promise<void>> {
  for (const s of [...states]) {
    let tagIndex: Map<string, number> | undefined;
    for (const ref of s.expected) {
      if (ref.childDigests.length === 0) continue;
      let digest: string | undefined;
      if (ref.byDigest) digest = s.digests.get(ref.digest)?.digest;
      else {
        tagIndex ??= new Map(s.tags.map((t, i) => [t, i]));
        const i = tagIndex.get(ref.reference);
        digest = i === undefined ? undefined : s.tagRefs[i]?.digest;
      }
      if (digest !== ref.digest) continue;
      for (const child of ref.childDigests) yield* headOfDigest(api, s, child);
    }
  }
}

/** One HEAD of `digest` in the repository, unless it was already asked for. */
function* headOfDigest(
  api: RegistryApi,
  s: RepoState,
  digest: string
): Generator<() => Promise<void>> {
  if (s.digests.has(digest)) return;
  s.digests.set(digest, undefined);
  yield async () => {
    s.digests.set(digest, await api.headManifest(s.repository, digest));
  };
}

/**
 * Runs the tasks with at most `limit` in flight, taking each from the generator only when a
 * call slot is free (no array of every call of a shard). A 404 leaves no ref; a failure
 * rejects (the shard is then observed repository by repository).
 */
async function runAll(
  tasks: Iterator<() => Promise<void>>,
  limit: number
): Promise<void> {
  let failed = false;
  const worker = async (): Promise<void> => {
    for (let t = tasks.next(); !t.done && !failed; t = tasks.next()) {
      try {
        await t.value();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}

/** The refs of a repository: its tags in listed order, then the expected digest refs. */
function refsOf(s: RepoState): ObservedRef[] {
  const present = (digest: string): boolean => s.digests.get(digest) != null;
  // Expected indexes by the ref that points at them (most repositories have none).
  const indexes = new Map<string, ExpectedRef[]>();
  const keyOf = (byDigest: boolean, reference: string): string =>
    `${byDigest ? '@' : ':'}${reference}`;
  for (const e of s.expected) {
    if (e.childDigests.length === 0) continue;
    const key = keyOf(e.byDigest, e.byDigest ? e.digest : e.reference);
    const list = indexes.get(key);
    if (list) list.push(e);
    else indexes.set(key, [e]);
  }
  const hasIndexes = indexes.size > 0;
  // The children of the expected index the ref resolved to, those present.
  const withChildren = (o: ObservedRef): ObservedRef => {
    const index = indexes
      .get(keyOf(o.byDigest, o.reference))
      ?.find((e) => e.digest === o.digest);
    return index === undefined
      ? o
      : { ...o, childDigests: index.childDigests.filter(present) };
  };
  const refs: ObservedRef[] = [];
  for (const o of s.tagRefs) {
    if (o) refs.push(hasIndexes ? withChildren(o) : o);
  }
  const done = new Set<string>();
  for (const ref of s.expected) {
    if (!ref.byDigest || done.has(ref.digest)) continue;
    done.add(ref.digest);
    const info = s.digests.get(ref.digest);
    if (!info) continue;
    const o: ObservedRef = {
      repository: s.repository,
      reference: ref.digest,
      byDigest: true,
      digest: info.digest,
      mediaType: info.mediaType,
    };
    refs.push(hasIndexes ? withChildren(o) : o);
  }
  return refs;
}

/** The refs that one selected artifact puts on a target, and the set that collects them. */
import type { SelectedArtifact } from '../../harbor/filters';
import type { ExpectedRef, HarborArtifact } from '../../model';
import type { CollisionCandidate } from '../../report/schema';
import { compareText } from '../order';

/** Shared by every ref without index children (most): an empty array costs 32 bytes each. */
const NO_CHILDREN: string[] = [];
Object.freeze(NO_CHILDREN);

/** One ref per tag of the selected artifact, or its digest when it has none. */
export function refsOf(
  selected: SelectedArtifact,
  source: string,
  destination: string,
  target: string,
  policy: ExpectedRef['policy']
): ExpectedRef[] {
  const root: HarborArtifact = selected.root;
  const acc = selected.accessory;
  const base = {
    target,
    repository: destination,
    digest: selected.digest,
    manifestMediaType: acc
      ? (acc.manifestMediaType ?? '')
      : root.manifestMediaType,
    childDigests:
      acc || root.childDigests.length === 0
        ? NO_CHILDREN
        : [...root.childDigests],
    policy,
  };
  const pushTime = acc ? (acc.pushTime ?? root.pushTime) : root.pushTime;
  const accessoryOf = acc
    ? { accessoryOf: { digest: acc.subjectDigest, type: acc.type } }
    : {};
  const timed = (t?: string) => (t === undefined ? {} : { pushTime: t });
  if (selected.tags.length === 0) {
    return [
      {
        ...base,
        reference: selected.digest,
        byDigest: true,
        source: {
          repository: source,
          reference: selected.digest,
          ...timed(pushTime),
          ...accessoryOf,
        },
      },
    ];
  }
  return selected.tags.map((tag) => ({
    ...base,
    reference: tag,
    byDigest: false,
    source: {
      repository: source,
      reference: tag,
      ...timed(
        acc
          ? pushTime
          : (root.tags.find((t) => t.name === tag)?.pushTime ?? pushTime)
      ),
      ...accessoryOf,
    },
  }));
}

/** Collects refs per target: first one wins, different digests become a collision. */
export class ExpectedSet {
  private readonly refs = new Map<string, ExpectedRef>();

  add(ref: ExpectedRef): void {
    const key = `${ref.repository}\n${ref.reference}`;
    const first = this.refs.get(key);
    if (first === undefined) {
      this.refs.set(key, ref);
      return;
    }
    if (first.digest === ref.digest) {
      // Same content from two sources: only an unknown source can weaken it.
      if (
        first.unknownReason !== undefined &&
        ref.unknownReason === undefined
      ) {
        this.refs.set(key, {
          ...ref,
          ...(first.collision ? { collision: first.collision } : {}),
        });
      }
      return;
    }
    const candidate = (r: ExpectedRef): CollisionCandidate => ({
      digest: r.digest,
      source: r.source,
      policy: r.policy,
    });
    const candidates = first.collision ?? [candidate(first)];
    if (!candidates.some((c) => c.digest === ref.digest)) {
      candidates.push(candidate(ref));
    }
    first.collision = candidates;
  }

  /**
   * Adds the refs of policies that cannot run (`cannotRun`) where no runnable policy expects
   * the same destination ref: a runnable one is what will arrive there.
   */
  addBlocked(blocked: ExpectedSet): void {
    for (const [key, ref] of blocked.refs) {
      if (!this.refs.has(key)) this.refs.set(key, ref);
    }
  }

  list(): ExpectedRef[] {
    return [...this.refs.values()].sort(
      (a, b) =>
        compareText(a.repository, b.repository) ||
        compareText(a.reference, b.reference)
    );
  }
}

/**
 * A replication policy's filters applied to a Harbor source inventory, as Harbor's
 * harbor adapter and `src/pkg/reg/filter` do it (harbor-semantics §5.2, §5.4).
 */
import type { Accessory, HarborArtifact, PolicyFilter } from '../model';
import type { DoublestarVersion } from './pattern';
import { PatternError, matchPattern } from './pattern';

/** How the filters are read: the doublestar the source Harbor links (default v1.3.4). */
export interface FilterOptions {
  doublestar?: DoublestarVersion;
}

/** A filter that Harbor would refuse to run: the whole execution fails. */
export class FilterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FilterError';
  }
}

/** One artifact that a policy replicates, with the references to copy. */
export interface SelectedArtifact {
  digest: string;
  /** Tags to replicate (already reduced by tag filters); empty = copied by digest. */
  tags: string[];
  isAccessory: boolean;
  /** The top-level artifact this one was listed with (itself, or an accessory's root). */
  root: HarborArtifact;
  /** Set for accessories. */
  accessory?: Accessory;
}

/** A repository with what the policy replicates from it (never empty). */
export interface SelectedResource {
  repository: string;
  artifacts: SelectedArtifact[];
}

/** Harbor's internal filter candidate (`model.Artifact` with IsAcc / ParentTags). */
interface Candidate {
  tags: string[];
  labels: string[];
  isAcc: boolean;
  parentTags: string[];
  origin: Omit<SelectedArtifact, 'tags'>;
}

function match(pattern: string, s: string, options: FilterOptions): boolean {
  try {
    return matchPattern(pattern, s, options.doublestar);
  } catch (err) {
    if (err instanceof PatternError) {
      throw new FilterError(err.message, { cause: err });
    }
    throw err;
  }
}

function stringValue(filter: PolicyFilter): string {
  if (typeof filter.value !== 'string') {
    throw new FilterError(
      `invalid filter value type for ${filter.type} filter, expecting string`
    );
  }
  return filter.value;
}

function keep(decoration: PolicyFilter['decoration'], matched: boolean) {
  return decoration === 'excludes' ? !matched : matched;
}

/**
 * Keeps the repositories (full names incl. project) that pass every name filter, in
 * policy order (Harbor's `DoFilterRepositories`; an empty pattern passes everything).
 * @throws FilterError on a malformed pattern that the match reaches.
 */
export function filterRepositories(
  repositories: readonly string[],
  filters: readonly PolicyFilter[],
  options: FilterOptions = {}
): string[] {
  let kept = [...repositories];
  for (const filter of filters) {
    if (filter.type !== 'name') continue;
    const pattern = stringValue(filter);
    if (pattern === '') continue;
    kept = kept.filter((repo) =>
      keep(filter.decoration, match(pattern, repo, options))
    );
  }
  return kept;
}

/**
 * The filter candidates of a repository in Harbor's listing order: each listed artifact,
 * then its accessories (with their own tags, the artifact's tags as parent tags and its
 * labels). Untagged index children and accessories are never listed on their own.
 */
function candidatesOf(artifacts: readonly HarborArtifact[]): Candidate[] {
  const accessories = new Set<string>();
  const children = new Set<string>();
  for (const a of artifacts) {
    for (const acc of a.accessories) accessories.add(acc.digest);
    for (const child of a.childDigests) children.add(child);
  }
  const out: Candidate[] = [];
  for (const a of artifacts) {
    const tags = a.tags.map((t) => t.name);
    // Harbor's listing never shows accessories on their own, and shows tagged artifacts
    // plus untagged ones that no index refers to.
    if (accessories.has(a.digest)) continue;
    if (tags.length === 0 && children.has(a.digest)) continue;
    out.push({
      tags,
      labels: a.labels,
      isAcc: false,
      parentTags: [],
      origin: { digest: a.digest, isAccessory: false, root: a },
    });
    for (const acc of a.accessories) {
      out.push({
        tags: acc.tags ?? [],
        labels: a.labels,
        isAcc: true,
        parentTags: tags,
        origin: {
          digest: acc.digest,
          isAccessory: true,
          root: a,
          accessory: acc,
        },
      });
    }
  }
  return out;
}

function applyTagFilter(
  candidates: Candidate[],
  pattern: string,
  decoration: PolicyFilter['decoration'],
  options: FilterOptions
): Candidate[] {
  const out: Candidate[] = [];
  for (const c of candidates) {
    const forMatching = c.isAcc ? c.parentTags : c.tags;
    if (forMatching.length === 0) {
      if (keep(decoration, match(pattern, '', options))) out.push(c);
      continue;
    }
    const kept = forMatching.filter((t) =>
      keep(decoration, match(pattern, t, options))
    );
    if (kept.length === 0) continue;
    // Harbor copies a passing artifact without IsAcc/ParentTags: an accessory goes on with
    // its own tags, and a later tag filter sees those, not its subject's.
    out.push({
      tags: c.isAcc ? c.tags : kept,
      labels: c.labels,
      isAcc: false,
      parentTags: [],
      origin: c.origin,
    });
  }
  return out;
}

function applyLabelFilter(
  candidates: Candidate[],
  filter: PolicyFilter
): Candidate[] {
  if (!Array.isArray(filter.value)) {
    throw new FilterError(
      'invalid filter value type for label filter, expecting []string'
    );
  }
  const wanted = filter.value;
  if (wanted.length === 0) return candidates;
  return candidates.filter((c) => {
    const has = new Set(c.labels);
    return keep(
      filter.decoration,
      wanted.every((l) => has.has(l))
    );
  });
}

/**
 * Applies the tag and label filters, in policy order, to one repository's artifacts.
 * Name and resource filters do not act here (resource filters are never applied).
 * @throws FilterError on a malformed pattern or filter value that Harbor would reject.
 */
export function filterArtifacts(
  artifacts: readonly HarborArtifact[],
  filters: readonly PolicyFilter[],
  options: FilterOptions = {}
): SelectedArtifact[] {
  let candidates = candidatesOf(artifacts);
  for (const filter of filters) {
    if (filter.type === 'tag') {
      const pattern = stringValue(filter);
      if (pattern !== '') {
        candidates = applyTagFilter(
          candidates,
          pattern,
          filter.decoration,
          options
        );
      }
    } else if (filter.type === 'label') {
      candidates = applyLabelFilter(candidates, filter);
    }
  }
  return candidates.map((c) => ({ ...c.origin, tags: c.tags }));
}

/**
 * What a policy replicates from a set of source artifacts: repositories that pass the
 * name filters, each with its filtered artifacts; repositories left empty are dropped.
 * @throws FilterError as Harbor's execution would fail.
 */
export function selectResources(
  artifacts: readonly HarborArtifact[],
  filters: readonly PolicyFilter[],
  options: FilterOptions = {}
): SelectedResource[] {
  const byRepo = new Map<string, HarborArtifact[]>();
  for (const a of artifacts) {
    const list = byRepo.get(a.repository);
    if (list) list.push(a);
    else byRepo.set(a.repository, [a]);
  }
  const out: SelectedResource[] = [];
  const repositories = filterRepositories([...byRepo.keys()], filters, options);
  for (const repository of repositories) {
    const selected = filterArtifacts(
      byRepo.get(repository) ?? [],
      filters,
      options
    );
    if (selected.length > 0) out.push({ repository, artifacts: selected });
  }
  return out;
}

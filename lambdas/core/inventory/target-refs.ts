/**
 * What the target holds, as evidence, and the refs on it that nobody expects: orphaned when a
 * deletion-replicating policy covers them, the primary lost them and Harbor could have deleted
 * them; unexpected otherwise (GC leftovers, tags a registry cannot delete); unknown when the
 * source side could not be listed.
 */
import { filterArtifacts, filterRepositories } from '../harbor/filters';
import { replaceNamespace } from '../harbor/flatten';
import type { ObservedRef } from '../model';
import type { Finding } from '../report/schema';
import { notHarborsToDelete } from './deletions';
import { observedEvidence } from './evidence';
import type { DiffContext } from './diff';
import type { DeletionRule, PrimaryIndex } from './plan/types';

/** Whether the primary holds a ref of a repository: true, false, or unknown. */
function primaryHolds(
  primary: PrimaryIndex,
  repository: string,
  o: ObservedRef
): boolean | 'unknown' {
  const projectName = repository.split('/')[0] ?? '';
  const project = primary.projects.find((p) => p.name === projectName);
  if (project === undefined)
    return primary.projectListComplete ? false : 'unknown';
  const repo = project.repositories.find((r) => r.name === repository);
  const held =
    repo !== undefined &&
    (o.byDigest
      ? repo.digests.includes(o.digest)
      : repo.tags.includes(o.reference));
  if (held) return true;
  return project.complete ? false : 'unknown';
}

/** Whether the primary's (complete) listing still holds `digest` in `repository`. */
function primaryHoldsDigest(
  primary: PrimaryIndex,
  repository: string,
  digest: string
): boolean {
  const projectName = repository.split('/')[0] ?? '';
  return (
    primary.projects
      .find((p) => p.name === projectName)
      ?.repositories.find((r) => r.name === repository)
      ?.digests.includes(digest) ?? false
  );
}

/** Source repositories of `rule` that land on `destination`. */
function sourcesFor(rule: DeletionRule, destination: string): string[] {
  const known = rule.sources
    .filter((s) => s.destination === destination)
    .map((s) => s.source);
  if (known.length > 0) return known;
  // A repository deleted on the primary: only an invertible mapping names its source.
  let source: string | null = null;
  if (rule.destNamespace === '') source = destination;
  else if (rule.replaceCount === 0) {
    const prefix = `${rule.destNamespace.replace(/\/+$/, '')}/`;
    if (destination.startsWith(prefix))
      source = destination.slice(prefix.length);
  }
  if (source === null) return [];
  const back = replaceNamespace(
    source,
    rule.destNamespace,
    rule.replaceCount,
    rule.pathType
  );
  if (!back.ok || back.repository !== destination) return [];
  try {
    return filterRepositories([source], rule.filters, {
      doublestar: rule.doublestar,
    });
  } catch {
    return [];
  }
}

/** Whether the tag filters of `rule` let this ref through (labels are unknowable). */
function passesTagFilters(rule: DeletionRule, o: ObservedRef): boolean {
  const tagFilters = rule.filters.filter((f) => f.type === 'tag');
  const probe = {
    repository: '',
    digest: o.digest,
    manifestMediaType: '',
    type: '',
    tags: o.byDigest ? [] : [{ name: o.reference }],
    labels: [],
    childDigests: [],
    accessories: [],
  };
  try {
    return (
      filterArtifacts([probe], tagFilters, { doublestar: rule.doublestar })
        .length > 0
    );
  } catch {
    return false;
  }
}

export function classifyExtra(
  o: ObservedRef,
  repository: string,
  context: Pick<DiffContext, 'target' | 'primary' | 'deletionRules'>
): Finding {
  const base = {
    target: context.target,
    repository,
    reference: o.reference,
    ...observedEvidence(o),
  };
  for (const rule of context.deletionRules) {
    const sources = sourcesFor(rule, repository);
    if (sources.length === 0 || !passesTagFilters(rule, o)) continue;
    const held = sources.map((s) => primaryHolds(context.primary, s, o));
    if (held.includes(true)) continue;
    if (held.includes('unknown')) {
      return {
        state: 'unknown',
        ...base,
        policy: rule.policy,
        detail:
          'possibly orphaned: the source side could not be listed completely',
      };
    }
    // GC of untagged artifacts fires no event; tags on a docker-registry cannot be deleted.
    const notDeletable = notHarborsToDelete({
      byDigest: o.byDigest,
      policy: rule.policy.name,
      registryType: rule.registryType,
      digestOnPrimary: sources.some((s) =>
        primaryHoldsDigest(context.primary, s, o.digest)
      ),
    });
    if (notDeletable !== null) {
      return { state: 'unexpected', ...base, detail: notDeletable };
    }
    return {
      state: 'orphaned',
      ...base,
      policy: rule.policy,
      detail: `deleted on the primary (${sources.join(', ')}) but still on the target, although the policy replicates deletions`,
    };
  }
  return {
    state: 'unexpected',
    ...base,
    detail: 'on the target, expected by no policy',
  };
}

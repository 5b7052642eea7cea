/**
 * A policy that Harbor cannot run (harbor-semantics §5.1, §5.4): a filter error or a
 * flattening error fails the execution, so nothing of it arrives. Its refs are still
 * expected (the user configured them): the plan keeps them, marked `cannotRun`, instead of
 * dropping them, and says which scope cannot be told at all.
 */
import { FilterError, selectResources } from '../../harbor/filters';
import type {
  FilterOptions,
  SelectedArtifact,
  SelectedResource,
} from '../../harbor/filters';
import { DEFAULT_DOUBLESTAR } from '../../harbor/doublestar-version';
import type {
  ExpectedRef,
  HarborArtifact,
  PolicyFilter,
  ReplicationPolicy,
} from '../../model';
import type { PolicyError, UnknownScope } from './types';

/** Content that a policy would replicate but cannot (its execution fails), and why. */
export interface BlockedResource {
  resource: SelectedResource;
  /** Harbor's error: what the finding's detail names. */
  reason: string;
}

/** What a policy whose filters raise an error still tells. */
export interface FilterFailure {
  /** What still replicates: event-based policies, for events that match without error. */
  runnable: SelectedResource[];
  blocked: BlockedResource[];
  errors: PolicyError[];
  /** Where the filters cannot be read at all (no doublestar version can match them). */
  unknownScopes: UnknownScope[];
}

/** The detail of a finding of a ref whose policy cannot run. */
export function cannotRunDetail(reason: string): string {
  return `policy cannot run: ${reason}`;
}

/**
 * Reads a policy whose filters fail (selectResources threw a FilterError). doublestar fails
 * only where matching reaches the bad part, so each unit an event would carry (one tag of one
 * artifact, with its accessories) is matched on its own:
 * - a unit that matches without error is selected as Harbor reads it;
 * - a unit that errors is read as doublestar v1.3.4 reads it when the Harbor links v1.1.1
 *   (the meaning the filter has on newer Harbors, e.g. `/` inside braces): blocked;
 * - a unit no version can read makes its source project an UnknownScope.
 * A manual or scheduled execution fails as a whole: everything it would select is blocked.
 * An event-based policy fails per event: only the units that error are blocked.
 */
export function filterFailure(input: {
  policy: ReplicationPolicy;
  policyRef: ExpectedRef['policy'];
  target: string;
  artifacts: readonly HarborArtifact[];
  error: FilterError;
  /** Destination prefix of a source project (or the whole policy when undefined). */
  prefixOf: (project: string | undefined) => string;
  options?: FilterOptions;
}): FilterFailure {
  const { policy, target } = input;
  const eventBased = policy.trigger.type === 'event_based';
  const units = readUnits(input.artifacts, policy.filters, input.options ?? {});
  const out: FilterFailure = {
    runnable: [],
    blocked: [],
    errors: [],
    unknownScopes: [],
  };
  const errorOf = (repository?: string, message = input.error.message) => ({
    target,
    policy: input.policyRef,
    kind: 'filter' as const,
    ...(repository === undefined ? {} : { repository }),
    message,
  });
  if (eventBased) {
    out.runnable = units.ok;
    for (const r of units.reread) {
      out.blocked.push({ resource: r.resource, reason: r.reason });
      out.errors.push(errorOf(r.resource.repository, r.reason));
    }
    for (const u of units.undecided) {
      if (!out.errors.some((e) => e.repository === u.repository)) {
        out.errors.push(errorOf(u.repository, u.reason));
      }
    }
  } else {
    out.errors.push(errorOf());
    const reason = input.error.message;
    for (const resource of units.ok) out.blocked.push({ resource, reason });
    for (const r of units.reread) {
      out.blocked.push({ resource: r.resource, reason });
    }
  }
  const projects = new Map<string, string>();
  for (const u of units.undecided) {
    const project = u.repository.split('/')[0] ?? '';
    if (!projects.has(project)) projects.set(project, u.reason);
  }
  for (const [project, reason] of projects) {
    out.unknownScopes.push({
      target,
      policy: policy.name,
      sourceProject: project,
      destinationPrefix: input.prefixOf(project),
      reason: `${cannotRunDetail(reason)}; which of its refs the policy would select cannot be told`,
    });
  }
  return out;
}

interface Units {
  ok: SelectedResource[];
  reread: { resource: SelectedResource; reason: string }[];
  undecided: { repository: string; reason: string }[];
}

/** Matches each unit (one tag of one top-level artifact) on its own; see filterFailure. */
function readUnits(
  artifacts: readonly HarborArtifact[],
  filters: readonly PolicyFilter[],
  options: FilterOptions
): Units {
  const byRepo = new Map<string, HarborArtifact[]>();
  for (const a of artifacts) {
    const list = byRepo.get(a.repository);
    if (list) list.push(a);
    else byRepo.set(a.repository, [a]);
  }
  const ok = new Merged();
  const reread = new Map<string, Merged>();
  const undecided: Units['undecided'] = [];
  const newest = { ...options, doublestar: DEFAULT_DOUBLESTAR };
  const rereads = (options.doublestar ?? DEFAULT_DOUBLESTAR) !== 'v1.3.4';
  for (const [repository, list] of byRepo) {
    let firstUndecided: string | undefined;
    for (const { unit, original } of unitsOf(list)) {
      const first = trySelect(unit, filters, options);
      if (!(first instanceof FilterError)) {
        ok.add(first, original);
        continue;
      }
      const second = rereads ? trySelect(unit, filters, newest) : first;
      if (!(second instanceof FilterError)) {
        let m = reread.get(first.message);
        if (m === undefined) {
          m = new Merged();
          reread.set(first.message, m);
        }
        m.add(second, original);
        continue;
      }
      firstUndecided ??= first.message;
    }
    if (firstUndecided !== undefined) {
      undecided.push({ repository, reason: firstUndecided });
    }
  }
  return {
    ok: ok.list(),
    reread: [...reread].flatMap(([reason, m]) =>
      m.list().map((resource) => ({ resource, reason }))
    ),
    undecided,
  };
}

/** One unit per tag of each top-level artifact (untagged: the artifact), as events carry them. */
function unitsOf(
  list: readonly HarborArtifact[]
): { unit: HarborArtifact[]; original: HarborArtifact }[] {
  const accessories = new Set<string>();
  const children = new Set<string>();
  for (const a of list) {
    for (const acc of a.accessories) accessories.add(acc.digest);
    for (const c of a.childDigests) children.add(c);
  }
  const units: { unit: HarborArtifact[]; original: HarborArtifact }[] = [];
  for (const a of list) {
    if (accessories.has(a.digest)) continue;
    if (a.tags.length === 0) {
      if (!children.has(a.digest)) units.push({ unit: [a], original: a });
      continue;
    }
    for (const t of a.tags) {
      units.push({ unit: [{ ...a, tags: [t] }], original: a });
    }
  }
  return units;
}

function trySelect(
  unit: readonly HarborArtifact[],
  filters: readonly PolicyFilter[],
  options: FilterOptions
): SelectedResource[] | FilterError {
  try {
    return selectResources(unit, filters, options);
  } catch (err) {
    if (err instanceof FilterError) return err;
    throw err;
  }
}

/** Selections of units merged back per repository and artifact (tags in listing order). */
class Merged {
  private readonly repos = new Map<string, Map<string, SelectedArtifact>>();

  /** Adds the selection of one unit of `original` (the unit's artifact is its root). */
  add(resources: readonly SelectedResource[], original: HarborArtifact): void {
    for (const r of resources) {
      let arts = this.repos.get(r.repository);
      if (arts === undefined) {
        arts = new Map();
        this.repos.set(r.repository, arts);
      }
      for (const s of r.artifacts) {
        const key = `${String(s.isAccessory)}:${s.digest}`;
        const seen = arts.get(key);
        if (seen === undefined) {
          arts.set(key, { ...s, root: original, tags: [...s.tags] });
          continue;
        }
        for (const t of s.tags) if (!seen.tags.includes(t)) seen.tags.push(t);
      }
    }
  }

  list(): SelectedResource[] {
    return [...this.repos].map(([repository, arts]) => ({
      repository,
      artifacts: [...arts.values()].map((a) => ({
        ...a,
        // Tags in the artifact's own order, as one selection of it would list them.
        tags: a.isAccessory
          ? a.tags
          : a.root.tags.map((t) => t.name).filter((t) => a.tags.includes(t)),
      })),
    }));
  }
}

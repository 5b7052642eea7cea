import type { FilterRec } from '../state/types';
import type { DoublestarVersion } from './doublestar';
import { PatternError, patternMatch } from './pattern';

/** One candidate artifact of a source repository, as the filters see it (§5.2, §5.4). */
export interface Candidate {
  digest: string;
  /** Own tags; the tag filter reduces them for ordinary artifacts. */
  tags: string[];
  /** Label names (accessories carry their subject's labels). */
  labels: string[];
  /** For an accessory: the root artifact's tags, which the tag filter looks at instead. */
  parentTags?: string[];
  isAccessory: boolean;
}

/** Validates filter shapes like Harbor's policy validation. */
export function validateFilters(filters: FilterRec[]): void {
  for (const f of filters) {
    if (!['name', 'tag', 'label', 'resource'].includes(f.type)) {
      throw new PatternError(`invalid filter type ${f.type}`);
    }
    const dec = f.decoration ?? 'matches';
    if (dec !== 'matches' && dec !== 'excludes')
      throw new PatternError(`invalid filter decoration ${dec}`);
    if (dec === 'excludes' && (f.type === 'name' || f.type === 'resource')) {
      throw new PatternError(
        `the decoration of ${f.type} filter must be "matches"`
      );
    }
    if (f.type === 'label') {
      if (
        !Array.isArray(f.value) ||
        f.value.some((v) => typeof v !== 'string')
      ) {
        throw new PatternError(
          'the value of label filter must be a list of label names'
        );
      }
    } else if (typeof f.value !== 'string') {
      throw new PatternError(`the value of ${f.type} filter must be a string`);
    }
  }
}

/** True when every name filter matches the full repository name (name filters are ANDed). */
export function repositoryMatches(
  version: DoublestarVersion,
  repository: string,
  filters: FilterRec[]
): boolean {
  return filters
    .filter((f) => f.type === 'name')
    .every((f) =>
      patternMatch(
        version,
        typeof f.value === 'string' ? f.value : '',
        repository
      )
    );
}

function applyTagFilter(
  version: DoublestarVersion,
  arts: Candidate[],
  pattern: string,
  excludes: boolean
): Candidate[] {
  if (pattern === '') return arts;
  const match = (t: string) => patternMatch(version, pattern, t);
  const out: Candidate[] = [];
  for (const a of arts) {
    if (a.isAccessory) {
      const probe =
        a.parentTags && a.parentTags.length > 0 ? a.parentTags : [''];
      if (probe.some((t) => match(t) !== excludes)) out.push(a);
      continue;
    }
    if (a.tags.length === 0) {
      if (match('') !== excludes) out.push(a);
      continue;
    }
    const kept = a.tags.filter((t) => match(t) !== excludes);
    if (kept.length > 0) out.push({ ...a, tags: kept });
  }
  return out;
}

function applyLabelFilter(
  arts: Candidate[],
  names: string[],
  excludes: boolean
): Candidate[] {
  if (names.length === 0) return arts;
  return arts.filter((a) => {
    const hasAll = names.every((n) => a.labels.includes(n));
    return excludes ? !hasAll : hasAll;
  });
}

/** Applies the policy's tag and label filters in order; tag filters reduce the replicated tags. */
export function filterArtifacts(
  version: DoublestarVersion,
  arts: Candidate[],
  filters: FilterRec[]
): Candidate[] {
  let out = arts;
  for (const f of filters) {
    const excludes = (f.decoration ?? 'matches') === 'excludes';
    if (f.type === 'tag')
      out = applyTagFilter(
        version,
        out,
        typeof f.value === 'string' ? f.value : '',
        excludes
      );
    else if (f.type === 'label')
      out = applyLabelFilter(
        out,
        Array.isArray(f.value) ? (f.value as string[]) : [],
        excludes
      );
  }
  return out;
}

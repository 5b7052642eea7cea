/** What the auditor cannot fix in a policy but the user must know (PlanWarning). */
import {
  FilterError,
  filterArtifacts,
  selectResources,
} from '../../harbor/filters';
import type { SelectedResource } from '../../harbor/filters';
import type { DoublestarVersion } from '../../harbor/pattern';
import {
  PatternError,
  looksLikeRegex,
  matchPattern,
} from '../../harbor/pattern';
import type { HarborArtifact, ReplicationPolicy } from '../../model';
import type { Matching } from '../../report/schema';
import { canDeleteTags } from '../deletions';
import type { PlanWarning, PlanWarningCode } from './types';

/** The warnings of one push-mode policy bound to `target`. */
export function warningsFor(
  policy: ReplicationPolicy,
  target: string,
  registryType: string
): PlanWarning[] {
  const out: PlanWarning[] = [];
  const w = (code: PlanWarningCode, message: string) => {
    out.push({ code, target, policy: policy.name, message });
  };
  if (!policy.enabled) {
    w(
      'disabled-policy',
      'the policy is disabled: Harbor replicates nothing for it until it is enabled; its refs are still expected because the configuration lists it'
    );
  }
  const labels = policy.filters.some(
    (f) => f.type === 'label' && Array.isArray(f.value) && f.value.length > 0
  );
  if (policy.trigger.type === 'event_based' && labels) {
    w(
      'event-label-filter',
      'event-based rule with a label filter: a push event carries the labels present at push time, so labels added later never trigger replication (goharbor/harbor#11565)'
    );
  }
  if (policy.deletion && !canDeleteTags(registryType)) {
    w(
      'deletion-unsupported',
      `deletion is on but the ${registryType} adapter cannot delete tags: tag deletions fail ("the tag deletion isn't supported"), artifact deletions remove the manifest by digest`
    );
  }
  if (policy.deletion && policy.trigger.type !== 'event_based') {
    w(
      'deletion-without-events',
      `deletion is on but the trigger is ${policy.trigger.type}: Harbor replicates deletions only from events, so deleted content stays on the target`
    );
  }
  return out;
}

/**
 * What the user must know about how Harbor reads this policy's filters: regex-looking
 * patterns, accessory tags an event-based rule drops, and (release unknown) a meaning that
 * depends on the release.
 */
export function filterWarnings(
  policy: ReplicationPolicy,
  target: string,
  scope: FilterScope,
  matching: Matching
): PlanWarning[] {
  return [
    ...regexFilterWarnings(policy, target, scope, matching.doublestar),
    ...eventAccessoryWarnings(policy, target, scope, matching.doublestar),
    ...doublestarWarnings(policy, target, scope, matching),
  ];
}

/** The primary's artifacts a policy's filters can meet (the projects in its scope). */
export interface FilterScope {
  artifacts: readonly HarborArtifact[];
}

const NOUN = { name: 'repository name', tag: 'tag' } as const;

/** The string a glob without wildcards, classes or braces matches, or null for a real glob. */
function literalOf(pattern: string): string | null {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\') {
      i++;
      out += pattern[i] ?? '';
    } else if ('*?[{'.includes(c)) {
      return null;
    } else {
      out += c;
    }
  }
  return out;
}

function countMatches(
  pattern: string,
  names: readonly string[],
  doublestar: DoublestarVersion
): number | null {
  try {
    return names.filter((n) => matchPattern(pattern, n, doublestar)).length;
  } catch (err) {
    if (err instanceof PatternError) return null;
    throw err;
  }
}

/**
 * A name or tag filter written as a regular expression (looksLikeRegex): Harbor has no regex
 * filters and matches it as a doublestar glob. Says what it matches, and how many of the
 * names in scope.
 */
function regexFilterWarnings(
  policy: ReplicationPolicy,
  target: string,
  scope: FilterScope,
  doublestar: DoublestarVersion
): PlanWarning[] {
  const out: PlanWarning[] = [];
  for (const f of policy.filters) {
    if (f.type !== 'name' && f.type !== 'tag') continue;
    if (typeof f.value !== 'string' || !looksLikeRegex(f.value)) continue;
    const noun = NOUN[f.type];
    const names = [
      ...new Set(
        f.type === 'name'
          ? scope.artifacts.map((a) => a.repository)
          : scope.artifacts.flatMap((a) => a.tags.map((t) => t.name))
      ),
    ];
    const literal = literalOf(f.value);
    const meaning =
      literal === null
        ? `it is a glob in which ^ $ . + ( ) | are ordinary characters`
        : `it matches only the ${noun} spelled exactly ${JSON.stringify(literal)}`;
    const hits = countMatches(f.value, names, doublestar);
    const effect =
      hits === null
        ? 'it is not a valid glob either: Harbor fails the execution where matching reaches the bad part'
        : f.decoration === 'excludes'
          ? `it excludes ${hits} of the ${names.length} ${noun}s in scope${hits === 0 ? ': every one of them is replicated' : ''}`
          : `${hits} of the ${names.length} ${noun}s in scope match it${hits === 0 ? ': none of them is replicated' : ''}`;
    out.push({
      code: 'regex-filter',
      target,
      policy: policy.name,
      message: `the ${f.type} filter ${JSON.stringify(f.value)} looks like a regular expression, but Harbor has no regex filters (a "regex:" prefix was never merged): ${meaning}; ${effect}`,
    });
  }
  return out;
}

/** A cosign signature's own tag, for an example subject digest. */
const COSIGN_TAG = `sha256-${'0'.repeat(64)}.sig`;

/**
 * An event-based policy whose tag filters drop an accessory's own tag. Harbor's event path
 * (`handlePushArtifact`) builds the pushed artifact without marking it an accessory, so a
 * signature pushed after its image is filtered on its own tag (cosign `sha256-<digest>.sig`,
 * none for an OCI referrer) and never replicated by events; a manual or scheduled run would
 * copy it with its subject.
 */
function eventAccessoryWarnings(
  policy: ReplicationPolicy,
  target: string,
  scope: FilterScope,
  doublestar: DoublestarVersion
): PlanWarning[] {
  if (policy.trigger.type !== 'event_based') return [];
  const tagFilters = policy.filters.filter(
    (f) => f.type === 'tag' && f.value !== ''
  );
  if (tagFilters.length === 0) return [];
  const ownTags = new Set([COSIGN_TAG, '']);
  for (const a of scope.artifacts)
    for (const acc of a.accessories)
      for (const t of acc.tags ?? []) ownTags.add(t);
  const dropped = [...ownTags].filter((tag) => {
    const pushed: HarborArtifact = {
      repository: '',
      digest: '',
      manifestMediaType: '',
      type: '',
      tags: tag === '' ? [] : [{ name: tag }],
      labels: [],
      childDigests: [],
      accessories: [],
    };
    try {
      return filterArtifacts([pushed], tagFilters, { doublestar }).length === 0;
    } catch (err) {
      if (err instanceof FilterError) return false;
      throw err;
    }
  });
  if (dropped.length === 0) return [];
  const shown = dropped.map((t) =>
    t === ''
      ? 'an untagged OCI referrer (notation signature, SBOM)'
      : t === COSIGN_TAG
        ? 'a cosign signature tag sha256-<digest>.sig'
        : JSON.stringify(t)
  );
  return [
    {
      code: 'event-accessory-tag',
      target,
      policy: policy.name,
      message: `event-based rule whose tag filter excludes ${shown.slice(0, 4).join(', ')}${shown.length > 4 ? ` and ${shown.length - 4} more accessory tags` : ''}: Harbor filters a signature or other accessory pushed after its image on its own tag, so events never replicate it; it arrives only with a manual or scheduled run (the plan still expects it)`,
    },
  ];
}

/** Every ref a selection replicates, as comparable keys. */
function refKeys(resources: readonly SelectedResource[]): Set<string> {
  const keys = new Set<string>();
  for (const r of resources)
    for (const a of r.artifacts) {
      if (a.tags.length === 0) keys.add(`${r.repository}@${a.digest}`);
      for (const t of a.tags) keys.add(`${r.repository}:${t}@${a.digest}`);
    }
  return keys;
}

function selectionOf(
  scope: FilterScope,
  policy: ReplicationPolicy,
  doublestar: DoublestarVersion
): { keys: Set<string> } | { error: string } {
  try {
    return {
      keys: refKeys(
        selectResources(scope.artifacts, policy.filters, { doublestar })
      ),
    };
  } catch (err) {
    if (err instanceof FilterError) return { error: err.message };
    throw err;
  }
}

/**
 * A policy whose filters select something else under the other doublestar: when the
 * primary's release is not known (the plan guessed v1.3.4, `doublestar-guess`), or when it
 * links v1.1.1 (an upgrade to 2.10.3 or later changes what the policy replicates,
 * `doublestar-upgrade`).
 */
function doublestarWarnings(
  policy: ReplicationPolicy,
  target: string,
  scope: FilterScope,
  matching: Matching
): PlanWarning[] {
  const guess = matching.source === 'default';
  if (!guess && matching.doublestar !== 'v1.1.1') return [];
  const other: DoublestarVersion =
    matching.doublestar === 'v1.1.1' ? 'v1.3.4' : 'v1.1.1';
  const planned = selectionOf(scope, policy, matching.doublestar);
  const alternative = selectionOf(scope, policy, other);
  let differs: string | null = null;
  if ('error' in alternative) {
    if (!('error' in planned)) {
      differs = `Harbor fails the whole execution (${alternative.error})`;
    }
  } else if ('error' in planned) {
    differs = `Harbor runs it and replicates ${alternative.keys.size} refs`;
  } else {
    const onlyPlanned = [...planned.keys].filter(
      (k) => !alternative.keys.has(k)
    ).length;
    const onlyOther = [...alternative.keys].filter(
      (k) => !planned.keys.has(k)
    ).length;
    if (onlyPlanned + onlyOther > 0) {
      differs = `Harbor replicates ${alternative.keys.size} refs instead of ${planned.keys.size} (it drops ${onlyPlanned} of the planned refs and adds ${onlyOther})`;
    }
  }
  if (differs === null) return [];
  if (guess) {
    return [
      {
        code: 'doublestar-guess',
        target,
        policy: policy.name,
        message: `the primary's release is not known and this policy's filters read differently by release: planned with doublestar ${matching.doublestar}; on a release linking ${other} ${differs}. Set primary.doublestar to be sure`,
      },
    ];
  }
  const who = matching.harborVersion
    ? `Harbor ${matching.harborVersion}`
    : 'the configured primary';
  return [
    {
      code: 'doublestar-upgrade',
      target,
      policy: policy.name,
      message: `${who} reads this policy's filters with doublestar v1.1.1; from Harbor 2.9.5, 2.10.3 and 2.11 on (v1.3.4) ${differs}: an upgrade changes what this policy replicates`,
    },
  ];
}

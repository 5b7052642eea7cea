/**
 * The finding states and what each one means for counts, exposure and re-triggering: one
 * table, so that a new state is one row and every rule that reads it is exhaustive by
 * construction (the type of the table's keys is the type of a state).
 */

/** The report's count that a state adds to; `null`: listed, never counted. */
export type CountBucket =
  'synced' | 'missing' | 'mismatched' | 'orphaned' | 'unknown';

export interface FindingStateRule {
  /** The count a finding of this state adds to. */
  bucket: CountBucket | null;
  /**
   * Whether it counts as an expected ref: always, never (the target holds it and nobody
   * expects it), or only when it has an expected digest (an unknown can be either).
   */
  expected: 'always' | 'never' | 'if-expected-digest';
  /** An expected change that has not (correctly) arrived: it ages the target's exposure. */
  unsynced: boolean;
  /**
   * What a new execution of the policy that expects it can bring: a missing ref or accessory
   * is copied; a digest mismatch only when the policy overrides (Harbor skips a tag that
   * exists with another digest otherwise). Index children under an index that exists are not
   * re-copied, and deletions are never replayed by a start.
   */
  retrigger: 'copies' | 'copies-if-override' | 'no';
}

export const FINDING_STATES = {
  synced: {
    bucket: 'synced',
    expected: 'always',
    unsynced: false,
    retrigger: 'no',
  },
  missing: {
    bucket: 'missing',
    expected: 'always',
    unsynced: true,
    retrigger: 'copies',
  },
  'digest-mismatch': {
    bucket: 'mismatched',
    expected: 'always',
    unsynced: true,
    retrigger: 'copies-if-override',
  },
  'index-children-missing': {
    bucket: 'mismatched',
    expected: 'always',
    unsynced: true,
    retrigger: 'no',
  },
  /** The ref is there but an accessory (signature, SBOM) of it is absent. */
  'accessory-missing': {
    bucket: 'missing',
    expected: 'always',
    unsynced: true,
    retrigger: 'copies',
  },
  /** Deleted on the primary, still on the target, under a deletion-replicating policy. */
  orphaned: {
    bucket: 'orphaned',
    expected: 'never',
    unsynced: false,
    retrigger: 'no',
  },
  /** On the target, expected by nobody, and no policy would delete it. */
  unexpected: {
    bucket: null,
    expected: 'never',
    unsynced: false,
    retrigger: 'no',
  },
  unknown: {
    bucket: 'unknown',
    expected: 'if-expected-digest',
    unsynced: false,
    retrigger: 'no',
  },
  /** Two or more sources expect different digests under the same destination ref. */
  collision: {
    bucket: 'mismatched',
    expected: 'always',
    unsynced: false,
    retrigger: 'no',
  },
} as const satisfies Record<string, FindingStateRule>;

/** One state per expected ref, plus what is on the target and expected by nobody. */
export type FindingState = keyof typeof FINDING_STATES;

/** Every state, in the table's order (the report schema's enum). */
export const FINDING_STATE_NAMES = Object.keys(FINDING_STATES) as [
  FindingState,
  ...FindingState[],
];

/** The rule of a state. */
export function ruleOf(state: FindingState): FindingStateRule {
  return FINDING_STATES[state];
}

import {
  countFindings,
  emptyCounts,
} from '../../../../lambdas/core/inventory/counts';
import type {
  Finding,
  FindingCounts,
  FindingState,
} from '../../../../lambdas/core/report/schema';

function finding(state: FindingState, expectedDigest?: string): Finding {
  return {
    state,
    target: 'dr',
    repository: 'lib/app',
    reference: 'v1',
    ...(expectedDigest === undefined ? {} : { expectedDigest }),
  };
}

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('countFindings', () => {
  it.each<[FindingState, boolean, Partial<FindingCounts>]>([
    ['synced', true, { expected: 1, synced: 1 }],
    ['missing', true, { expected: 1, missing: 1 }],
    ['accessory-missing', true, { expected: 1, missing: 1 }],
    ['digest-mismatch', true, { expected: 1, mismatched: 1 }],
    ['index-children-missing', true, { expected: 1, mismatched: 1 }],
    ['collision', true, { expected: 1, mismatched: 1 }],
    ['unknown', true, { expected: 1, unknown: 1 }],
    ['unknown', false, { unknown: 1 }],
    ['orphaned', false, { orphaned: 1 }],
    ['unexpected', false, {}],
  ])('%s (expected digest: %s)', (state, hasDigest, want) => {
    // Act
    const got = countFindings([finding(state, hasDigest ? DIGEST : undefined)]);

    // Assert
    expect(got).toEqual({ ...emptyCounts(), ...want });
  });

  it('keeps expected = synced + missing + mismatched + unknown of expected refs', () => {
    // Arrange
    const states: FindingState[] = [
      'synced',
      'synced',
      'missing',
      'accessory-missing',
      'digest-mismatch',
      'index-children-missing',
      'collision',
      'unknown',
    ];

    // Act
    const c = countFindings([
      ...states.map((s) => finding(s, DIGEST)),
      finding('orphaned'),
      finding('unexpected'),
    ]);

    // Assert
    expect(c).toEqual({
      expected: 8,
      synced: 2,
      missing: 2,
      mismatched: 3,
      orphaned: 1,
      unknown: 1,
    });
    expect(c.synced + c.missing + c.mismatched + c.unknown).toBe(c.expected);
  });
});

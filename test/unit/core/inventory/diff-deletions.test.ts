/**
 * What Harbor cannot delete is never `orphaned` (harbor-semantics §5.6): garbage collection
 * fires no deletion event, and the docker-registry adapter cannot delete tags.
 */
import { countFindings } from '../../../../lambdas/core/inventory/counts';
import {
  diffContextFor,
  diffShard,
} from '../../../../lambdas/core/inventory/diff';
import type { DiffContext } from '../../../../lambdas/core/inventory/diff';
import { planExpected } from '../../../../lambdas/core/inventory/plan';
import type {
  ObservedRef,
  ProjectInventory,
} from '../../../../lambdas/core/model';
import type { ObservedRepository } from '../../../../lambdas/core/ports';
import { TARGET_DRIVERS } from '../../../../lambdas/compose/drivers';
import { art, d, nameFilter, policy } from '../fixtures';

const primary: ProjectInventory[] = [
  {
    project: 'lib',
    complete: true,
    // v1 -> a; the artifact b is still there but its tag `old` was deleted.
    artifacts: [art('lib/app', 'a', ['v1']), art('lib/app', 'b', ['keep'])],
  },
];

function contextFor(kind: 'harbor' | 'distribution'): DiffContext {
  const destType = kind === 'harbor' ? 'harbor' : 'docker-registry';
  const plan = planExpected({
    targets: [{ name: 'dr', kind, traits: TARGET_DRIVERS[kind].traits }],
    bindings: [
      {
        policy: policy({
          deletion: true,
          destType,
          filters: [nameFilter('lib/**')],
        }),
        target: 'dr',
      },
    ],
    inventories: primary,
  });
  return diffContextFor(plan, 'dr');
}

const tag = (reference: string, seed: string): ObservedRef => ({
  repository: 'lib/app',
  reference,
  byDigest: false,
  digest: d(seed),
});
const bare = (seed: string): ObservedRef => ({
  repository: 'lib/app',
  reference: d(seed),
  byDigest: true,
  digest: d(seed),
});
const repo = (refs: ObservedRef[]): ObservedRepository => ({
  repository: 'lib/app',
  exists: true,
  refs,
});

describe('diffShard: what Harbor cannot delete is not orphaned', () => {
  it.each(['harbor', 'distribution'] as const)(
    'an untagged artifact removed by garbage collection is unexpected, with the reason (%s target)',
    (kind) => {
      // Act
      const findings = diffShard([], [repo([bare('gc')])], contextFor(kind));

      // Assert
      expect(findings).toEqual([
        expect.objectContaining({
          state: 'unexpected',
          reference: d('gc'),
          detail: expect.stringContaining(
            'garbage collection removes untagged artifacts without a deletion event'
          ) as string,
        }),
      ]);
      expect(countFindings(findings).orphaned).toBe(0);
    }
  );

  it('a tag deleted on the primary is unexpected on a docker-registry target', () => {
    // Act
    const findings = diffShard(
      [],
      [repo([tag('old', 'b')])],
      contextFor('distribution')
    );

    // Assert
    expect(findings).toEqual([
      expect.objectContaining({
        state: 'unexpected',
        reference: 'old',
        detail: expect.stringContaining(
          'the docker-registry adapter cannot delete tags'
        ) as string,
      }),
    ]);
  });

  it('a tag deleted on the primary stays orphaned on a Harbor target (Harbor deletes tags there)', () => {
    const findings = diffShard(
      [],
      [repo([tag('old', 'b')])],
      contextFor('harbor')
    );
    expect(findings.map((f) => f.state)).toEqual(['orphaned']);
  });

  it('an artifact deleted on the primary stays orphaned on a docker-registry target (manifests are deleted by digest)', () => {
    const findings = diffShard(
      [],
      [repo([tag('v0', 'gone')])],
      contextFor('distribution')
    );
    expect(findings.map((f) => f.state)).toEqual(['orphaned']);
  });
});

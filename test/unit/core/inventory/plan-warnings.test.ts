import { planExpected } from '../../../../lambdas/core/inventory/plan';
import { resolveMatching } from '../../../../lambdas/core/inventory/plan/matching';
import type {
  PlanWarningCode,
  TargetPlan,
} from '../../../../lambdas/core/inventory/plan/types';
import type {
  PolicyFilter,
  ProjectInventory,
  ReplicationPolicy,
} from '../../../../lambdas/core/model';
import { TARGET_DRIVERS } from '../../../../lambdas/compose/drivers';
import { acc, art, nameFilter, policy, tagFilter } from '../fixtures';

const INVENTORY: ProjectInventory[] = [
  {
    project: 'library',
    complete: true,
    artifacts: [
      art('library/nginx', 'n', ['v1.2', 'v1.3', 'latest'], {
        accessories: [
          acc('s', 'n', { tags: [`sha256-${'n'.padEnd(64, '0')}.sig`] }),
        ],
      }),
    ],
  },
];

function warnings(
  p: ReplicationPolicy,
  code: PlanWarningCode,
  matching = resolveMatching('auto', { harborVersion: 'v2.15.2' })
): string[] {
  const plan: TargetPlan = planExpected({
    targets: [
      { name: 'dr', kind: 'harbor', traits: TARGET_DRIVERS.harbor.traits },
    ],
    bindings: [{ policy: p, target: 'dr' }],
    inventories: INVENTORY,
    matching,
  }).targets[0]!;
  return plan.warnings.filter((w) => w.code === code).map((w) => w.message);
}

const scheduled = (filters: PolicyFilter[]) =>
  policy({ filters, trigger: { type: 'scheduled', cron: '0 0 * * * *' } });

describe('plan warning: a filter written as a regular expression', () => {
  it('says Harbor has no regex filters and that regex:^v1\\. matches only that literal tag', () => {
    // Act
    const [w] = warnings(
      scheduled([nameFilter('library/**'), tagFilter('regex:^v1\\.')]),
      'regex-filter'
    );

    // Assert
    expect(w).toBe(
      'the tag filter "regex:^v1\\\\." looks like a regular expression, but Harbor has no regex filters (a "regex:" prefix was never merged): it matches only the tag spelled exactly "regex:^v1."; 0 of the 3 tags in scope match it: none of them is replicated'
    );
  });

  it('on excludes: says that everything is replicated', () => {
    const [w] = warnings(
      scheduled([tagFilter('^v1\\..*$', 'excludes')]),
      'regex-filter'
    );

    expect(w).toMatch(
      /it is a glob in which \^ \$ \. \+ \( \) \| are ordinary characters; it excludes 0 of the 3 tags in scope: every one of them is replicated$/
    );
  });

  it('on a name filter: counts repositories', () => {
    const [w] = warnings(
      scheduled([nameFilter('regex:^library/')]),
      'regex-filter'
    );

    expect(w).toMatch(
      /the name filter .* 0 of the 1 repository names in scope match it/
    );
  });

  it('says nothing for globs', () => {
    expect(
      warnings(
        scheduled([nameFilter('library/**'), tagFilter('v1.*')]),
        'regex-filter'
      )
    ).toEqual([]);
    expect(warnings(scheduled([tagFilter('[^a]*')]), 'regex-filter')).toEqual(
      []
    );
  });
});

describe('plan warning: an event-based rule whose tag filter drops a signature pushed later', () => {
  it('warns when the tag filter excludes the cosign tag sha256-<digest>.sig and untagged referrers', () => {
    // Arrange: Harbor's handlePushArtifact filters a later signature push on its own tag.
    const p = policy({
      trigger: { type: 'event_based' },
      filters: [tagFilter('v*')],
    });

    // Act
    const [w] = warnings(p, 'event-accessory-tag');

    // Assert
    expect(w).toContain('a cosign signature tag sha256-<digest>.sig');
    expect(w).toContain('an untagged OCI referrer');
    expect(w).toContain('events never replicate it');
    expect(w).toContain('manual or scheduled run');
  });

  it('names only what is dropped: a filter that keeps .sig tags drops untagged referrers only', () => {
    const p = policy({
      trigger: { type: 'event_based' },
      filters: [tagFilter('{v*,*.sig}')],
    });

    const [w] = warnings(p, 'event-accessory-tag');

    expect(w).toContain('an untagged OCI referrer');
    expect(w).not.toContain('cosign');
  });

  it.each<[string, ReplicationPolicy]>([
    [
      'an excludes filter that keeps every accessory tag',
      policy({ filters: [tagFilter('*-dev', 'excludes')] }),
    ],
    ['no tag filter', policy({ filters: [nameFilter('library/**')] })],
    [
      'a tag filter that matches everything',
      policy({ filters: [tagFilter('**')] }),
    ],
    [
      'a scheduled rule (it lists accessories with their subject)',
      scheduled([tagFilter('v*')]),
    ],
  ])('says nothing for %s', (_t, p) => {
    expect(warnings(p, 'event-accessory-tag')).toEqual([]);
  });
});

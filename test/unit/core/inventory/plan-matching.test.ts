import {
  diffContextFor,
  diffShard,
} from '../../../../lambdas/core/inventory/diff';
import { planExpected } from '../../../../lambdas/core/inventory/plan';
import { resolveMatching } from '../../../../lambdas/core/inventory/plan/matching';
import type {
  PlanInput,
  TargetPlan,
} from '../../../../lambdas/core/inventory/plan/types';
import type { ProjectInventory } from '../../../../lambdas/core/model';
import type { Matching } from '../../../../lambdas/core/report/schema';
import { TARGET_DRIVERS } from '../../../../lambdas/compose/drivers';
import { art, d, nameFilter, policy, tagFilter } from '../fixtures';

// Harbor 2.8.0–2.9.4 and 2.10.0–2.10.2 link doublestar v1.1.1, later releases v1.3.4
// (harbor-semantics, "Correction"); the plan must read filters as the primary's release does.

const INVENTORY: ProjectInventory[] = [
  {
    project: 'library',
    complete: true,
    artifacts: [
      art('library/nginx', 'n', ['latest', '1.2']),
      art('library/nginx', 'u'),
    ],
  },
  {
    project: 'team',
    complete: true,
    artifacts: [art('team/redis', 'r', ['v1'])],
  },
];

const V111 = resolveMatching('auto', { harborVersion: 'v2.10.1-b7b88476' });
const V134 = resolveMatching('auto', { harborVersion: 'v2.12.0-a1b2c3d4' });

function planFor(
  filters: PlanInput['bindings'][number]['policy']['filters'],
  matching?: Matching
): TargetPlan {
  const result = planExpected({
    targets: [
      { name: 'dr', kind: 'harbor', traits: TARGET_DRIVERS.harbor.traits },
    ],
    bindings: [
      {
        policy: policy({ filters, trigger: { type: 'manual' } }),
        target: 'dr',
      },
    ],
    inventories: INVENTORY,
    ...(matching ? { matching } : {}),
  });
  return result.targets[0]!;
}

const refs = (p: TargetPlan) =>
  p.expected.map((r) => `${r.repository}:${r.reference}`).sort();

describe('resolveMatching', () => {
  it.each<[string, Parameters<typeof resolveMatching>, Partial<Matching>]>([
    [
      'a release on v1.1.1',
      ['auto', { harborVersion: 'v2.10.1-b7b88476' }],
      {
        doublestar: 'v1.1.1',
        source: 'systeminfo',
        harborVersion: 'v2.10.1-b7b88476',
      },
    ],
    [
      'a release on v1.3.4',
      ['auto', { harborVersion: 'v2.10.3' }],
      { doublestar: 'v1.3.4', source: 'systeminfo' },
    ],
    [
      'the config forces v1.1.1',
      ['v1.1.1'],
      { doublestar: 'v1.1.1', source: 'config' },
    ],
    [
      'systeminfo does not show the release',
      ['auto', { harborVersion: null }],
      { doublestar: 'v1.3.4', source: 'default' },
    ],
    [
      'systeminfo fails',
      ['auto', { error: 'HTTP 503' }],
      { doublestar: 'v1.3.4', source: 'default' },
    ],
    [
      'a release whose library is not known',
      ['auto', { harborVersion: 'v3.0.0' }],
      { doublestar: 'v1.3.4', source: 'default', harborVersion: 'v3.0.0' },
    ],
  ])('%s', (_t, args, want) => {
    // Act
    const m = resolveMatching(...args);

    // Assert
    expect(m).toMatchObject(want);
  });

  it('says why a guess is a guess', () => {
    expect(resolveMatching('auto', { error: 'HTTP 503' }).note).toMatch(
      /^doublestar v1\.3\.4 .*, a guess: the primary's release could not be read \(GET \/systeminfo: HTTP 503\)/
    );
    expect(resolveMatching('auto').note).toMatch(/was not read/);
  });
});

describe('planExpected reads filters as the primary release does', () => {
  it('a brace with / fails the whole policy on v1.1.1 (its refs kept, blocked) and selects both on v1.3.4', () => {
    // Arrange
    const filters = [nameFilter('{library/nginx,team/redis}')];

    // Act
    const old = planFor(filters, V111);
    const current = planFor(filters, V134);

    // Assert
    // Nothing of the policy arrives on 2.10.1, but its refs stay expected (as v1.3.4 reads
    // the filter), each marked with why it cannot run: a plan error never shrinks the set.
    expect(refs(old)).toEqual(refs(current));
    expect(old.expected.map((r) => r.cannotRun)).toEqual(
      old.expected.map(
        (): string => expect.stringMatching(/syntax error in pattern/) as string
      )
    );
    expect(current.expected.every((r) => r.cannotRun === undefined)).toBe(true);
    expect(old.policyErrors).toEqual([
      expect.objectContaining({
        kind: 'filter',
        message: expect.stringMatching(/syntax error in pattern/) as string,
      }),
    ]);
    expect(refs(current)).toEqual([
      'library/nginx:1.2',
      'library/nginx:latest',
      `library/nginx:${d('u')}`,
      'team/redis:v1',
    ]);
    expect(current.policyErrors).toEqual([]);
  });

  it('a trailing empty alternative matches untagged artifacts only on v1.3.4', () => {
    // Arrange
    const filters = [nameFilter('library/**'), tagFilter('{latest,}')];

    // Act / Assert
    expect(refs(planFor(filters, V111))).toEqual(['library/nginx:latest']);
    expect(refs(planFor(filters, V134))).toEqual([
      'library/nginx:latest',
      `library/nginx:${d('u')}`,
    ]);
  });

  it('records the matching in the result, a guess when none is given', () => {
    // Act
    const given = planExpected({
      targets: [],
      bindings: [],
      inventories: [],
      matching: V111,
    });
    const none = planExpected({ targets: [], bindings: [], inventories: [] });

    // Assert
    expect(given.matching).toEqual(V111);
    expect(none.matching).toMatchObject({
      doublestar: 'v1.3.4',
      source: 'default',
    });
  });

  it('the deletion rule keeps the release: an extra tag only v1.3.4 filters pass is orphaned there, unexpected on v1.1.1', () => {
    // Arrange: the primary lost library/nginx:1.2; the target still holds it.
    const deleting = policy({
      deletion: true,
      filters: [nameFilter('library/**'), tagFilter('1.{2,3}{.*,}')],
    });
    const held = [
      {
        repository: 'library/nginx',
        exists: true,
        refs: [
          {
            repository: 'library/nginx',
            reference: '1.2',
            byDigest: false,
            digest: d('z'),
          },
        ],
      },
    ];
    const primary: ProjectInventory[] = [
      {
        project: 'library',
        complete: true,
        artifacts: [art('library/nginx', 'n', ['latest'])],
      },
    ];
    const stateOn = (matching: Matching) => {
      const plan = planExpected({
        targets: [
          { name: 'dr', kind: 'harbor', traits: TARGET_DRIVERS.harbor.traits },
        ],
        bindings: [{ policy: deleting, target: 'dr' }],
        inventories: primary,
        matching,
      });
      return diffShard([], held, diffContextFor(plan, 'dr')).map(
        (f) => f.state
      );
    };

    // Act / Assert
    expect(stateOn(V134)).toEqual(['orphaned']);
    expect(stateOn(V111)).toEqual(['unexpected']);
  });
});

describe('planExpected when the release is a guess', () => {
  const guess = resolveMatching('auto', { error: 'HTTP 503' });
  const codes = (p: TargetPlan) =>
    p.warnings
      .filter((w) => w.code === 'doublestar-guess')
      .map((w) => w.message);

  it('warns on a policy that another release would read differently', () => {
    // Act
    const [failing] = codes(
      planFor([nameFilter('{library/nginx,team/redis}')], guess)
    );
    const [narrower] = codes(
      planFor([nameFilter('library/**'), tagFilter('{latest,}')], guess)
    );

    // Assert
    expect(failing).toMatch(
      /planned with doublestar v1\.3\.4; on a release linking v1\.1\.1 Harbor fails the whole execution \(.*syntax error in pattern\)/
    );
    expect(narrower).toMatch(
      /replicates 1 refs instead of 2 \(it drops 1 of the planned refs and adds 0\)/
    );
  });

  it('says nothing where both releases agree, or where the release is known', () => {
    expect(
      codes(planFor([nameFilter('library/**'), tagFilter('v*')], guess))
    ).toEqual([]);
    expect(
      codes(planFor([nameFilter('{library/nginx,team/redis}')], V134))
    ).toEqual([]);
  });
});

describe('planExpected on a release that links v1.1.1', () => {
  it('says what an upgrade to 2.10.3 or later would change', () => {
    // Act
    const plan = planFor([nameFilter('{library/nginx,team/redis}')], V111);

    // Assert
    expect(
      plan.warnings
        .filter((w) => w.code === 'doublestar-upgrade')
        .map((w) => w.message)
    ).toEqual([
      "Harbor v2.10.1-b7b88476 reads this policy's filters with doublestar v1.1.1; from Harbor 2.9.5, 2.10.3 and 2.11 on (v1.3.4) Harbor runs it and replicates 4 refs: an upgrade changes what this policy replicates",
    ]);
    expect(
      planFor([nameFilter('library/**')], V111).warnings.map((w) => w.code)
    ).not.toContain('doublestar-upgrade');
  });
});

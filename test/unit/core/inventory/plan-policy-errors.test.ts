/**
 * Refs of a policy that cannot run (a filter or flattening error fails Harbor's execution)
 * are expected and end up `missing` ("policy cannot run: ..."), never dropped (issue 12).
 */
import { countFindings } from '../../../../lambdas/core/inventory/counts';
import { unplaceableFindings } from '../../../../lambdas/core/inventory/cannot-run';
import {
  diffContextFor,
  diffShard,
} from '../../../../lambdas/core/inventory/diff';
import { planExpected } from '../../../../lambdas/core/inventory/plan';
import { filterFailure } from '../../../../lambdas/core/inventory/plan/policy-errors';
import type { PlanResult } from '../../../../lambdas/core/inventory/plan/types';
import { estimateExposure } from '../../../../lambdas/core/inventory/rpo';
import { FilterError } from '../../../../lambdas/core/harbor/filters';
import type {
  ProjectInventory,
  ReplicationPolicy,
} from '../../../../lambdas/core/model';
import type { ObservedRepository } from '../../../../lambdas/core/ports';
import { TARGET_DRIVERS } from '../../../../lambdas/compose/drivers';
import { art, d, nameFilter, policy, tagFilter } from '../fixtures';

const NOW = new Date('2026-11-02T00:00:00Z');

const inv = (
  project: string,
  artifacts: ProjectInventory['artifacts']
): ProjectInventory => ({ project, complete: true, artifacts });

function planFor(p: ReplicationPolicy, inventories: ProjectInventory[]) {
  return planExpected({
    targets: [
      { name: 'dr', kind: 'harbor', traits: TARGET_DRIVERS.harbor.traits },
    ],
    bindings: [{ policy: p, target: 'dr' }],
    inventories,
  });
}

/** Diffs every shard against a target that holds `held`, plus the unplaceable refs. */
function audit(plan: PlanResult, held: ObservedRepository[] = []) {
  const t = plan.targets[0]!;
  const repos = [...new Set(t.expected.map((r) => r.repository))];
  const observed = repos.map(
    (repository) =>
      held.find((h) => h.repository === repository) ?? {
        repository,
        exists: false,
        refs: [],
      }
  );
  return [
    ...diffShard(t.expected, observed, diffContextFor(plan, 'dr')),
    ...unplaceableFindings(t.unplaceable),
  ];
}

const rows = (findings: ReturnType<typeof audit>) =>
  findings.map((f) => [f.state, f.repository, f.reference, f.detail]);

describe('a flattening error: refs of the policy are missing, never dropped', () => {
  // Level 2 fits lib/tools/cli but not lib/app.
  const shallow = [
    inv('lib', [art('lib/app', 'a', ['v1']), art('lib/tools/cli', 'c', ['1'])]),
  ];
  const FLATTEN =
    'the source repository "lib/app" contains only 1 path components [lib] excepting the last one, but the destination namespace flattening level is 2';

  it('a scheduled policy fails as a whole: every ref is missing, counted, and ages the exposure', () => {
    // Arrange
    const p = policy({
      trigger: { type: 'scheduled', cron: '0 0 * * * *' },
      destNamespace: 'x',
      destNamespaceReplaceCount: 2,
    });

    // Act
    const plan = planFor(p, shallow);
    const findings = audit(plan);

    // Assert
    expect(plan.targets[0]!.expected.map((r) => r.cannotRun)).toEqual([
      FLATTEN,
    ]);
    expect(rows(findings)).toEqual([
      ['missing', 'x/cli', '1', `policy cannot run: ${FLATTEN}`],
      // lib/app has no destination name: listed under its source repository.
      ['missing', 'lib/app', 'v1', `policy cannot run: ${FLATTEN}`],
    ]);
    expect(countFindings(findings)).toEqual({
      expected: 2,
      synced: 0,
      missing: 2,
      mismatched: 0,
      orphaned: 0,
      unknown: 0,
    });
    expect(estimateExposure(findings, NOW).seconds).toBe(86_400);
  });

  it('an event-based policy: only the repository that cannot be mapped', () => {
    // Arrange
    const p = policy({ destNamespace: 'x', destNamespaceReplaceCount: 2 });

    // Act
    const plan = planFor(p, shallow);
    const held: ObservedRepository[] = [
      {
        repository: 'x/cli',
        exists: true,
        refs: [
          {
            repository: 'x/cli',
            reference: '1',
            byDigest: false,
            digest: d('c'),
          },
        ],
      },
    ];
    const findings = audit(plan, held);

    // Assert
    expect(rows(findings)).toEqual([
      ['synced', 'x/cli', '1', undefined],
      ['missing', 'lib/app', 'v1', `policy cannot run: ${FLATTEN}`],
    ]);
    expect(plan.targets[0]!.policyErrors.map((e) => e.repository)).toEqual([
      'lib/app',
    ]);
  });

  it('a copy that is on the target anyway is synced, naming the reason; a stale one is missing', () => {
    // Arrange
    const p = policy({
      trigger: { type: 'manual' },
      destNamespace: 'x',
      destNamespaceReplaceCount: 2,
    });
    const two = [
      inv('lib', [
        art('lib/app', 'a', ['v1']),
        art('lib/tools/cli', 'c', ['1', '2']),
      ]),
    ];
    const held: ObservedRepository[] = [
      {
        repository: 'x/cli',
        exists: true,
        refs: [
          {
            repository: 'x/cli',
            reference: '1',
            byDigest: false,
            digest: d('c'),
          },
          {
            repository: 'x/cli',
            reference: '2',
            byDigest: false,
            digest: d('old'),
          },
        ],
      },
    ];

    // Act
    const findings = audit(planFor(p, two), held);

    // Assert
    expect(
      findings.map((f) => [f.state, f.reference, f.observedDigest])
    ).toEqual([
      ['synced', '1', d('c')],
      ['missing', '2', d('old')],
      ['missing', 'v1', undefined],
    ]);
    expect(findings[0]!.detail).toBe(
      `on the target (an earlier copy), but policy cannot run: ${FLATTEN}`
    );
  });

  it('a runnable policy wins a destination ref that a failing one also expects', () => {
    // Arrange: both put x/cli:1 there; p1 (manual) fails on lib/app, p2 runs.
    const runnable = policy({
      id: 2,
      name: 'p2',
      destNamespace: 'x',
      destNamespaceReplaceCount: -1,
      filters: [nameFilter('lib/tools/**')],
    });
    const failing = policy({
      trigger: { type: 'manual' },
      destNamespace: 'x',
      destNamespaceReplaceCount: 2,
    });

    // Act
    const plan = planExpected({
      targets: [
        { name: 'dr', kind: 'harbor', traits: TARGET_DRIVERS.harbor.traits },
      ],
      bindings: [
        { policy: failing, target: 'dr' },
        { policy: runnable, target: 'dr' },
      ],
      inventories: shallow,
    });

    // Assert
    const [cli] = plan.targets[0]!.expected;
    expect(cli).toMatchObject({ repository: 'x/cli', policy: { name: 'p2' } });
    expect(cli?.cannotRun).toBeUndefined();
    expect(cli?.collision).toBeUndefined();
  });
});

describe('a filter error: what the filter selects is missing, what it cannot tell is unknown', () => {
  // `{v1,x[}`: v1 matches, v2 does not, xy reaches the bad `[` (an error).
  const tags = [inv('lib', [art('lib/app', 'a', ['v1', 'v2', 'xy'])])];
  const BAD = /invalid pattern/;

  it('a manual policy fails as a whole: the tag it selects is missing, the project is an unknown scope', () => {
    // Arrange
    const p = policy({
      trigger: { type: 'manual' },
      filters: [tagFilter('{v1,x[}')],
    });

    // Act
    const plan = planFor(p, tags);
    const t = plan.targets[0]!;
    const findings = audit(plan);

    // Assert
    expect(findings.map((f) => [f.state, f.reference])).toEqual([
      ['missing', 'v1'],
    ]);
    expect(findings[0]!.detail).toMatch(/^policy cannot run: invalid pattern/);
    expect(t.policyErrors).toEqual([
      expect.objectContaining({
        kind: 'filter',
        message: expect.stringMatching(BAD) as string,
      }),
    ]);
    expect(t.policyErrors[0]!.repository).toBeUndefined();
    expect(t.unknownScopes).toEqual([
      expect.objectContaining({
        sourceProject: 'lib',
        destinationPrefix: 'lib/',
        reason: expect.stringMatching(
          /^policy cannot run: invalid pattern.*cannot be told$/
        ) as string,
      }),
    ]);
  });

  it('an event-based policy fails per event: v1 still replicates, only xy is unknown', () => {
    // Arrange
    const p = policy({ filters: [tagFilter('{v1,x[}')] });

    // Act
    const plan = planFor(p, tags);
    const t = plan.targets[0]!;

    // Assert
    expect(t.expected.map((r) => [r.reference, r.cannotRun])).toEqual([
      ['v1', undefined],
    ]);
    expect(t.policyErrors.map((e) => [e.kind, e.repository])).toEqual([
      ['filter', 'lib/app'],
    ]);
    expect(t.unknownScopes.map((u) => u.sourceProject)).toEqual(['lib']);
  });
});

describe('filterFailure: doublestar v1.1.1 rejects / inside braces', () => {
  const artifacts = [
    art('library/nginx', 'n', ['1.25', 'latest']),
    art('team/redis', 'r', ['7']),
    art('other/x', 'o', ['1']),
  ];
  const braces = nameFilter('{library/nginx,team/redis}');

  // What selectResources raises under v1.1.1 for every repository name.
  const error = new FilterError(
    'invalid pattern "{library/nginx,team/redis}": syntax error in pattern'
  );
  const fail = (p: ReplicationPolicy) =>
    filterFailure({
      policy: p,
      policyRef: {
        id: p.id,
        name: p.name,
        override: p.override,
        deletion: p.deletion,
      },
      target: 'dr',
      artifacts,
      error,
      prefixOf: () => '',
      options: { doublestar: 'v1.1.1' },
    });

  it('blocks what the filter means on newer Harbors (every execution fails on 2.10.1)', () => {
    // Act
    const failure = fail(
      policy({ trigger: { type: 'manual' }, filters: [braces] })
    );

    // Assert
    expect(failure.runnable).toEqual([]);
    expect(
      failure.blocked.map((b) => [
        b.resource.repository,
        b.resource.artifacts.flatMap((a) => a.tags),
        b.reason,
      ])
    ).toEqual([
      [
        'library/nginx',
        ['1.25', 'latest'],
        'invalid pattern "{library/nginx,team/redis}": syntax error in pattern',
      ],
      [
        'team/redis',
        ['7'],
        'invalid pattern "{library/nginx,team/redis}": syntax error in pattern',
      ],
    ]);
    expect(failure.unknownScopes).toEqual([]);
    expect(failure.errors).toHaveLength(1);
  });

  it('an event-based policy: every event fails, one error per repository', () => {
    // Act
    const failure = fail(policy({ filters: [braces] }));

    // Assert
    expect(failure.runnable).toEqual([]);
    expect(failure.blocked.map((b) => b.resource.repository)).toEqual([
      'library/nginx',
      'team/redis',
    ]);
    expect(failure.errors.map((e) => e.repository)).toEqual([
      'library/nginx',
      'team/redis',
    ]);
  });
});

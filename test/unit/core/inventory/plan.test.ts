import type {
  ExpectedRef,
  ProjectInventory,
} from '../../../../lambdas/core/model';
import { indexPrimary } from '../../../../lambdas/core/inventory/plan/index-primary';
import {
  planExpected,
  policyScope,
} from '../../../../lambdas/core/inventory/plan';
import {
  expectedByShard,
  shardRefsOf,
} from '../../../../lambdas/core/inventory/plan/shards';
import type {
  PlanInput,
  PlanTarget,
  TargetPlan,
} from '../../../../lambdas/core/inventory/plan/types';
import {
  acc,
  art,
  d,
  labelFilter,
  nameFilter,
  policy,
  tagFilter,
} from '../fixtures';
import { TARGET_DRIVERS } from '../../../../lambdas/compose/drivers';

const HARBOR: PlanTarget = {
  name: 'dr',
  kind: 'harbor',
  traits: TARGET_DRIVERS.harbor.traits,
};
const PLAIN: PlanTarget = {
  name: 'edge',
  kind: 'distribution',
  traits: TARGET_DRIVERS.distribution.traits,
};

function inv(
  project: string,
  artifacts = [] as ProjectInventory['artifacts']
): ProjectInventory {
  return { project, complete: true, artifacts };
}

function only(
  input: Partial<PlanInput> & Pick<PlanInput, 'bindings'>
): TargetPlan {
  const result = planExpected({
    targets: [HARBOR, PLAIN],
    inventories: [],
    ...input,
  });
  const name = input.bindings[0]?.target ?? 'dr';
  return result.targets.find((t) => t.target === name)!;
}

/** [repository, reference, digest, byDigest] */
function refs(plan: TargetPlan) {
  return plan.expected.map(
    (r) => [r.repository, r.reference, r.digest, r.byDigest] as const
  );
}

const LIB = inv('lib', [
  art('lib/app', 'a', [['v1', '2026-11-02T10:00:00Z'], 'latest'], {
    labels: ['prod'],
  }),
  art('lib/app', 'u'),
  art('lib/tools/cli', 'c', ['1.0']),
]);
const OPS = inv('ops', [art('ops/app', 'o', ['v1'])]);

describe('policyScope', () => {
  it.each<[string[], ReturnType<typeof policyScope>]>([
    [[], { kind: 'all' }],
    [['lib/**'], { kind: 'projects', names: ['lib'] }],
    [['{lib,ops}/*'], { kind: 'projects', names: ['lib', 'ops'] }],
    [['{lib, ops}/*'], { kind: 'projects', names: ['lib', 'ops'] }],
    [['lib'], { kind: 'projects', names: ['lib'] }],
    [['li*/**'], { kind: 'all' }],
    [['**/app'], { kind: 'all' }],
    [[''], { kind: 'all' }],
    [['regex:^lib/'], { kind: 'all' }],
    // only the first name filter decides
    [['**', 'lib/**'], { kind: 'all' }],
    [['lib/**', '**'], { kind: 'projects', names: ['lib'] }],
  ])('name filters %j → %j', (names, want) => {
    // Arrange
    const p = policy({ filters: names.map(nameFilter) });

    // Act / Assert
    expect(policyScope(p)).toEqual(want);
  });
});

describe('planExpected: refs', () => {
  it('expects every tag, and untagged artifacts by digest, under the same path', () => {
    // Act
    const plan = only({
      bindings: [{ policy: policy(), target: 'dr' }],
      inventories: [LIB],
    });

    // Assert
    expect(refs(plan)).toEqual([
      ['lib/app', 'latest', d('a'), false],
      ['lib/app', d('u'), d('u'), true],
      ['lib/app', 'v1', d('a'), false],
      ['lib/tools/cli', '1.0', d('c'), false],
    ]);
    const v1 = plan.expected.find((r) => r.reference === 'v1')!;
    expect(v1).toEqual<ExpectedRef>({
      target: 'dr',
      repository: 'lib/app',
      reference: 'v1',
      byDigest: false,
      digest: d('a'),
      manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      childDigests: [],
      source: {
        repository: 'lib/app',
        reference: 'v1',
        pushTime: '2026-11-02T10:00:00Z',
      },
      policy: { id: 1, name: 'p1', override: true, deletion: false },
    });
    // a tag without its own push time falls back to the artifact's
    expect(
      plan.expected.find((r) => r.reference === 'latest')?.source.pushTime
    ).toBe('2026-11-01T00:00:00Z');
  });

  it('applies name and tag filters and the namespace with flattening', () => {
    // Arrange
    const p = policy({
      filters: [nameFilter('{lib,ops}/**'), tagFilter('v*')],
      destNamespace: 'mirror',
      destNamespaceReplaceCount: 1,
    });

    // Act
    const plan = only({
      bindings: [{ policy: p, target: 'dr' }],
      inventories: [LIB, OPS],
    });

    // Assert: lib/app and ops/app both flatten onto mirror/app with different digests
    expect(refs(plan)).toEqual([['mirror/app', 'v1', d('a'), false]]);
    expect(plan.collisions).toHaveLength(1);
    expect(
      plan.expected[0]?.collision?.map((c) => [c.digest, c.source.repository])
    ).toEqual([
      [d('a'), 'lib/app'],
      [d('o'), 'ops/app'],
    ]);
  });

  it('keeps one ref when two sources agree on the digest', () => {
    // Arrange: the same content in two projects, flattened together
    const same = [
      inv('a', [art('a/app', 'x', ['1'])]),
      inv('b', [art('b/app', 'x', ['1'])]),
    ];

    // Act
    const plan = only({
      bindings: [{ policy: policy({ destNamespace: 'n' }), target: 'dr' }],
      inventories: same,
    });

    // Assert
    expect(refs(plan)).toEqual([['n/app', '1', d('x'), false]]);
    expect(plan.collisions).toEqual([]);
    expect(plan.expected[0]?.source.repository).toBe('a/app');
  });

  it('detects collisions across two policies on the same target', () => {
    // Arrange
    const p1 = policy({
      id: 1,
      name: 'p1',
      filters: [nameFilter('lib/app')],
      destNamespace: 'x',
    });
    const p2 = policy({
      id: 2,
      name: 'p2',
      filters: [nameFilter('ops/app')],
      destNamespace: 'x',
    });

    // Act
    const plan = only({
      bindings: [
        { policy: p1, target: 'dr' },
        { policy: p2, target: 'dr' },
      ],
      inventories: [LIB, OPS],
    });

    // Assert
    expect(plan.collisions.map((r) => [r.repository, r.reference])).toEqual([
      ['x/app', 'v1'],
    ]);
    expect(plan.collisions[0]?.collision?.map((c) => c.policy.name)).toEqual([
      'p1',
      'p2',
    ]);
  });

  it('expects accessories by digest (or their own tags) next to their subject', () => {
    // Arrange
    const signed = inv('lib', [
      art('lib/app', 's', ['v1'], {
        accessories: [
          acc('sig', 's', { pushTime: '2026-11-03T00:00:00Z' }),
          acc('sbom', 's', { type: 'sbom.harbor', tags: ['sbom'] }),
        ],
      }),
    ]);

    // Act
    const plan = only({
      bindings: [
        {
          policy: policy({ destNamespace: 'x', destNamespaceReplaceCount: 1 }),
          target: 'dr',
        },
      ],
      inventories: [signed],
    });

    // Assert
    expect(refs(plan)).toEqual([
      ['x/app', 'sbom', d('sbom'), false],
      ['x/app', d('sig'), d('sig'), true],
      ['x/app', 'v1', d('s'), false],
    ]);
    const sig = plan.expected.find((r) => r.digest === d('sig'))!;
    expect(sig.source).toEqual({
      repository: 'lib/app',
      reference: d('sig'),
      pushTime: '2026-11-03T00:00:00Z',
      accessoryOf: { digest: d('s'), type: 'signature.cosign' },
    });
    expect(sig.manifestMediaType).toBe('');
  });

  it('carries index children on the index ref', () => {
    // Arrange
    const index = inv('lib', [
      art('lib/multi', 'i', ['2'], {
        manifestMediaType: 'application/vnd.oci.image.index.v1+json',
        childDigests: [d('amd'), d('arm')],
      }),
    ]);

    // Act
    const plan = only({
      bindings: [{ policy: policy(), target: 'dr' }],
      inventories: [index],
    });

    // Assert
    expect(plan.expected).toHaveLength(1);
    expect(plan.expected[0]?.childDigests).toEqual([d('amd'), d('arm')]);
  });

  it('reads only the projects of a specific first name filter', () => {
    // Arrange: an incomplete project outside the scope must not matter
    const broken: ProjectInventory = {
      project: 'ops',
      complete: false,
      artifacts: [],
      error: { scope: 'primary/ops', message: 'HTTP 500' },
    };
    const p = policy({ filters: [nameFilter('lib/**')] });

    // Act
    const plan = only({
      bindings: [{ policy: p, target: 'dr' }],
      inventories: [LIB, broken],
    });

    // Assert
    expect(plan.unknownScopes).toEqual([]);
    expect(plan.expected.every((r) => r.unknownReason === undefined)).toBe(
      true
    );
  });
});

describe('planExpected: incomplete inventories make refs unknown, never absent', () => {
  const partial: ProjectInventory = {
    project: 'lib',
    complete: false,
    artifacts: [art('lib/app', 'a', ['v1'])],
    error: { scope: 'primary/lib', message: 'page 3 of lib/app: HTTP 502' },
  };

  it.each<[string, Partial<Parameters<typeof policy>[0]>, string]>([
    ['keep path', {}, 'lib/'],
    [
      'no flattening',
      { destNamespace: 'x', destNamespaceReplaceCount: 0 },
      'x/lib/',
    ],
    ['flatten 1', { destNamespace: 'x', destNamespaceReplaceCount: 1 }, 'x/'],
    [
      'flatten all',
      { destNamespace: 'x/y', destNamespaceReplaceCount: -1 },
      'x/y/',
    ],
  ])('%s', (_t, overrides, prefix) => {
    // Act
    const plan = only({
      bindings: [{ policy: policy(overrides), target: 'dr' }],
      inventories: [partial],
    });

    // Assert
    expect(plan.expected).toHaveLength(1);
    expect(plan.expected[0]?.unknownReason).toBe('page 3 of lib/app: HTTP 502');
    expect(plan.unknownScopes).toEqual([
      {
        target: 'dr',
        policy: 'p1',
        sourceProject: 'lib',
        destinationPrefix: prefix,
        reason: 'page 3 of lib/app: HTTP 502',
      },
    ]);
  });

  it('makes the whole policy area unknown when the project list failed', () => {
    // Act
    const plan = only({
      bindings: [{ policy: policy(), target: 'dr' }],
      inventories: [LIB],
      projectListError: {
        scope: 'primary',
        message: 'GET /projects: HTTP 503',
      },
    });

    // Assert
    expect(plan.unknownScopes).toEqual([
      {
        target: 'dr',
        policy: 'p1',
        destinationPrefix: '',
        reason: 'GET /projects: HTTP 503',
      },
    ]);
  });

  it('does not hold a specific-scope policy unknown for a failed project list', () => {
    // Act
    const plan = only({
      bindings: [
        { policy: policy({ filters: [nameFilter('lib/**')] }), target: 'dr' },
      ],
      inventories: [LIB],
      projectListError: {
        scope: 'primary',
        message: 'GET /projects: HTTP 503',
      },
    });

    // Assert
    expect(plan.unknownScopes).toEqual([]);
  });
});

describe('planExpected: policy errors', () => {
  const shallow = [
    inv('lib', [art('lib/app', 'a', ['v1']), art('lib/tools/cli', 'c', ['1'])]),
  ];

  it('a flattening error fails a scheduled policy entirely', () => {
    // Arrange: level 2 fits lib/tools/cli but not lib/app
    const p = policy({
      trigger: { type: 'scheduled', cron: '0 0 * * * *' },
      destNamespace: 'x',
      destNamespaceReplaceCount: 2,
    });

    // Act
    const plan = only({
      bindings: [{ policy: p, target: 'dr' }],
      inventories: shallow,
    });

    // Assert: nothing arrives, but every ref is still expected (as cannotRun)
    expect(refs(plan)).toEqual([['x/cli', '1', d('c'), false]]);
    expect(plan.expected.every((r) => r.cannotRun !== undefined)).toBe(true);
    expect(plan.unplaceable.map((r) => [r.repository, r.reference])).toEqual([
      ['lib/app', 'v1'],
    ]);
    expect(plan.policyErrors).toEqual([
      {
        target: 'dr',
        policy: { id: 1, name: 'p1', override: true, deletion: false },
        kind: 'flattening',
        message:
          'the source repository "lib/app" contains only 1 path components [lib] excepting the last one, but the destination namespace flattening level is 2',
      },
    ]);
  });

  it('an event-based policy fails only the events of the repository that cannot be mapped', () => {
    // Arrange
    const p = policy({ destNamespace: 'x', destNamespaceReplaceCount: 2 });

    // Act
    const plan = only({
      bindings: [{ policy: p, target: 'dr' }],
      inventories: shallow,
    });

    // Assert
    expect(refs(plan)).toEqual([['x/cli', '1', d('c'), false]]);
    expect(plan.policyErrors.map((e) => [e.kind, e.repository])).toEqual([
      ['flattening', 'lib/app'],
    ]);
  });

  it('a destination without a project fails on a Harbor target only', () => {
    // Arrange: single-component source with flatten-all into a namespace that cleans away
    const p = (type: string) =>
      policy({
        destType: type,
        destNamespace: 'x/..',
        destNamespaceReplaceCount: -1,
        trigger: { type: 'manual' },
      });

    // Act
    const onHarbor = only({
      bindings: [{ policy: p('harbor'), target: 'dr' }],
      inventories: [LIB],
    });
    const onPlain = only({
      bindings: [{ policy: p('docker-registry'), target: 'edge' }],
      inventories: [LIB],
    });

    // Assert
    expect(onHarbor.policyErrors[0]?.message).toMatch(/requires at least 2/);
    expect(onHarbor.expected).toEqual([]);
    expect(refs(onPlain).map(([repo]) => repo)).toEqual([
      'app',
      'app',
      'app',
      'cli',
    ]);
  });

  it('docker-hub destinations need exactly two components', () => {
    // Arrange
    const p = policy({
      destType: 'docker-hub',
      destNamespace: 'me',
      destNamespaceReplaceCount: 0,
      trigger: { type: 'manual' },
    });

    // Act
    const plan = only({
      bindings: [{ policy: p, target: 'edge' }],
      inventories: [LIB],
    });

    // Assert
    expect(plan.policyErrors[0]?.message).toMatch(
      /"me\/lib\/app" contains 3 path components/
    );
  });

  it('a malformed filter pattern fails the policy', () => {
    // Arrange
    const p = policy({ filters: [tagFilter('v[')] });

    // Act
    const plan = only({
      bindings: [{ policy: p, target: 'dr' }],
      inventories: [LIB],
    });

    // Assert
    expect(plan.expected).toEqual([]);
    expect(plan.policyErrors.map((e) => e.kind)).toEqual(['filter']);
  });
});

describe('planExpected: warnings and skips', () => {
  it.each<[string, Parameters<typeof policy>[0], string, string[]]>([
    ['plain policy', {}, 'dr', []],
    ['disabled', { enabled: false }, 'dr', ['disabled-policy']],
    [
      'event-based with labels',
      { filters: [labelFilter(['prod'])] },
      'dr',
      ['event-label-filter'],
    ],
    [
      'scheduled with labels',
      {
        filters: [labelFilter(['prod'])],
        trigger: { type: 'scheduled', cron: '0 0 0 * * *' },
      },
      'dr',
      [],
    ],
    ['empty label list', { filters: [labelFilter([])] }, 'dr', []],
    [
      'deletion to a plain registry',
      { deletion: true, destType: 'docker-registry' },
      'edge',
      ['deletion-unsupported'],
    ],
    [
      'deletion to artifactory',
      { deletion: true, destType: 'jfrog-artifactory' },
      'edge',
      ['deletion-unsupported'],
    ],
    ['deletion to harbor', { deletion: true }, 'dr', []],
    [
      'deletion without events',
      { deletion: true, trigger: { type: 'manual' } },
      'dr',
      ['deletion-without-events'],
    ],
    [
      'pull mode',
      {
        srcRegistry: {
          id: 3,
          name: 'up',
          type: 'harbor',
          url: 'https://up',
          insecure: false,
        },
        destRegistry: null,
      },
      'dr',
      ['pull-mode'],
    ],
  ])('%s', (_t, overrides, target, codes) => {
    // Act
    const plan = only({
      bindings: [{ policy: policy(overrides), target }],
      inventories: [LIB],
    });

    // Assert
    expect(plan.warnings.map((w) => w.code)).toEqual(codes);
  });

  it('skips destinations in proxy-cache projects of a Harbor target, with one warning', () => {
    // Act
    const result = planExpected({
      targets: [{ ...HARBOR, proxyCacheProjects: ['lib'] }],
      bindings: [{ policy: policy(), target: 'dr' }],
      inventories: [LIB, OPS],
    });

    // Assert
    const plan = result.targets[0]!;
    expect(refs(plan).map(([repo]) => repo)).toEqual(['ops/app']);
    expect(plan.warnings.map((w) => [w.code, w.message])).toEqual([
      [
        'proxy-cache-destination',
        'destination project "lib" is a proxy-cache project: Harbor skips these resources, nothing is replicated there',
      ],
    ]);
  });

  it('warns about bindings to targets that are not configured', () => {
    // Act
    const result = planExpected({
      targets: [HARBOR],
      bindings: [{ policy: policy(), target: 'gone' }],
      inventories: [LIB],
    });

    // Assert
    expect(result.warnings.map((w) => [w.code, w.target])).toEqual([
      ['unknown-target', 'gone'],
    ]);
    expect(result.targets[0]?.expected).toEqual([]);
  });

  it('builds deletion rules only for enabled event-based policies that delete', () => {
    // Arrange
    const deleting = policy({
      deletion: true,
      destNamespace: 'x',
      destNamespaceReplaceCount: 1,
      filters: [nameFilter('lib/**')],
    });

    // Act
    const plan = only({
      bindings: [{ policy: deleting, target: 'dr' }],
      inventories: [LIB, OPS],
    });
    const off = only({
      bindings: [
        { policy: policy({ deletion: true, enabled: false }), target: 'dr' },
      ],
      inventories: [LIB],
    });

    // Assert
    expect(plan.deletionRules.map((r) => r.sources)).toEqual([
      [
        { source: 'lib/app', destination: 'x/app' },
        { source: 'lib/tools/cli', destination: 'x/tools/cli' },
      ],
    ]);
    expect(off.deletionRules).toEqual([]);
  });
});

describe('indexPrimary and the shards', () => {
  it('indexes tags and every digest per repository', () => {
    // Arrange
    const lib = inv('lib', [
      art('lib/app', 'i', ['2'], {
        childDigests: [d('c1')],
        accessories: [acc('s', 'i', { tags: ['sig'] })],
      }),
    ]);

    // Act
    const index = indexPrimary([lib], { scope: 'primary', message: 'x' });

    // Assert
    expect(index).toEqual({
      projectListComplete: false,
      projects: [
        {
          name: 'lib',
          complete: true,
          repositories: [
            {
              name: 'lib/app',
              tags: ['2', 'sig'],
              digests: [d('c1'), d('i'), d('s')].sort(),
            },
          ],
        },
      ],
    });
  });

  it('groups expected refs by destination project', () => {
    // Arrange
    const planned = planExpected({
      targets: [HARBOR],
      bindings: [{ policy: policy(), target: 'dr' }],
      inventories: [OPS, LIB],
    });
    const plan = planned.targets[0]!;

    // Act
    const shards = shardRefsOf(planned);
    const expected = expectedByShard(plan, shards);

    // Assert
    expect(shards.map((s) => [s, expected.get(s.id)?.length])).toEqual([
      [{ id: '0000', target: 'dr', project: 'lib' }, 4],
      [{ id: '0001', target: 'dr', project: 'ops' }, 1],
    ]);
  });
});

import { countFindings } from '../../../../lambdas/core/inventory/counts';
import {
  diffContextFor,
  diffShard,
} from '../../../../lambdas/core/inventory/diff';
import type { DiffContext } from '../../../../lambdas/core/inventory/diff';
import type {
  ExpectedRef,
  ObservedRef,
  ProjectInventory,
} from '../../../../lambdas/core/model';
import type { Finding } from '../../../../lambdas/core/report/schema';
import { indexPrimary } from '../../../../lambdas/core/inventory/plan/index-primary';
import { planExpected } from '../../../../lambdas/core/inventory/plan';
import type { ObservedRepository } from '../../../../lambdas/core/ports';
import { acc, art, d, nameFilter, policy, tagFilter } from '../fixtures';
import { TARGET_DRIVERS } from '../../../../lambdas/compose/drivers';

const POLICY = { id: 1, name: 'p1', override: true, deletion: false };

function expected(
  reference: string,
  digestSeed: string,
  extra: Partial<ExpectedRef> = {}
): ExpectedRef {
  const byDigest = reference.startsWith('sha256:');
  return {
    target: 'dr',
    repository: 'lib/app',
    reference,
    byDigest,
    digest: d(digestSeed),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    childDigests: [],
    source: {
      repository: 'lib/app',
      reference,
      pushTime: '2026-11-01T00:00:00Z',
    },
    policy: POLICY,
    ...extra,
  };
}

function tag(
  reference: string,
  digestSeed: string,
  extra: Partial<ObservedRef> = {}
): ObservedRef {
  return {
    repository: 'lib/app',
    reference,
    byDigest: false,
    digest: d(digestSeed),
    ...extra,
  };
}

function bare(
  digestSeed: string,
  extra: Partial<ObservedRef> = {}
): ObservedRef {
  return {
    repository: 'lib/app',
    reference: d(digestSeed),
    byDigest: true,
    digest: d(digestSeed),
    ...extra,
  };
}

function repo(
  refs: ObservedRef[],
  repository = 'lib/app',
  exists = true
): ObservedRepository {
  return { repository, exists, refs };
}

const CONTEXT: DiffContext = {
  target: 'dr',
  traits: TARGET_DRIVERS.harbor.traits,
  unknownScopes: [],
  deletionRules: [],
  primary: { projectListComplete: true, projects: [] },
};

/** [state, reference, detail] */
function states(findings: Finding[]) {
  return findings.map((f) => [f.state, f.reference, f.detail] as const);
}

describe('diffShard: one state per expected ref', () => {
  it.each<[string, ExpectedRef, ObservedRef[], [string, string | undefined]]>([
    [
      'same digest',
      expected('v1', 'a'),
      [tag('v1', 'a')],
      ['synced', undefined],
    ],
    [
      'absent tag',
      expected('v1', 'a'),
      [tag('v2', 'a')],
      ['missing', 'not on the target'],
    ],
    [
      'moved tag, override off',
      expected('v1', 'a', { policy: { ...POLICY, override: false } }),
      [tag('v1', 'b')],
      ['digest-mismatch', 'override is off: this tag will never converge'],
    ],
    [
      'moved tag, override on',
      expected('v1', 'a'),
      [tag('v1', 'b')],
      [
        'digest-mismatch',
        'override is on: the next replication run overwrites it (or a run is pending)',
      ],
    ],
    [
      'untagged by digest present',
      expected(d('u'), 'u'),
      [bare('u')],
      ['synced', undefined],
    ],
    [
      'untagged digest held under a tag',
      expected(d('u'), 'u'),
      [tag('other', 'u')],
      ['synced', undefined],
    ],
    [
      'untagged by digest absent',
      expected(d('u'), 'u'),
      [],
      ['missing', 'not on the target'],
    ],
  ])('%s', (_t, ref, observed, [state, detail]) => {
    // Act
    const finding = diffShard([ref], [repo(observed)], CONTEXT).find(
      (f) => f.reference === ref.reference
    );

    // Assert
    expect(finding?.state).toBe(state);
    expect(finding?.detail).toBe(detail);
    expect(finding?.expectedDigest).toBe(ref.digest);
    expect(finding?.source).toEqual(ref.source);
    expect(finding?.policy).toEqual(ref.policy);
  });

  it('carries the full evidence on a mismatch', () => {
    // Act
    const findings = diffShard(
      [expected('v1', 'a', { policy: { ...POLICY, override: false } })],
      [repo([tag('v1', 'b', { pushTime: '2026-11-01T00:05:00Z' })])],
      CONTEXT
    );

    // Assert
    expect(findings).toEqual<Finding[]>([
      {
        state: 'digest-mismatch',
        target: 'dr',
        repository: 'lib/app',
        reference: 'v1',
        expectedDigest: d('a'),
        observedDigest: d('b'),
        observedPushTime: '2026-11-01T00:05:00Z',
        source: {
          repository: 'lib/app',
          reference: 'v1',
          pushTime: '2026-11-01T00:00:00Z',
        },
        policy: { id: 1, name: 'p1', override: false, deletion: false },
        detail: 'override is off: this tag will never converge',
      },
    ]);
  });

  it('reports a missing repository as missing for every ref', () => {
    // Act
    const findings = diffShard(
      [expected('v1', 'a'), expected('v2', 'b')],
      [repo([], 'lib/app', false)],
      CONTEXT
    );

    // Assert
    expect(states(findings)).toEqual([
      ['missing', 'v1', 'the repository does not exist on the target'],
      ['missing', 'v2', 'the repository does not exist on the target'],
    ]);
  });
});

describe('diffShard: index children', () => {
  const index = expected('2', 'i', { childDigests: [d('amd'), d('arm')] });

  it.each<
    [
      string,
      'harbor' | 'distribution',
      string[] | undefined,
      string,
      string[] | undefined,
      string | undefined,
    ]
  >([
    [
      'all children present',
      'harbor',
      [d('arm'), d('amd')],
      'synced',
      undefined,
      undefined,
    ],
    [
      'a child missing on Harbor',
      'harbor',
      [d('amd')],
      'index-children-missing',
      [d('arm')],
      "1 index children are not among the index's references on the target",
    ],
    [
      'a child missing on a plain registry',
      'distribution',
      [],
      'index-children-missing',
      [d('amd'), d('arm')],
      '2 index children are not served by the target',
    ],
    [
      'children not observed',
      'distribution',
      undefined,
      'unknown',
      undefined,
      'the index children were not observed',
    ],
  ])('%s', (_t, kind, observedChildren, state, missing, detail) => {
    // Arrange
    const observed = tag(
      '2',
      'i',
      observedChildren === undefined ? {} : { childDigests: observedChildren }
    );

    // Act
    const [finding] = diffShard([index], [repo([observed])], {
      ...CONTEXT,
      traits: TARGET_DRIVERS[kind].traits,
    });

    // Assert
    expect(finding?.state).toBe(state);
    expect(finding?.missingDigests).toEqual(missing);
    expect(finding?.detail).toBe(detail);
  });
});

describe('diffShard: accessories', () => {
  const sig = expected(d('sig'), 'sig', {
    source: {
      repository: 'lib/app',
      reference: d('sig'),
      accessoryOf: { digest: d('s'), type: 'signature.cosign' },
    },
  });

  it.each<[string, ObservedRef[], string]>([
    ['signature present', [tag('v1', 's'), bare('sig')], 'synced'],
    ['signature absent, subject synced', [tag('v1', 's')], 'accessory-missing'],
    ['signature absent, subject absent too', [tag('v2', 'x')], 'missing'],
    [
      'signature absent, subject is a child of a present index',
      [tag('v1', 'i', { childDigests: [d('s')] })],
      'accessory-missing',
    ],
  ])('%s', (_t, observed, state) => {
    // Act
    const [finding] = diffShard([sig], [repo(observed)], CONTEXT);

    // Assert
    expect(finding?.state).toBe(state);
    if (state === 'accessory-missing') {
      expect(finding?.missingDigests).toEqual([d('sig')]);
      expect(finding?.detail).toBe(
        `the signature.cosign of ${d('s')} is absent while its subject is present`
      );
    }
  });
});

describe('diffShard: unknown is never synced', () => {
  it('a failed repository observation makes its refs unknown with the reason', () => {
    // Act
    const findings = diffShard(
      [expected('v1', 'a'), expected('v1', 'b', { repository: 'lib/other' })],
      [
        { repository: 'lib/app', reason: 'HEAD v1: HTTP 503' },
        repo([tag('v1', 'b')], 'lib/other'),
      ],
      CONTEXT
    );

    // Assert
    expect(findings.map((f) => [f.state, f.repository, f.detail])).toEqual([
      ['unknown', 'lib/app', 'observation failed: HEAD v1: HTTP 503'],
      ['synced', 'lib/other', undefined],
    ]);
  });

  it('a failed shard observation makes every ref unknown', () => {
    // Act
    const findings = diffShard(
      [expected('v1', 'a'), expected('v2', 'b')],
      { unknown: 'deadline reached' },
      CONTEXT
    );

    // Assert
    expect(states(findings)).toEqual([
      ['unknown', 'v1', 'observation failed: deadline reached'],
      ['unknown', 'v2', 'observation failed: deadline reached'],
    ]);
  });

  it('a repository absent from the observation is unknown, not missing', () => {
    // Act
    const findings = diffShard([expected('v1', 'a')], [], CONTEXT);

    // Assert
    expect(states(findings)).toEqual([
      ['unknown', 'v1', 'the repository was not observed'],
    ]);
  });

  it('a ref from an incompletely listed source is unknown even when the target holds it', () => {
    // Act
    const findings = diffShard(
      [expected('v1', 'a', { unknownReason: 'page 2: HTTP 502' })],
      [repo([tag('v1', 'a')])],
      CONTEXT
    );

    // Assert
    expect(states(findings)).toEqual([
      ['unknown', 'v1', 'source not fully listed: page 2: HTTP 502'],
    ]);
  });
});

describe('diffShard: collisions', () => {
  it('reports a distinct collision finding with every candidate', () => {
    // Arrange
    const candidates = [
      {
        digest: d('a'),
        source: { repository: 'p1/app', reference: 'v1' },
        policy: POLICY,
      },
      {
        digest: d('b'),
        source: { repository: 'p2/app', reference: 'v1' },
        policy: POLICY,
      },
    ];
    const ref = expected('v1', 'a', {
      repository: 'x/app',
      collision: candidates,
    });

    // Act
    const findings = diffShard(
      [ref],
      [repo([tag('v1', 'b')], 'x/app')],
      CONTEXT
    );

    // Assert
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      state: 'collision',
      repository: 'x/app',
      observedDigest: d('b'),
      candidates,
      detail:
        `2 sources expect different digests here: ${d('a')} from p1/app:v1 (policy p1); ` +
        `${d('b')} from p2/app:v1 (policy p1). With override on the last copy wins, with override off the first stays`,
    });
  });
});

describe('diffShard: what nobody expects', () => {
  it('flags tags on the target that no rule expects as unexpected', () => {
    // Act
    const findings = diffShard(
      [expected('v1', 'a')],
      [
        repo([tag('v1', 'a'), tag('old', 'o'), bare('a'), bare('z')]),
        repo([tag('x', 'x')], 'lib/stray'),
      ],
      CONTEXT
    );

    // Assert: the bare digest of an expected tag is accounted for
    expect(findings.map((f) => [f.state, f.repository, f.reference])).toEqual([
      ['unexpected', 'lib/app', 'old'],
      ['unexpected', 'lib/app', d('z')],
      ['synced', 'lib/app', 'v1'],
      ['unexpected', 'lib/stray', 'x'],
    ]);
  });

  it('does not flag bare digests of expected index children or accessories', () => {
    // Arrange
    const index = expected('2', 'i', { childDigests: [d('c1')] });
    const sig = expected(d('sig'), 'sig');

    // Act
    const findings = diffShard(
      [index, sig],
      [
        repo([
          tag('2', 'i', { childDigests: [d('c1')] }),
          bare('c1'),
          bare('sig'),
        ]),
      ],
      CONTEXT
    );

    // Assert
    expect(findings.map((f) => f.state)).toEqual(['synced', 'synced']);
  });

  it('stays silent inside an unknown destination scope', () => {
    // Act
    const findings = diffShard([], [repo([tag('old', 'o')])], {
      ...CONTEXT,
      unknownScopes: [
        {
          target: 'dr',
          policy: 'p1',
          sourceProject: 'lib',
          destinationPrefix: 'lib/',
          reason: 'x',
        },
      ],
    });

    // Assert
    expect(findings).toEqual([]);
  });
});

describe('diffShard: orphaned (deletion replication on, primary lost the ref)', () => {
  const deleting = policy({
    deletion: true,
    filters: [nameFilter('lib/**'), tagFilter('v*')],
  });
  const primary: ProjectInventory[] = [
    {
      project: 'lib',
      complete: true,
      artifacts: [art('lib/app', 'a', ['v1']), art('lib/app', 'e', ['dev'])],
    },
  ];

  function contextFor(
    p = deleting,
    inventories = primary,
    projectListError?: { scope: string; message: string }
  ): DiffContext {
    const plan = planExpected({
      targets: [
        { name: 'dr', kind: 'harbor', traits: TARGET_DRIVERS.harbor.traits },
      ],
      bindings: [{ policy: p, target: 'dr' }],
      inventories,
      ...(projectListError ? { projectListError } : {}),
    });
    return diffContextFor(plan, 'dr');
  }

  it.each<[string, ObservedRepository, [string, string, string][]]>([
    [
      'a tag the filters pass and the primary lost',
      repo([tag('v0', 'z')]),
      [['orphaned', 'lib/app', 'v0']],
    ],
    [
      'a tag the filters would not pass',
      repo([tag('old', 'z')]),
      [['unexpected', 'lib/app', 'old']],
    ],
    [
      'a tag the primary still holds but the rule does not expect',
      repo([tag('dev', 'e')]),
      [['unexpected', 'lib/app', 'dev']],
    ],
    [
      'a repository deleted on the primary (invertible mapping)',
      repo([tag('v9', 'z')], 'lib/gone'),
      [['orphaned', 'lib/gone', 'v9']],
    ],
    [
      'a repository outside the name filters',
      repo([tag('v9', 'z')], 'ops/app'),
      [['unexpected', 'ops/app', 'v9']],
    ],
  ])('%s', (_t, observed, want) => {
    // Act
    const findings = diffShard([], [observed], contextFor());

    // Assert
    expect(findings.map((f) => [f.state, f.repository, f.reference])).toEqual(
      want
    );
  });

  it('names the policy and the source on an orphan', () => {
    // Act
    const [finding] = diffShard([], [repo([tag('v0', 'z')])], contextFor());

    // Assert
    expect(finding).toMatchObject({
      state: 'orphaned',
      observedDigest: d('z'),
      policy: { name: 'p1', deletion: true },
      detail:
        'deleted on the primary (lib/app) but still on the target, although the policy replicates deletions',
    });
    expect(finding?.expectedDigest).toBeUndefined();
  });

  it('cannot reverse a flattening that dropped the project: unexpected', () => {
    // Arrange
    const flat = policy({
      deletion: true,
      destNamespace: 'x',
      destNamespaceReplaceCount: 1,
    });

    // Act
    const findings = diffShard(
      [],
      [repo([tag('v1', 'z')], 'x/gone')],
      contextFor(flat)
    );

    // Assert
    expect(states(findings)).toEqual([
      ['unexpected', 'v1', 'on the target, expected by no policy'],
    ]);
  });

  it('maps flattened destinations back through the primary repositories', () => {
    // Arrange
    const flat = policy({
      deletion: true,
      destNamespace: 'x',
      destNamespaceReplaceCount: 1,
    });

    // Act
    const findings = diffShard(
      [],
      [repo([tag('v0', 'z')], 'x/app')],
      contextFor(flat)
    );

    // Assert
    expect(states(findings)).toEqual([
      [
        'orphaned',
        'v0',
        'deleted on the primary (lib/app) but still on the target, although the policy replicates deletions',
      ],
    ]);
  });

  it('is unknown when the source project could not be listed', () => {
    // Arrange
    const partial: ProjectInventory[] = [
      {
        project: 'lib',
        complete: false,
        artifacts: [art('lib/app', 'a', ['v1'])],
        error: { scope: 'primary/lib', message: 'x' },
      },
    ];
    const context = { ...contextFor(deleting, partial), unknownScopes: [] };

    // Act
    const findings = diffShard([], [repo([tag('v0', 'z')])], context);

    // Assert
    expect(states(findings)).toEqual([
      [
        'unknown',
        'v0',
        'possibly orphaned: the source side could not be listed completely',
      ],
    ]);
    expect(countFindings(findings)).toEqual({
      expected: 0,
      synced: 0,
      missing: 0,
      mismatched: 0,
      orphaned: 0,
      unknown: 1,
    });
  });

  it('treats a project missing from a complete project list as deleted', () => {
    // Arrange
    const context = contextFor(policy({ deletion: true }), []);

    // Act
    const findings = diffShard(
      [],
      [repo([tag('v1', 'z')], 'old/app')],
      context
    );

    // Assert
    expect(findings.map((f) => f.state)).toEqual(['orphaned']);
    expect(context.primary).toEqual(indexPrimary([]));
  });
});

describe('plan + diff end to end', () => {
  it('audits a signed multi-arch image on a Harbor target', () => {
    // Arrange
    const inventories: ProjectInventory[] = [
      {
        project: 'lib',
        complete: true,
        artifacts: [
          art('lib/app', 'i', ['1.0', 'latest'], {
            childDigests: [d('amd'), d('arm')],
            accessories: [acc('sig', 'i')],
          }),
          art('lib/app', 'old', ['0.9']),
        ],
      },
    ];
    const plan = planExpected({
      targets: [
        { name: 'dr', kind: 'harbor', traits: TARGET_DRIVERS.harbor.traits },
      ],
      bindings: [{ policy: policy({ override: false }), target: 'dr' }],
      inventories,
    });
    const observed = [
      repo([
        tag('1.0', 'i', { childDigests: [d('amd'), d('arm')] }),
        tag('latest', 'stale', { childDigests: [] }),
        tag('0.8', 'ancient'),
      ]),
    ];

    // Act
    const findings = diffShard(
      plan.targets[0]!.expected,
      observed,
      diffContextFor(plan, 'dr')
    );

    // Assert
    expect(findings.map((f) => [f.state, f.reference])).toEqual([
      ['unexpected', '0.8'],
      ['missing', '0.9'],
      ['synced', '1.0'],
      ['digest-mismatch', 'latest'],
      ['accessory-missing', d('sig')],
    ]);
    expect(countFindings(findings)).toEqual({
      expected: 4,
      synced: 1,
      missing: 2,
      mismatched: 1,
      orphaned: 0,
      unknown: 0,
    });
  });
});

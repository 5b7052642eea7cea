import {
  FilterError,
  filterArtifacts,
  filterRepositories,
  selectResources,
} from '../../../../lambdas/core/harbor/filters';
import type { PolicyFilter } from '../../../../lambdas/core/model';
import { acc, art, d, labelFilter, nameFilter, tagFilter } from '../fixtures';

/** Selected artifacts as [digest, tags, isAccessory] for compact assertions. */
function brief(filters: PolicyFilter[], artifacts = REPO) {
  return filterArtifacts(artifacts, filters).map(
    (s) => [s.digest, s.tags, s.isAccessory] as const
  );
}

const REPO = [
  art('lib/app', 'a', ['v1.0', 'v1.1', 'latest'], { labels: ['prod', 'eu'] }),
  art('lib/app', 'b', ['dev'], { labels: ['eu'] }),
  art('lib/app', 'c', [], { labels: ['prod'] }),
];

describe('filterRepositories (name filters)', () => {
  const repos = ['library/nginx', 'library/a/b', 'other/nginx', 'nginx2/x'];

  it.each<[PolicyFilter[], string[]]>([
    [[], repos],
    [[nameFilter('')], repos],
    [[nameFilter('library/*')], ['library/nginx']],
    [[nameFilter('library/**')], ['library/nginx', 'library/a/b']],
    [[nameFilter('**/nginx')], ['library/nginx', 'other/nginx']],
    [[nameFilter('nginx')], []],
    // ANDed
    [[nameFilter('library/**'), nameFilter('**/nginx')], ['library/nginx']],
    [[nameFilter('{library,other}/*')], ['library/nginx', 'other/nginx']],
    // Harbor has no `regex:` prefix: these are globs of literal characters
    [[nameFilter('regex:^nginx')], []],
    [[nameFilter('regex:nginx')], []],
    // the filter code honours excludes although the API only allows it on tags/labels
    [
      [{ type: 'name', value: 'library/**', decoration: 'excludes' }],
      ['other/nginx', 'nginx2/x'],
    ],
    // tag, label and resource filters do not select repositories
    [
      [
        tagFilter('nope'),
        { type: 'resource', value: 'image', decoration: 'matches' },
      ],
      repos,
    ],
  ])('%j', (filters, want) => {
    // Act
    const got = filterRepositories(repos, filters);

    // Assert
    expect(got).toEqual(want);
  });

  it('fails on a malformed pattern that a repository reaches', () => {
    // Act / Assert
    expect(() => filterRepositories(repos, [nameFilter('[x-]')])).toThrow(
      FilterError
    );
  });

  it('does not fail when no repository reaches the bad part (lazy, like doublestar)', () => {
    // Arrange: every name differs from "zz" at its first character
    const filters = [nameFilter('zz[')];

    // Act / Assert
    expect(filterRepositories(repos, filters)).toEqual([]);
  });

  it('reads the patterns with the doublestar of the source Harbor', () => {
    // Arrange: v1.1.1 cuts the pattern on `/` before reading the braces
    const filters = [nameFilter('{library/nginx,other/nginx}')];

    // Act / Assert
    expect(filterRepositories(repos, filters)).toEqual([
      'library/nginx',
      'other/nginx',
    ]);
    expect(
      filterRepositories(repos, filters, { doublestar: 'v1.3.4' })
    ).toEqual(['library/nginx', 'other/nginx']);
    expect(() =>
      filterRepositories(repos, filters, { doublestar: 'v1.1.1' })
    ).toThrow(FilterError);
  });

  it('rejects a label-list value on a name filter', () => {
    // Act / Assert
    expect(() =>
      filterRepositories(repos, [
        { type: 'name', value: ['x'], decoration: 'matches' },
      ])
    ).toThrow(/expecting string/);
  });
});

describe('filterArtifacts: tag filter', () => {
  it.each<[string, PolicyFilter[], [string, string[], boolean][]]>([
    [
      'no filter keeps every tag and untagged',
      [],
      [
        [d('a'), ['v1.0', 'v1.1', 'latest'], false],
        [d('b'), ['dev'], false],
        [d('c'), [], false],
      ],
    ],
    [
      'empty pattern is ignored',
      [tagFilter('')],
      [
        [d('a'), ['v1.0', 'v1.1', 'latest'], false],
        [d('b'), ['dev'], false],
        [d('c'), [], false],
      ],
    ],
    [
      'matches keeps only the matching tags; untagged vs "" fails v*',
      [tagFilter('v1.*')],
      [[d('a'), ['v1.0', 'v1.1'], false]],
    ],
    [
      '* matches "" so the untagged artifact stays',
      [tagFilter('*')],
      [
        [d('a'), ['v1.0', 'v1.1', 'latest'], false],
        [d('b'), ['dev'], false],
        [d('c'), [], false],
      ],
    ],
    [
      '** matches "" too',
      [tagFilter('**')],
      [
        [d('a'), ['v1.0', 'v1.1', 'latest'], false],
        [d('b'), ['dev'], false],
        [d('c'), [], false],
      ],
    ],
    [
      '{,x} matches ""',
      [tagFilter('{,dev}')],
      [
        [d('b'), ['dev'], false],
        [d('c'), [], false],
      ],
    ],
    [
      'excludes keeps the other tags; untagged kept as v* does not match ""',
      [tagFilter('v*', 'excludes')],
      [
        [d('a'), ['latest'], false],
        [d('b'), ['dev'], false],
        [d('c'), [], false],
      ],
    ],
    [
      'excludes * drops everything, untagged included',
      [tagFilter('*', 'excludes')],
      [],
    ],
    [
      'two tag filters intersect',
      [tagFilter('v*'), tagFilter('*.1')],
      [[d('a'), ['v1.1'], false]],
    ],
    [
      'regex: is a literal glob (Harbor has no regex filters): it matches nothing',
      [tagFilter('regex:\\.1$')],
      [],
    ],
    [
      'regex: is a literal glob: excluding it keeps everything',
      [tagFilter('regex:\\.1$', 'excludes')],
      [
        [d('a'), ['v1.0', 'v1.1', 'latest'], false],
        [d('b'), ['dev'], false],
        [d('c'), [], false],
      ],
    ],
  ])('%s', (_title, filters, want) => {
    // Act / Assert
    expect(brief(filters)).toEqual(want);
  });

  it('reads the patterns with the doublestar of the source Harbor', () => {
    // Arrange: v1.1.1 drops the trailing empty alternative, so untagged `c` fails it
    const filters = [tagFilter('{latest,}')];
    const digests = (version?: 'v1.1.1' | 'v1.3.4') =>
      filterArtifacts(
        REPO,
        filters,
        version === undefined ? undefined : { doublestar: version }
      ).map((s) => [s.digest, s.tags]);

    // Act / Assert
    expect(digests()).toEqual([
      [d('a'), ['latest']],
      [d('c'), []],
    ]);
    expect(digests('v1.3.4')).toEqual(digests());
    expect(digests('v1.1.1')).toEqual([[d('a'), ['latest']]]);
  });

  it('fails when a tag reaches a malformed pattern', () => {
    // Act / Assert
    expect(() => brief([tagFilter('v[')])).toThrow(FilterError);
  });
});

describe('filterArtifacts: label filter', () => {
  it.each<[string, PolicyFilter[], string[]]>([
    ['matches needs every label', [labelFilter(['prod', 'eu'])], [d('a')]],
    ['matches one label', [labelFilter(['prod'])], [d('a'), d('c')]],
    [
      'excludes keeps those lacking at least one',
      [labelFilter(['prod', 'eu'], 'excludes')],
      [d('b'), d('c')],
    ],
    [
      'empty label list is ignored',
      [labelFilter([])],
      [d('a'), d('b'), d('c')],
    ],
    ['unknown label matches nothing', [labelFilter(['nope'])], []],
    [
      'tag and label combine',
      [tagFilter('v*'), labelFilter(['prod'])],
      [d('a')],
    ],
    [
      'label then tag gives the same',
      [labelFilter(['prod']), tagFilter('v*')],
      [d('a')],
    ],
  ])('%s', (_title, filters, want) => {
    // Act / Assert
    expect(brief(filters).map(([digest]) => digest)).toEqual(want);
  });

  it('rejects a string value', () => {
    // Act / Assert
    expect(() =>
      brief([{ type: 'label', value: 'prod', decoration: 'matches' }])
    ).toThrow(/expecting \[\]string/);
  });
});

describe('filterArtifacts: accessories', () => {
  const signed = [
    art('lib/app', 's', ['v1', 'latest'], {
      labels: ['prod'],
      accessories: [
        acc('sig', 's'),
        acc('sbom', 's', { type: 'sbom.harbor', tags: ['sbom-v1'] }),
      ],
    }),
    art('lib/app', 'u', [], { accessories: [acc('usig', 'u')] }),
  ];

  it.each<[string, PolicyFilter[], [string, string[], boolean][]]>([
    [
      'no filter: artifact, then its accessories with their own tags',
      [],
      [
        [d('s'), ['v1', 'latest'], false],
        [d('sig'), [], true],
        [d('sbom'), ['sbom-v1'], true],
        [d('u'), [], false],
        [d('usig'), [], true],
      ],
    ],
    [
      'tag filter uses the subject tags for accessories, which keep their own tags',
      [tagFilter('v1')],
      [
        [d('s'), ['v1'], false],
        [d('sig'), [], true],
        [d('sbom'), ['sbom-v1'], true],
      ],
    ],
    [
      'accessory of an untagged subject is matched against ""',
      [tagFilter('*')],
      [
        [d('s'), ['v1', 'latest'], false],
        [d('sig'), [], true],
        [d('sbom'), ['sbom-v1'], true],
        [d('u'), [], false],
        [d('usig'), [], true],
      ],
    ],
    [
      'excludes on the subject tags',
      [tagFilter('v1', 'excludes')],
      [
        [d('s'), ['latest'], false],
        [d('sig'), [], true],
        [d('sbom'), ['sbom-v1'], true],
        [d('u'), [], false],
        [d('usig'), [], true],
      ],
    ],
    [
      'accessories inherit the subject labels',
      [labelFilter(['prod'])],
      [
        [d('s'), ['v1', 'latest'], false],
        [d('sig'), [], true],
        [d('sbom'), ['sbom-v1'], true],
      ],
    ],
    // After passing one tag filter Harbor forgets IsAcc: the second filter sees the
    // accessory's own tags ("" for the signature, "sbom-v1" for the SBOM).
    [
      'a second tag filter sees the accessory own tags',
      [tagFilter('v1'), tagFilter('v*')],
      [[d('s'), ['v1'], false]],
    ],
    [
      'a second tag filter matching "" keeps the untagged signature',
      [tagFilter('v1'), tagFilter('{v1,}')],
      [
        [d('s'), ['v1'], false],
        [d('sig'), [], true],
      ],
    ],
  ])('%s', (_title, filters, want) => {
    // Act / Assert
    expect(brief(filters, signed)).toEqual(want);
  });

  it('includes accessories of index children with the index tags and labels', () => {
    // Arrange
    const index = art('lib/multi', 'idx', ['2.0'], {
      manifestMediaType: 'application/vnd.oci.image.index.v1+json',
      labels: ['prod'],
      childDigests: [d('amd'), d('arm')],
      accessories: [acc('idxsig', 'idx'), acc('amdsig', 'amd')],
    });

    // Act
    const got = filterArtifacts(
      [index],
      [tagFilter('2.*'), labelFilter(['prod'])]
    );

    // Assert
    expect(
      got.map((s) => [s.digest, s.tags, s.accessory?.subjectDigest])
    ).toEqual([
      [d('idx'), ['2.0'], undefined],
      [d('idxsig'), [], d('idx')],
      [d('amdsig'), [], d('amd')],
    ]);
    expect(got.every((s) => s.root === index)).toBe(true);
  });

  it('never lists untagged index children or accessories on their own', () => {
    // Arrange: an adapter that also returned children and accessories (q=base=*)
    const index = art('lib/multi', 'idx', ['2.0'], {
      childDigests: [d('amd'), d('arm')],
      accessories: [acc('sig', 'idx')],
    });
    const artifacts = [
      index,
      art('lib/multi', 'amd'),
      art('lib/multi', 'arm', ['arm-only']),
      art('lib/multi', 'sig'),
    ];

    // Act
    const got = filterArtifacts(artifacts, []).map((s) => s.digest);

    // Assert: the tagged child is listed, as Harbor's base query shows it
    expect(got).toEqual([d('idx'), d('sig'), d('arm')]);
  });
});

describe('selectResources', () => {
  it('groups by repository, applies name then artifact filters, drops empty repos', () => {
    // Arrange
    const artifacts = [
      art('lib/a', 'a1', ['v1']),
      art('lib/b', 'b1', ['dev']),
      art('other/a', 'o1', ['v1']),
      art('lib/a', 'a2', ['v2']),
    ];

    // Act
    const got = selectResources(artifacts, [
      nameFilter('lib/*'),
      tagFilter('v*'),
    ]);

    // Assert
    expect(
      got.map((r) => [r.repository, r.artifacts.map((a) => [a.digest, a.tags])])
    ).toEqual([
      [
        'lib/a',
        [
          [d('a1'), ['v1']],
          [d('a2'), ['v2']],
        ],
      ],
    ]);
  });

  it('passes the doublestar version to both the name and the tag filters', () => {
    // Arrange
    const artifacts = [
      art('lib/a', 'a1', ['v1']),
      art('lib/a', 'a2', []),
      art('lib/b', 'b1', ['v1']),
    ];
    const filters = [nameFilter('{lib/a,other/x}'), tagFilter('{v1,}')];
    const brief = (version: 'v1.1.1' | 'v1.3.4') =>
      selectResources(artifacts, filters, { doublestar: version }).map((r) => [
        r.repository,
        r.artifacts.map((a) => a.digest),
      ]);

    // Act / Assert
    expect(brief('v1.3.4')).toEqual([['lib/a', [d('a1'), d('a2')]]]);
    expect(() => brief('v1.1.1')).toThrow(FilterError);
    expect(
      selectResources(artifacts, [tagFilter('{v1,}')], {
        doublestar: 'v1.1.1',
      }).map((r) => [r.repository, r.artifacts.map((a) => a.digest)])
    ).toEqual([
      ['lib/a', [d('a1')]],
      ['lib/b', [d('b1')]],
    ]);
  });
});

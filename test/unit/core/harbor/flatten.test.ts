import {
  goPathClean,
  goPathJoin,
  pathTypeOf,
  replaceNamespace,
} from '../../../../lambdas/core/harbor/flatten';

type Want = string | { error: RegExp };

/** Every cell of the harbor-semantics §5.3 table (count = -1, 0, 1, 2, 3). */
const SEMANTICS_TABLE: [string, string, [Want, Want, Want, Want, Want]][] = [
  [
    'a/b/c',
    'x',
    [
      'x/c',
      'x/a/b/c',
      'x/b/c',
      'x/c',
      { error: /contains only 2 path components \[a b\]/ },
    ],
  ],
  [
    'a/b/c/d/img',
    'ns',
    ['ns/img', 'ns/a/b/c/d/img', 'ns/b/c/d/img', 'ns/c/d/img', 'ns/d/img'],
  ],
  [
    'library/nginx',
    'x',
    [
      'x/nginx',
      'x/library/nginx',
      'x/nginx',
      { error: /flattening level is 2/ },
      { error: /flattening level is 3/ },
    ],
  ],
  [
    'a/b/c',
    'x/y',
    ['x/y/c', 'x/y/a/b/c', 'x/y/b/c', 'x/y/c', { error: /level is 3/ }],
  ],
  ['a/b/c', '', ['a/b/c', 'a/b/c', 'a/b/c', 'a/b/c', 'a/b/c']],
  [
    'c',
    'n',
    [
      'n/c',
      'n/c',
      { error: /contains only 0 path components \[\]/ },
      { error: /level is 2/ },
      { error: /level is 3/ },
    ],
  ],
];

const COUNTS = [-1, 0, 1, 2, 3] as const;

describe('replaceNamespace: §5.3 table (no path rule)', () => {
  const rows = SEMANTICS_TABLE.flatMap(([repo, ns, wants]) =>
    COUNTS.map((k, i) => [repo, ns, k, wants[i]!] as const)
  );

  it.each(rows)('(%j, %j, %d) → %p', (repo, ns, k, want) => {
    // Act
    const got = replaceNamespace(repo, ns, k, 'ANY');

    // Assert
    if (typeof want === 'string') {
      expect(got).toEqual({ ok: true, repository: want });
    } else {
      expect(got.ok).toBe(false);
      expect(!got.ok && got.error).toMatch(want.error);
    }
  });
});

describe('replaceNamespace: further rows', () => {
  it.each<[string, string, number, string]>([
    ['a/b/c/d/img', 'ns', 4, 'ns/img'],
    ['library/nginx', 'x', -5, 'x/nginx'],
    // Go path.Join cleaning
    ['a/b/c', 'x/', 1, 'x/b/c'],
    ['a/b/c', 'x//y', 0, 'x/y/a/b/c'],
    ['a/b/c', './x', 2, 'x/c'],
    ['a/b/c', 'x/../y', 2, 'y/c'],
  ])('(%j, %j, %d) → %j', (repo, ns, k, want) => {
    // Act
    const got = replaceNamespace(repo, ns, k, 'ANY');

    // Assert
    expect(got).toEqual({ ok: true, repository: want });
  });

  it('reports the full error of a too-high level', () => {
    // Act
    const got = replaceNamespace('a/b/c/d/img', 'ns', 5, 'ANY');

    // Assert
    expect(got).toEqual({
      ok: false,
      error:
        'the source repository "a/b/c/d/img" contains only 4 path components [a b c d] ' +
        'excepting the last one, but the destination namespace flattening level is 5',
    });
  });
});

describe('replaceNamespace: destination path rules', () => {
  it.each<[string, string, number, string, string | RegExp]>([
    ['library/nginx', 'x', 1, 'harbor', 'x/nginx'],
    ['a/b/c', 'x', 0, 'harbor', 'x/a/b/c'],
    // Harbor destinations need a project component
    ['c', '', 0, 'harbor', 'c'],
    [
      'a/b/c',
      '',
      1,
      'docker-hub',
      'a/b/c', // empty namespace: returned before any rule
    ],
    [
      'a/b/c',
      'n',
      1,
      'docker-hub',
      /contains 3 path components \[n b c\], but the destination registry only supports 2/,
    ],
    ['a/b/c', 'n', 2, 'docker-hub', 'n/c'],
    ['a/b/c', 'n', -1, 'docker-hub', 'n/c'],
    ['a/b/c', 'x/y', -1, 'docker-hub', /only supports 2/],
    ['a/b/c', 'x/y', -1, 'docker-registry', 'x/y/c'],
    [
      'a/b/c',
      'x/..',
      -1,
      'harbor',
      /"c" contains only 1 path components \[c\], but the destination registry requires at least 2/,
    ],
    ['a/b/c', 'x/..', -1, 'docker-registry', 'c'],
  ])('(%j, %j, %d) on %s → %p', (repo, ns, k, type, want) => {
    // Act
    const got = replaceNamespace(repo, ns, k, pathTypeOf(type));

    // Assert
    if (typeof want === 'string') {
      expect(got).toEqual({ ok: true, repository: want });
    } else {
      expect(got.ok).toBe(false);
      expect(!got.ok && got.error).toMatch(want);
    }
  });

  it.each([
    ['harbor', 'AT_LEAST_TWO'],
    ['docker-hub', 'ONLY_TWO'],
    ['docker-registry', 'ANY'],
    ['aws-ecr', 'ANY'],
    ['jfrog-artifactory', 'ANY'],
  ])('pathTypeOf(%s) = %s', (type, want) => {
    // Act / Assert
    expect(pathTypeOf(type)).toBe(want);
  });
});

describe('Go path helpers', () => {
  it.each([
    ['', '.'],
    ['a//b', 'a/b'],
    ['a/b/', 'a/b'],
    ['./a', 'a'],
    ['a/../..', '..'],
    ['/../a', '/a'],
    ['/', '/'],
    ['a/./b/../c', 'a/c'],
  ])('Clean(%j) = %j', (p, want) => {
    // Act / Assert
    expect(goPathClean(p)).toBe(want);
  });

  it.each<[string[], string]>([
    [[], ''],
    [['', ''], ''],
    [['x/', 'c'], 'x/c'],
    [['', 'c'], 'c'],
    [['a', '..', 'b'], 'b'],
  ])('Join(%j) = %j', (parts, want) => {
    // Act / Assert
    expect(goPathJoin(...parts)).toBe(want);
  });
});

import type { DoublestarVersion } from '../../../../lambdas/core/harbor/pattern';
import {
  PatternError,
  globMatch,
  isSpecificPathComponent,
  looksLikeRegex,
  matchPattern,
} from '../../../../lambdas/core/harbor/pattern';

type Outcome = boolean | 'error';

/**
 * bmatcuk/doublestar v1.3.x `matchTests` (doublestar_test.go): pattern, path, and the
 * expected (match, ErrBadPattern) of `Match`. Rows that only concern Glob on disk behave
 * the same under Match and are kept.
 */
const DOUBLESTAR_V1_TABLE: [string, string, Outcome][] = [
  ['*', '', true],
  ['*', '/', false],
  ['/*', '/', true],
  ['/*', '/debug/', false],
  ['/*', '//', false],
  ['abc', 'abc', true],
  ['*', 'abc', true],
  ['*c', 'abc', true],
  ['*/', 'a/', true],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ab/c', false],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*', 'axbxcxdxe', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true],
  ['a[^a]b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['a[^a][^a][^a]b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[\\]a]', ']', true],
  ['[\\-]', '-', true],
  ['[x\\-]', 'x', true],
  ['[x\\-]', '-', true],
  ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true],
  ['[\\-x]', '-', true],
  ['[\\-x]', 'a', false],
  ['[]a]', ']', 'error'],
  ['[-]', '-', 'error'],
  ['[x-]', 'x', 'error'],
  ['[x-]', '-', 'error'],
  ['[x-]', 'z', 'error'],
  ['[-x]', 'x', 'error'],
  ['[-x]', '-', 'error'],
  ['[-x]', 'a', 'error'],
  ['\\', 'a', 'error'],
  ['[a-b-c]', 'a', 'error'],
  ['[', 'a', 'error'],
  ['[^', 'a', 'error'],
  ['[^bc', 'a', 'error'],
  ['a[', 'a', false],
  ['a[', 'ab', 'error'],
  ['*x', 'xxx', true],
  ['[abc]', 'b', true],
  ['**', '', true],
  ['a/**', 'a', false],
  ['a/**', 'a/b', true],
  ['a/**', 'a/b/c', true],
  ['**/c', 'c', true],
  ['**/c', 'b/c', true],
  ['**/c', 'a/b/c', true],
  ['**/c', 'a/b', false],
  ['**/c', 'abcd', false],
  ['**/c', 'a/abc', false],
  ['a/**/b', 'a/b', true],
  ['a/**/c', 'a/b/c', true],
  ['a/**/d', 'a/b/c/d', true],
  ['a/\\**', 'a/b/c', false],
  ['a//b/c', 'a/b/c', false],
  ['a/b/c', 'a/b//c', false],
  ['a/', 'a', false],
  ['ab{c,d}', 'abc', true],
  ['ab{c,d,*}', 'abcde', true],
  ['ab{c,d}[', 'abcd', 'error'],
  ['a{,bc}', 'a', true],
  ['a{,bc}', 'abc', true],
  ['a/{b/c,c/b}', 'a/b/c', true],
  ['a/{b/c,c/b}', 'a/c/b', true],
  ['{a/{b,c},abc}', 'a/b', true],
  ['{a/{b,c},abc}', 'a/c', true],
  ['{a/{b,c},abc}', 'abc', true],
  ['{a/{b,c},abc}', 'a/b/c', false],
  ['{a/ab*}', 'a/abc', true],
  ['{a/*}', 'a/b', true],
  ['{a/abc}', 'a/abc', true],
  ['{a/b,a/c}', 'a/c', true],
  ['abc/**', 'abc/b', true],
  ['**/abc', 'abc', true],
  ['abc**', 'abc/b', false],
  ['**/*.txt', 'abc/【test】.txt', true],
  ['**/【*', 'abc/【test】.txt', true],
  ['broken-symlink', 'broken-symlink', true],
  ['working-symlink/c/*', 'working-symlink/c/d', true],
  ['working-sym*/*', 'working-symlink/c', true],
  ['b/**/f', 'b/symlink-dir/f', true],
];

function outcome(fn: () => boolean): Outcome {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PatternError) return 'error';
    throw err;
  }
}

describe('globMatch: doublestar v1 conformance table', () => {
  it.each(DOUBLESTAR_V1_TABLE)('Match(%j, %j) = %j', (pattern, path, want) => {
    // Act
    const got = outcome(() => globMatch(pattern, path));

    // Assert
    expect(got).toBe(want);
  });
});

describe('globMatch: harbor-semantics §5.4 rules', () => {
  it.each<[string, string, Outcome]>([
    // name filters on full repository names
    ['library/*', 'library/nginx', true],
    ['library/*', 'library/a/b', false],
    ['library/**', 'library/a/b', true],
    ['library/**', 'library/nginx', true],
    ['**/nginx', 'nginx', true],
    ['**/nginx', 'a/b/nginx', true],
    ['**/nginx', 'a/b/nginx2', false],
    ['library/{nginx,redis}', 'library/redis', true],
    ['library/{nginx,redis}', 'library/mysql', false],
    ['lib*/**', 'library/a/b/c', true],
    // `**` inside a component acts like `*`
    ['library/ng**', 'library/nginx', true],
    ['library/ng**', 'library/ng/x', false],
    // untagged artifacts are matched against ""
    ['*', '', true],
    ['**', '', true],
    ['{,x}', '', true],
    ['v*', '', false],
    ['?', '', false],
    // tags
    ['v1.*', 'v1.2', true],
    ['v1.*', 'v10.2', false],
    ['v[0-9]*', 'v7-beta', true],
    ['v[0-9]*', 'vx', false],
    ['{latest,stable}', 'stable', true],
    ['{v1.{0,1},latest}', 'v1.1', true],
    ['{v1.{0,1},latest}', 'v1.2', false],
    ['1.?', '1.10', false],
    ['sha256-*.sig', 'sha256-abc.sig', true],
    // full-string match
    ['nginx', 'library/nginx', false],
    ['nginx', 'nginx-x', false],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    // v1 negates with ^ only: `!` is a literal
    ['[!a]', 'b', false],
    ['[!a]', '!', true],
    ['[!a]', 'a', true],
    ['[^a]', 'b', true],
    // quirks of v1 that Harbor inherits
    ['{a,a/b}', 'a', false],
    ['{a,a/b}', 'a/b', true],
    ['a*{,b}', 'a', false],
    ['a*{,b}', 'ab', true],
    ['**/[', 'a', false],
    ['{a,[}', 'a', 'error'],
    ['{a', 'a', 'error'],
    ['a{', 'a', 'error'],
    ['[^]', 'x', true],
  ])('Match(%j, %j) = %j', (pattern, path, want) => {
    // Act
    const got = outcome(() => globMatch(pattern, path));

    // Assert
    expect(got).toBe(want);
  });
});

describe('matchPattern (Harbor util.Match)', () => {
  // Harbor has no `regex:` prefix (it was proposed in goharbor/harbor#22162 and never
  // merged): such a pattern is a glob of literal characters, in every version.
  it.each<[string, string, Outcome]>([
    ['', 'anything/at/all', true],
    ['', '', true],
    ['library/**', 'library/a', true],
    ['regex:^v1\\.', 'v1.2', false],
    ['regex:^v1\\.', 'regex:^v1.', true],
    ['regex:^v[0-9]+$', 'v12', false],
    ['regex:rc', 'v1.0-rc1', false],
    ['regex:rc', 'regex:rc', true],
    ['regex:library/ng', 'regex:library/ng', true],
    ['regex:library/ng', 'x/library/nginx', false],
    ['regex:', 'whatever', false],
    ['regex:.*', 'regex:.anything', true],
    ['regex:(', 'regex:(', true],
    ['regex:[', 'x', false],
    ['regex:[', 'regex:x', 'error'],
  ])('Match(%j, %j) = %j in both versions', (pattern, s, want) => {
    for (const version of ['v1.1.1', 'v1.3.4'] as const) {
      // Act
      const got = outcome(() => matchPattern(pattern, s, version));

      // Assert
      expect({ version, got }).toEqual({ version, got: want });
    }
  });

  it.each<[string, string, Outcome, Outcome]>([
    // v1.1.1 cuts the pattern on `/` first: a `/` inside braces breaks them
    ['{library/nginx,team/redis}', 'library/nginx', 'error', true],
    ['{library/nginx,team/redis}', 'team/redis', 'error', true],
    // no nesting in v1.1.1: the group ends at the first `}`
    ['v{1,2{0,1}}', 'v21', false, true],
    ['v{1,2{0,1}}', 'v20', true, true],
    ['v{1,2{0,1}}', 'v1}', true, false],
    // a trailing empty alternative is dropped by v1.1.1
    ['{latest,}', 'latest', true, true],
    ['{latest,}', '', false, true],
    ['1.{2,3}{.*,}', '1.2', false, true],
    ['1.{2,3}{.*,}', '1.2.x', true, true],
    ['{,x}', '', false, true],
    // alike: the default is v1.3.4
    ['library/{nginx,redis}', 'library/redis', true, true],
    ['v[0-9]*', 'v7-beta', true, true],
  ])('Match(%j, %j): v1.1.1 %j, v1.3.4 %j', (pattern, s, old, current) => {
    // Act
    const got = {
      v111: outcome(() => matchPattern(pattern, s, 'v1.1.1')),
      v134: outcome(() => matchPattern(pattern, s, 'v1.3.4')),
      byDefault: outcome(() => matchPattern(pattern, s)),
    };

    // Assert
    expect(got).toEqual({ v111: old, v134: current, byDefault: current });
  });

  it.each<DoublestarVersion>(['v1.1.1', 'v1.3.4'])(
    'names the offending pattern in the error (%s)',
    (version) => {
      // Act / Assert
      expect(() => matchPattern('v[x-]', 'vx', version)).toThrow(
        /invalid pattern "v\[x-\]"/
      );
      expect(() => globMatch('[x-]', 'x', version)).toThrow(PatternError);
    }
  );
});

describe('looksLikeRegex', () => {
  it.each<[string, boolean]>([
    ['regex:^v1\\.', true],
    ['regex:nginx', true],
    ['^v1', true],
    ['v1$', true],
    ['.*-rc', true],
    ['v1.+', true],
    ['v1\\.2', true],
    ['v\\d+', true],
    ['', false],
    ['v1.*', false],
    ['library/**', false],
    ['[^a]*', false],
    ['{latest,stable}', false],
    ['v1.{2,3}', false],
    ['v\\$', false],
  ])('%j → %s', (pattern, want) => {
    // Act / Assert
    expect(looksLikeRegex(pattern)).toBe(want);
  });
});

describe('isSpecificPathComponent', () => {
  it.each<[string, string[] | null]>([
    ['library', ['library']],
    ['{library,test}', ['library', 'test']],
    ['x{a,b}y', ['xay', 'xby']],
    ['{a, b}', ['a', ' b']],
    ['{}', ['']],
    ['', null],
    ['library*', null],
    ['lib?', null],
    ['[ab]', null],
    ['a\\b', null],
    ['a]', null],
    ['^a', null],
    ['a{b{c,d}e}f', null],
    ['a,b', null],
    ['a}b{c', null],
    ['{a,b', null],
    ['a,b}', null],
    ['regex:abc', ['regex:abc']],
  ])('%j → %j', (component, want) => {
    // Act
    const got = isSpecificPathComponent(component);

    // Assert
    expect(got).toEqual(want);
  });
});

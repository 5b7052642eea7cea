import { doublestarMatch } from '../../../../lab/harbor/replication/doublestar';
import {
  doublestarVersionOf,
  patternMatch,
  PatternError,
} from '../../../../lab/harbor/replication/pattern';
import {
  FlattenError,
  replaceNamespace,
  type PathType,
} from '../../../../lab/harbor/replication/flatten';

describe('doublestar v1 glob (harbor-semantics §5.4)', () => {
  // [pattern, name, v1.1.1, v1.3.4]
  const table: [string, string, boolean, boolean][] = [
    ['library/*', 'library/nginx', true, true],
    ['library/*', 'library/a/b', false, false],
    ['library/**', 'library/a/b', true, true],
    ['library/**', 'library/nginx', true, true],
    ['**/nginx', 'nginx', true, true],
    ['**/nginx', 'a/b/nginx', true, true],
    ['**/nginx', 'a/b/nginx2', false, false],
    ['a/**/b', 'a/b', true, true],
    ['a/**/b', 'a/x/y/b', true, true],
    ['a/**b', 'a/xb', true, true],
    ['a/**b', 'a/x/b', false, false],
    ['*', '', true, true],
    ['**', '', true, true],
    // v1.1.1 drops a trailing empty alternative and never matches an empty name but with `*`.
    ['{,x}', '', false, true],
    ['{latest,}', '', false, true],
    ['v*', '', false, false],
    ['v*', 'v1.2', true, true],
    ['v?', 'v1', true, true],
    ['v?', 'v12', false, false],
    ['v[0-9]', 'v7', true, true],
    ['v[^0-9]', 'v7', false, false],
    // `!` is a literal member of the class, not a negation.
    ['v[!0-9]', 'vx', false, false],
    ['v[!0-9]', 'v!', true, true],
    ['[abc]*', 'beta', true, true],
    ['{alpha,beta}', 'beta', true, true],
    // v1.1.1 closes the braces at the first `}`.
    ['{alpha,{beta,gamma}}', 'gamma', false, true],
    ['{alpha,beta}', 'delta', false, false],
    ['release-{1,2}.*', 'release-2.0', true, true],
    ['\\*', '*', true, true],
    ['\\*', 'x', false, false],
    ['lib*', 'library/nginx', false, false],
    ['library/nginx', 'library/nginx', true, true],
    ['library/ngin', 'library/nginx', false, false],
    ['*.sig', 'sha256-abc.sig', true, true],
    // A star never tries the empty rest of a component.
    ['*{-dev,}', '1.0', false, false],
    ['*{-dev,}', '1.0-dev', true, true],
  ];
  it.each(table)(
    '%s vs %j → v1.1.1 %s, v1.3.4 %s',
    (pattern, name, v111, v134) => {
      expect(doublestarMatch('v1.1.1', pattern, name)).toBe(v111);
      expect(doublestarMatch('v1.3.4', pattern, name)).toBe(v134);
    }
  );

  it('accepts nested braces and `/` inside braces only in v1.3.4', () => {
    const p = '{library/nginx,team/redis}';
    expect(() => doublestarMatch('v1.1.1', p, 'library/nginx')).toThrow(
      'syntax error in pattern'
    );
    expect(doublestarMatch('v1.3.4', p, 'library/nginx')).toBe(true);
    expect(doublestarMatch('v1.3.4', p, 'team/redis')).toBe(true);
    // v1.3.4 gathers every alternative; one that needs another component hides an exact match.
    expect(doublestarMatch('v1.3.4', '{a,a/b}', 'a')).toBe(false);
    expect(doublestarMatch('v1.3.4', '{a,a/b}', 'a/b')).toBe(true);
  });

  it.each(['[abc', '{a,b', '{x'])(
    'fails on the bad pattern %s once matching reaches it',
    (pattern) => {
      for (const v of ['v1.1.1', 'v1.3.4'] as const)
        expect(() => doublestarMatch(v, pattern, 'x')).toThrow(
          'syntax error in pattern'
        );
    }
  );

  it('answers without error when matching stops before a bad tail', () => {
    for (const v of ['v1.1.1', 'v1.3.4'] as const) {
      expect(doublestarMatch(v, 'v\\', 'x')).toBe(false);
      expect(doublestarMatch(v, 'a/[b', 'x/b')).toBe(false);
      expect(doublestarMatch(v, 'v*[', 'x1')).toBe(false);
      expect(() => doublestarMatch(v, 'a/[b', 'a/b')).toThrow(
        'syntax error in pattern'
      );
    }
  });
});

describe('pattern.Match', () => {
  it('matches everything with an empty pattern', () => {
    expect(patternMatch('v1.1.1', '', 'anything/at/all')).toBe(true);
    expect(patternMatch('v1.3.4', '', 'anything/at/all')).toBe(true);
  });
  it('has no regex: prefix: such a pattern is a glob of literal characters', () => {
    expect(patternMatch('v1.3.4', 'regex:ngin', 'library/nginx')).toBe(false);
    expect(patternMatch('v1.3.4', 'regex:^v1\\.', 'v1.2')).toBe(false);
    expect(patternMatch('v1.3.4', 'regex:^v1\\.', 'regex:^v1.')).toBe(true);
  });
  it('fails with PatternError on a bad glob it reaches', () => {
    expect(() => patternMatch('v1.3.4', '{x', 'x')).toThrow(PatternError);
    expect(() => patternMatch('v1.1.1', '{a/b,c}', 'a/b')).toThrow(
      PatternError
    );
  });
  it.each([
    ['v2.8.0', 'v1.1.1'],
    ['v2.9.4', 'v1.1.1'],
    ['v2.9.5', 'v1.3.4'],
    ['v2.10.0', 'v1.1.1'],
    ['v2.10.2-a1b2c3d4', 'v1.1.1'],
    ['v2.10.3', 'v1.3.4'],
    ['v2.11.0', 'v1.3.4'],
    ['v2.15.2', 'v1.3.4'],
  ])('Harbor %s links doublestar %s', (harbor, doublestar) => {
    expect(doublestarVersionOf(harbor)).toBe(doublestar);
  });
});

describe('replaceNamespace (harbor-semantics §5.3 table)', () => {
  const ERR = 'error';
  const rows: [string, string, string[]][] = [
    // source, namespace, results for counts -1, 0, 1, 2, 3
    ['a/b/c', 'x', ['x/c', 'x/a/b/c', 'x/b/c', 'x/c', ERR]],
    [
      'a/b/c/d/img',
      'ns',
      ['ns/img', 'ns/a/b/c/d/img', 'ns/b/c/d/img', 'ns/c/d/img', 'ns/d/img'],
    ],
    ['library/nginx', 'x', ['x/nginx', 'x/library/nginx', 'x/nginx', ERR, ERR]],
    ['a/b/c', 'x/y', ['x/y/c', 'x/y/a/b/c', 'x/y/b/c', 'x/y/c', ERR]],
    ['a/b/c', '', ['a/b/c', 'a/b/c', 'a/b/c', 'a/b/c', 'a/b/c']],
    ['c', 'n', ['n/c', 'n/c', ERR, ERR, ERR]],
  ];
  const counts = [-1, 0, 1, 2, 3];
  const cases = rows.flatMap(([src, ns, results]) =>
    counts.map((k, i) => [src, ns, k, results[i] ?? ERR] as const)
  );
  it.each(cases)(
    '%s with namespace %j and count %d → %s',
    (src, ns, k, expected) => {
      const run = () => replaceNamespace(src, ns, k, 'NONE');
      if (expected === ERR) expect(run).toThrow(FlattenError);
      else expect(run()).toBe(expected);
    }
  );

  it('handles counts 4 and 5 for a five-component path', () => {
    expect(replaceNamespace('a/b/c/d/img', 'ns', 4, 'NONE')).toBe('ns/img');
    expect(() => replaceNamespace('a/b/c/d/img', 'ns', 5, 'NONE')).toThrow(
      FlattenError
    );
  });

  it('applies the adapter path rules', () => {
    const at = (t: PathType, src: string, ns: string, k: number) => () =>
      replaceNamespace(src, ns, k, t);
    expect(at('AT_LEAST_TWO', 'c', 'n', -1)()).toBe('n/c');
    expect(at('AT_LEAST_TWO', 'nginx', '', 0)()).toBe('nginx');
    expect(() =>
      replaceNamespace('library/nginx', 'x/y', 0, 'ONLY_TWO')
    ).toThrow(FlattenError);
    expect(at('ONLY_TWO', 'library/nginx', 'x', 1)()).toBe('x/nginx');
  });

  it('cleans the joined path like Go path.Join', () => {
    expect(replaceNamespace('a/b/c', 'x/', 1, 'NONE')).toBe('x/b/c');
  });
});

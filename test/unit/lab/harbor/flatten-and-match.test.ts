import {
  globMatch,
  GlobPatternError,
} from '../../../../lab/harbor/replication/glob';
import {
  patternMatch,
  PatternError,
} from '../../../../lab/harbor/replication/pattern';
import {
  FlattenError,
  replaceNamespace,
  type PathType,
} from '../../../../lab/harbor/replication/flatten';

describe('doublestar v1 glob (harbor-semantics §5.4)', () => {
  const table: [string, string, boolean][] = [
    ['library/*', 'library/nginx', true],
    ['library/*', 'library/a/b', false],
    ['library/**', 'library/a/b', true],
    ['library/**', 'library/nginx', true],
    ['**/nginx', 'nginx', true],
    ['**/nginx', 'a/b/nginx', true],
    ['**/nginx', 'a/b/nginx2', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**b', 'a/xb', true],
    ['a/**b', 'a/x/b', false],
    ['*', '', true],
    ['**', '', true],
    ['{,x}', '', true],
    ['v*', '', false],
    ['v*', 'v1.2', true],
    ['v?', 'v1', true],
    ['v?', 'v12', false],
    ['v[0-9]', 'v7', true],
    ['v[^0-9]', 'v7', false],
    ['v[!0-9]', 'vx', true],
    ['[abc]*', 'beta', true],
    ['{alpha,beta}', 'beta', true],
    ['{alpha,{beta,gamma}}', 'gamma', true],
    ['{alpha,beta}', 'delta', false],
    ['release-{1,2}.*', 'release-2.0', true],
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['lib*', 'library/nginx', false],
    ['library/nginx', 'library/nginx', true],
    ['library/ngin', 'library/nginx', false],
    ['*.sig', 'sha256-abc.sig', true],
  ];
  it.each(table)('%s vs %j → %s', (pattern, name, expected) => {
    expect(globMatch(pattern, name)).toBe(expected);
  });

  it.each(['[abc', '{a,b', 'v\\'])('rejects the bad pattern %s', (pattern) => {
    expect(() => globMatch(pattern, 'x')).toThrow(GlobPatternError);
  });
});

describe('pattern.Match', () => {
  it('matches everything with an empty pattern', () => {
    expect(patternMatch('', 'anything/at/all')).toBe(true);
  });
  it('treats regex: as unanchored', () => {
    expect(patternMatch('regex:ngin', 'library/nginx')).toBe(true);
    expect(patternMatch('regex:^nginx$', 'library/nginx')).toBe(false);
    expect(patternMatch('regex:^library/', 'library/nginx')).toBe(true);
  });
  it('fails on an invalid regex and an invalid glob', () => {
    expect(() => patternMatch('regex:(', 'x')).toThrow(PatternError);
    expect(() => patternMatch('{x', 'x')).toThrow(PatternError);
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

import {
  filterArtifacts,
  repositoryMatches,
  type Candidate,
} from '../../../../lab/harbor/replication/filters';

// The newest Harbor's doublestar; doublestar-conformance.test.ts covers both versions.
const V = 'v1.3.4';

const art = (
  digest: string,
  tags: string[],
  labels: string[] = []
): Candidate => ({ digest, tags, labels, isAccessory: false });
const acc = (
  digest: string,
  tags: string[],
  parentTags: string[],
  labels: string[] = []
): Candidate => ({
  digest,
  tags,
  labels,
  parentTags,
  isAccessory: true,
});

describe('replication filters (harbor-semantics §5.4)', () => {
  it('ANDs name filters on the full repository name', () => {
    const f = [
      { type: 'name', value: 'library/**' },
      { type: 'name', value: '**/nginx' },
    ];
    expect(repositoryMatches(V, 'library/nginx', f)).toBe(true);
    expect(repositoryMatches(V, 'library/redis', f)).toBe(false);
    expect(repositoryMatches(V, 'other/nginx', f)).toBe(false);
  });

  it('keeps only the matching tags with a tag "matches" filter', () => {
    const out = filterArtifacts(
      V,
      [art('d1', ['v1', 'latest', 'v2']), art('d2', ['dev'])],
      [{ type: 'tag', value: 'v*' }]
    );
    expect(out).toEqual([art('d1', ['v1', 'v2'])]);
  });

  it('keeps the non-matching tags with "excludes"', () => {
    const out = filterArtifacts(
      V,
      [art('d1', ['v1', 'latest']), art('d2', ['v3'])],
      [{ type: 'tag', value: 'v*', decoration: 'excludes' }]
    );
    expect(out).toEqual([art('d1', ['latest'])]);
  });

  it('matches untagged artifacts against the empty string', () => {
    const untagged = art('d3', []);
    expect(
      filterArtifacts(V, [untagged], [{ type: 'tag', value: '*' }])
    ).toHaveLength(1);
    expect(
      filterArtifacts(V, [untagged], [{ type: 'tag', value: '{,x}' }])
    ).toHaveLength(1);
    expect(
      filterArtifacts(V, [untagged], [{ type: 'tag', value: 'v*' }])
    ).toHaveLength(0);
    expect(
      filterArtifacts(
        V,
        [untagged],
        [{ type: 'tag', value: 'v*', decoration: 'excludes' }]
      )
    ).toHaveLength(1);
  });

  it('does not match an untagged artifact with a trailing empty alternative in doublestar v1.1.1', () => {
    const untagged = art('d3', []);
    expect(
      filterArtifacts('v1.1.1', [untagged], [{ type: 'tag', value: '{,x}' }])
    ).toHaveLength(0);
  });

  it('takes `!` in a class literally (`[!a]` is the class of `!` and `a`)', () => {
    const arts = [art('d1', ['b']), art('d2', ['!']), art('d3', ['a'])];
    for (const v of ['v1.1.1', 'v1.3.4'] as const)
      expect(
        filterArtifacts(v, arts, [{ type: 'tag', value: '[!a]' }]).map(
          (a) => a.digest
        )
      ).toEqual(['d2', 'd3']);
  });

  it('judges an accessory by its subject tags and keeps its own tags', () => {
    const sig = acc('s1', ['sha256-aa.sig'], ['v1']);
    expect(filterArtifacts(V, [sig], [{ type: 'tag', value: 'v*' }])).toEqual([
      sig,
    ]);
    expect(
      filterArtifacts(V, [sig], [{ type: 'tag', value: 'prod-*' }])
    ).toEqual([]);
  });

  it('needs all labels for "matches" and lacks one for "excludes"', () => {
    const both = art('d1', ['a'], ['prod', 'team-x']);
    const one = art('d2', ['b'], ['prod']);
    expect(
      filterArtifacts(
        V,
        [both, one],
        [{ type: 'label', value: ['prod', 'team-x'] }]
      )
    ).toEqual([both]);
    expect(
      filterArtifacts(
        V,
        [both, one],
        [{ type: 'label', value: ['prod', 'team-x'], decoration: 'excludes' }]
      )
    ).toEqual([one]);
  });

  it('gives the same result whatever the filter order', () => {
    const arts = [art('d1', ['v1', 'latest'], ['prod']), art('d2', ['v2'], [])];
    const a = filterArtifacts(V, arts, [
      { type: 'tag', value: 'v*' },
      { type: 'label', value: ['prod'] },
    ]);
    const b = filterArtifacts(V, arts, [
      { type: 'label', value: ['prod'] },
      { type: 'tag', value: 'v*' },
    ]);
    expect(a).toEqual(b);
    expect(a).toEqual([art('d1', ['v1'], ['prod'])]);
  });
});

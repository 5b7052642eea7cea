import {
  filterArtifacts,
  repositoryMatches,
  type Candidate,
} from '../../../../lab/harbor/replication/filters';

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
    expect(repositoryMatches('library/nginx', f)).toBe(true);
    expect(repositoryMatches('library/redis', f)).toBe(false);
    expect(repositoryMatches('other/nginx', f)).toBe(false);
  });

  it('keeps only the matching tags with a tag "matches" filter', () => {
    const out = filterArtifacts(
      [art('d1', ['v1', 'latest', 'v2']), art('d2', ['dev'])],
      [{ type: 'tag', value: 'v*' }]
    );
    expect(out).toEqual([art('d1', ['v1', 'v2'])]);
  });

  it('keeps the non-matching tags with "excludes"', () => {
    const out = filterArtifacts(
      [art('d1', ['v1', 'latest']), art('d2', ['v3'])],
      [{ type: 'tag', value: 'v*', decoration: 'excludes' }]
    );
    expect(out).toEqual([art('d1', ['latest'])]);
  });

  it('matches untagged artifacts against the empty string', () => {
    const untagged = art('d3', []);
    expect(
      filterArtifacts([untagged], [{ type: 'tag', value: '*' }])
    ).toHaveLength(1);
    expect(
      filterArtifacts([untagged], [{ type: 'tag', value: '{,x}' }])
    ).toHaveLength(1);
    expect(
      filterArtifacts([untagged], [{ type: 'tag', value: 'v*' }])
    ).toHaveLength(0);
    expect(
      filterArtifacts(
        [untagged],
        [{ type: 'tag', value: 'v*', decoration: 'excludes' }]
      )
    ).toHaveLength(1);
  });

  it('judges an accessory by its subject tags and keeps its own tags', () => {
    const sig = acc('s1', ['sha256-aa.sig'], ['v1']);
    expect(filterArtifacts([sig], [{ type: 'tag', value: 'v*' }])).toEqual([
      sig,
    ]);
    expect(filterArtifacts([sig], [{ type: 'tag', value: 'prod-*' }])).toEqual(
      []
    );
  });

  it('needs all labels for "matches" and lacks one for "excludes"', () => {
    const both = art('d1', ['a'], ['prod', 'team-x']);
    const one = art('d2', ['b'], ['prod']);
    expect(
      filterArtifacts(
        [both, one],
        [{ type: 'label', value: ['prod', 'team-x'] }]
      )
    ).toEqual([both]);
    expect(
      filterArtifacts(
        [both, one],
        [{ type: 'label', value: ['prod', 'team-x'], decoration: 'excludes' }]
      )
    ).toEqual([one]);
  });

  it('gives the same result whatever the filter order', () => {
    const arts = [art('d1', ['v1', 'latest'], ['prod']), art('d2', ['v2'], [])];
    const a = filterArtifacts(arts, [
      { type: 'tag', value: 'v*' },
      { type: 'label', value: ['prod'] },
    ]);
    const b = filterArtifacts(arts, [
      { type: 'label', value: ['prod'] },
      { type: 'tag', value: 'v*' },
    ]);
    expect(a).toEqual(b);
    expect(a).toEqual([art('d1', ['v1'], ['prod'])]);
  });
});

import { LabClock } from '../../../../lab/harbor/clock';
import { HarborState } from '../../../../lab/harbor/state/harbor-state';
import type { ArtifactRec, TagRec } from '../../../../lab/harbor/state/types';
import {
  buildImage,
  buildIndex,
  buildSignature,
  descriptorOf,
  storeImage,
} from '../../../../lab/registry/images';
import { OciStore } from '../../../../lab/registry/store';

const ADMIN = { username: 'admin', password: 'Harbor12345' };

function fresh(): { s: HarborState; store: OciStore } {
  const store = new OciStore();
  const s = new HarborState(store, new LabClock(), ADMIN);
  s.createProject({ name: 'p' }, 1);
  s.createProject({ name: 'q' }, 1);
  return { s, store };
}

/** What the lookups answered before the indexes: a scan of the tables in insertion order. */
const scan = {
  artifactsOf: (s: HarborState, repoId: number): ArtifactRec[] =>
    [...s.artifacts.values()].filter((a) => a.repoId === repoId),
  tagsOf: (s: HarborState, artifactId: number): TagRec[] =>
    [...s.tags.values()]
      .filter((t) => t.artifactId === artifactId)
      .sort((a, b) => a.id - b.id),
  isReferenced: (s: HarborState, a: ArtifactRec): boolean =>
    scan
      .artifactsOf(s, a.repoId)
      .some((x) => x.references.some((r) => r.childDigest === a.digest)),
  accessoriesOf: (s: HarborState, a: ArtifactRec): ArtifactRec[] =>
    scan
      .artifactsOf(s, a.repoId)
      .filter((x) => x.accessory?.subjectDigest === a.digest),
};

function expectIndexesAgreeWithScans(s: HarborState): void {
  for (const p of s.projects.values()) {
    expect(s.projectByName(p.name)).toBe(p);
    const repos = [...s.repos.values()].filter((r) => r.projectId === p.id);
    expect(s.reposOf(p.id)).toEqual(repos);
    expect(s.repoCount(p.id)).toBe(repos.length);
  }
  for (const r of s.repos.values()) {
    expect(s.repoByName(r.name)).toBe(r);
    const artifacts = scan.artifactsOf(s, r.id);
    expect(s.artifactsOf(r.id)).toEqual(artifacts);
    for (const a of artifacts) {
      expect(s.artifactByDigest(r.id, a.digest)).toBe(a);
      expect(s.tagsOf(a.id)).toEqual(scan.tagsOf(s, a.id));
      expect(s.tagCount(a.id)).toBe(scan.tagsOf(s, a.id).length);
      expect(s.isReferenced(a)).toBe(scan.isReferenced(s, a));
      expect(s.accessoriesOf(a)).toEqual(scan.accessoriesOf(s, a));
    }
  }
  for (const t of s.tags.values()) {
    expect(s.tagByName(t.repoId, t.name)).toBe(t);
    expect(s.artifactByRef(t.repoId, t.name)?.id).toBe(t.artifactId);
  }
}

describe('HarborState indexes', () => {
  it('answer what a scan of the tables answers, through pushes, retags, untags and deletes', () => {
    const { s, store } = fresh();
    const one = buildImage({ seed: 'one' });
    const two = buildImage({ seed: 'two' });
    const multi = buildIndex({
      seed: 'multi',
      platforms: [{ arch: 'amd64' }, { arch: 'arm64' }],
    });
    storeImage(store, 'p/app', 'v1', one);
    storeImage(store, 'p/app', 'v2', one);
    storeImage(store, 'p/app', 'latest', two);
    storeImage(store, 'p/app', 'multi', multi);
    storeImage(store, 'q/lib/x', 'v1', two);
    storeImage(
      store,
      'p/app',
      'sig',
      buildSignature(descriptorOf(one), { seed: 's', kind: 'cosign' })
    );
    expectIndexesAgreeWithScans(s);

    // The tag moves to another artifact: it leaves the first one's tags.
    storeImage(store, 'p/app', 'v1', two);
    const repo = s.repoByName('p/app');
    if (!repo) throw new Error('no repo');
    const oneRec = s.artifactByDigest(repo.id, one.digest);
    const twoRec = s.artifactByDigest(repo.id, two.digest);
    expect(s.tagsOf(oneRec?.id ?? 0).map((t) => t.name)).toEqual(['v2']);
    // By id: v1 was made first.
    expect(s.tagsOf(twoRec?.id ?? 0).map((t) => t.name)).toEqual([
      'v1',
      'latest',
    ]);
    expectIndexesAgreeWithScans(s);

    store.untag('p/app', 'v2');
    expect(s.tagByName(repo.id, 'v2')).toBeUndefined();
    const child = multi.children?.[0];
    if (!child) throw new Error('no child');
    const childRec = s.artifactByDigest(repo.id, child.digest);
    if (!childRec) throw new Error('no child record');
    expect(s.isReferenced(childRec)).toBe(true);
    store.deleteManifest('p/app', multi.digest);
    expect(s.isReferenced(childRec)).toBe(false);
    expect(s.accessoriesOf(oneRec!)).toHaveLength(1);
    expectIndexesAgreeWithScans(s);

    // Handlers delete through the tables as plain Maps.
    const q = s.projectByName('q');
    for (const r of s.reposOf(q?.id ?? 0)) s.repos.delete(r.id);
    s.projects.delete(q?.id ?? 0);
    expect(s.projectByName('q')).toBeUndefined();
    expect(s.repoByName('q/lib/x')).toBeUndefined();
    expectIndexesAgreeWithScans(s);
  });

  it('answers lookups and serves a repository without scanning the tables', () => {
    const { s, store } = fresh();
    for (let i = 0; i < 300; i++)
      storeImage(
        store,
        `p/r${(i % 3).toString()}`,
        `t${i.toString()}`,
        buildImage({ seed: `x${i.toString()}` })
      );
    const repo = s.repoByName('p/r1');
    if (!repo) throw new Error('no repo');
    const scans = [s.artifacts, s.tags, s.repos, s.projects].map((table) =>
      jest.spyOn(table, 'values')
    );
    const rows = s.artifactsOf(repo.id);
    expect(rows).toHaveLength(100);
    const last = rows[rows.length - 1]!;
    expect(s.artifactByDigest(repo.id, last.digest)).toBe(last);
    expect(s.tagByName(repo.id, 't298')?.artifactId).toBe(last.id);
    expect(s.tagsOf(last.id).map((t) => t.name)).toEqual(['t298']);
    expect(s.isReferenced(last)).toBe(false);
    expect(s.accessoriesOf(last)).toEqual([]);
    expect(s.reposOf(repo.projectId)).toHaveLength(3);
    expect(s.projectByName('p')?.id).toBe(repo.projectId);
    expect(s.artifactsOfProject(repo.projectId)).toHaveLength(300);
    for (const spy of scans) expect(spy).not.toHaveBeenCalled();
  });
});

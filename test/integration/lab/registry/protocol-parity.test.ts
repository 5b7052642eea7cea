import { buildImage, storeImage } from '../../../../lab/registry/images';
import { FULL_ACCEPT, MEDIA } from '../../../../lab/registry/media-types';
import { OciStore } from '../../../../lab/registry/store';
import { errorCode, h, raw } from './helpers';
import { seedBoth, startPair } from './parity-fixture';
import type { Pair } from './parity-fixture';

const image = buildImage({ seed: 'protocol' });
const repos = ['lab/cat/a', 'lab/cat/b', 'lab/cat/c', 'lab/cat/d', 'lab/cat/e'];

describe('catalog, tags, delete and mount: the memory registry answers like docker-registry 2.8', () => {
  let pair: Pair | undefined;
  const both = (): [string, string][] => [
    ['memory', pair!.memory.url],
    ['real', pair!.real.url],
  ];

  beforeAll(async () => {
    pair = await startPair();
    const source = new OciStore();
    for (const repo of repos) {
      storeImage(source, repo, 'v1', image);
      await seedBoth(pair, source, repo, 'v1');
    }
  });

  afterAll(async () => {
    await pair?.stop();
  });

  it('pages the catalog with a relative, URL-encoded Link and no Link on the last page', async () => {
    for (const [, url] of both()) {
      const pages: string[][] = [];
      const links: (string | undefined)[] = [];
      let next: string | undefined = '/v2/_catalog?n=2';
      while (next) {
        const r = await raw('GET', `${url}${next}`);
        expect(r.status).toBe(200);
        pages.push(
          (JSON.parse(r.body.toString()) as { repositories: string[] })
            .repositories
        );
        const link = h(r, 'link');
        links.push(link);
        next = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
      }
      expect(pages).toEqual([
        ['lab/cat/a', 'lab/cat/b'],
        ['lab/cat/c', 'lab/cat/d'],
        ['lab/cat/e'],
      ]);
      expect(links).toEqual([
        '</v2/_catalog?last=lab%2Fcat%2Fb&n=2>; rel="next"',
        '</v2/_catalog?last=lab%2Fcat%2Fd&n=2>; rel="next"',
        undefined,
      ]);
    }
  });

  it('rejects n above 1000, ignores a non-numeric n and answers n=0 the same way', async () => {
    const answers = [];
    for (const [, url] of both()) {
      const big = await raw('GET', `${url}/v2/_catalog?n=1001`);
      const max = await raw('GET', `${url}/v2/_catalog?n=1000`);
      const zero = await raw('GET', `${url}/v2/_catalog?n=0`);
      const junk = await raw(
        'GET',
        `${url}/v2/_catalog?n=abc&last=lab%2Fcat%2Fd`
      );
      answers.push({
        big: [big.status, errorCode(big)],
        max: [max.status, JSON.parse(max.body.toString()) as unknown],
        zero: [
          zero.status,
          JSON.parse(zero.body.toString()) as unknown,
          h(zero, 'link'),
        ],
        junk: [junk.status, JSON.parse(junk.body.toString()) as unknown],
      });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.big).toEqual([400, 'PAGINATION_NUMBER_INVALID']);
    expect(answers[0]!.max).toEqual([200, { repositories: repos }]);
    expect(answers[0]!.junk).toEqual([200, { repositories: ['lab/cat/e'] }]);
  });

  it('refuses DELETE by tag (400), deletes by digest, then lists tags as null', async () => {
    for (const [, url] of both()) {
      const byTag = await raw('DELETE', `${url}/v2/lab/cat/e/manifests/v1`);
      // Measured: 2.8.2 says DIGEST_INVALID (not UNSUPPORTED) for a tag here.
      expect([byTag.status, errorCode(byTag)]).toEqual([400, 'DIGEST_INVALID']);
      const byDigest = await raw(
        'DELETE',
        `${url}/v2/lab/cat/e/manifests/${image.digest}`
      );
      expect(byDigest.status).toBe(202);
      const again = await raw(
        'DELETE',
        `${url}/v2/lab/cat/e/manifests/${image.digest}`
      );
      expect([again.status, errorCode(again)]).toEqual([
        404,
        'MANIFEST_UNKNOWN',
      ]);
      const tags = await raw('GET', `${url}/v2/lab/cat/e/tags/list`);
      expect(JSON.parse(tags.body.toString())).toEqual({
        name: 'lab/cat/e',
        tags: null,
      });
      const cat = await raw('GET', `${url}/v2/_catalog`);
      expect(JSON.parse(cat.body.toString())).toEqual({ repositories: repos });
    }
  });

  it('reports a missing tag and a missing repository like distribution', async () => {
    const answers = [];
    for (const [, url] of both()) {
      const tag = await raw('GET', `${url}/v2/lab/cat/a/manifests/nope`, {
        accept: FULL_ACCEPT,
      });
      const repo = await raw('GET', `${url}/v2/lab/none/manifests/v1`, {
        accept: FULL_ACCEPT,
      });
      const blob = await raw(
        'HEAD',
        `${url}/v2/lab/cat/a/blobs/sha256:${'0'.repeat(64)}`
      );
      answers.push([
        tag.status,
        JSON.parse(tag.body.toString()) as unknown,
        repo.status,
        errorCode(repo),
        blob.status,
      ]);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]![0]).toBe(404);
    // 2.8.2 answers MANIFEST_UNKNOWN, not NAME_UNKNOWN, for a manifest in a missing repository.
    expect(answers[0]![3]).toBe('MANIFEST_UNKNOWN');
  });

  it('needs blobs mounted before a manifest PUT into a new repository', async () => {
    const configDigest = image.blobs.keys().next().value!;
    for (const [, url] of both()) {
      const put = () =>
        raw(
          'PUT',
          `${url}/v2/lab/fresh/manifests/v1`,
          { 'content-type': MEDIA.ociManifest },
          image.manifest
        );
      const first = await put();
      expect([first.status, errorCode(first)]).toEqual([
        400,
        'MANIFEST_BLOB_UNKNOWN',
      ]);
      for (const digest of image.blobs.keys()) {
        const mount = await raw(
          'POST',
          `${url}/v2/lab/fresh/blobs/uploads/?mount=${digest}&from=lab/cat/a`
        );
        expect([mount.status, h(mount, 'docker-content-digest')]).toEqual([
          201,
          digest,
        ]);
      }
      const second = await put();
      expect([second.status, h(second, 'docker-content-digest')]).toEqual([
        201,
        image.digest,
      ]);
      // A mount from a repo that lacks the blob falls back to an upload session.
      const fallback = await raw(
        'POST',
        `${url}/v2/lab/fresh2/blobs/uploads/?mount=${configDigest}&from=lab/none`
      );
      expect(fallback.status).toBe(202);
      expect(h(fallback, 'docker-upload-uuid')).toBeTruthy();
    }
  });

  it('answers the ping with the API version header', async () => {
    for (const [, url] of both()) {
      const ping = await raw('GET', `${url}/v2/`);
      expect([ping.status, h(ping, 'docker-distribution-api-version')]).toEqual(
        [200, 'registry/2.0']
      );
    }
  });
});

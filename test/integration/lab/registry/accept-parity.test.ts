import {
  buildImage,
  buildIndex,
  storeImage,
} from '../../../../lab/registry/images';
import type { BuiltImage } from '../../../../lab/registry/images';
import { FULL_ACCEPT, MEDIA } from '../../../../lab/registry/media-types';
import { OciStore } from '../../../../lab/registry/store';
import { errorCode, h, raw } from './helpers';
import type { RawReply } from './helpers';
import { seedBoth, startPair } from './parity-fixture';
import type { Pair } from './parity-fixture';

const images: Record<string, BuiltImage> = {
  oci: buildImage({ seed: 'accept-oci' }),
  ociindex: buildIndex({
    seed: 'accept-oci-index',
    platforms: [{ arch: 'amd64' }, { arch: 'arm64' }],
  }),
  docker: buildImage({ seed: 'accept-docker', format: 'docker', layers: 2 }),
  dockerlist: buildIndex({
    seed: 'accept-docker-list',
    platforms: [{ arch: 'arm64' }, { arch: 'amd64' }],
    format: 'docker',
  }),
};

const accepts: Record<string, string | undefined> = {
  none: undefined,
  any: '*/*',
  dockerV2: MEDIA.dockerManifest,
  dockerList: MEDIA.dockerList,
  ociManifest: MEDIA.ociManifest,
  ociIndex: MEDIA.ociIndex,
  full: FULL_ACCEPT,
  fullWithQ: `${MEDIA.ociIndex};q=0.9, ${MEDIA.ociManifest}, ${MEDIA.dockerList}, ${MEDIA.dockerManifest};q=0.5`,
};

/** A registry-independent summary of one answer: status, type, and what the digest is. */
function summarize(reply: RawReply, image: BuiltImage): string {
  if (reply.status !== 200)
    return `${reply.status} ${errorCode(reply) ?? ''}`.trim();
  const digest = h(reply, 'docker-content-digest');
  const child = image.children?.find((c) => c.digest === digest);
  const what =
    digest === image.digest
      ? 'true-digest'
      : child
        ? `child-${child.digest}`
        : 'other-digest';
  return `200 ${h(reply, 'content-type') ?? ''} ${what}`;
}

describe('Accept handling: the memory registry answers like docker-registry 2.8', () => {
  let pair: Pair | undefined;

  beforeAll(async () => {
    pair = await startPair();
    const source = new OciStore();
    for (const [name, image] of Object.entries(images)) {
      storeImage(source, `lab/accept/${name}`, '1', image);
      await seedBoth(pair, source, `lab/accept/${name}`, '1');
    }
  });

  afterAll(async () => {
    await pair?.stop();
  });

  const ask = async (
    url: string,
    method: string,
    ref: string,
    name: string,
    accept?: string
  ) =>
    raw(
      method,
      `${url}/v2/lab/accept/${name}/manifests/${ref}`,
      accept ? { accept } : {}
    );

  it.each(Object.keys(images))(
    '%s: same answers on HEAD and GET, by tag and by digest',
    async (name) => {
      const image = images[name]!;
      const table: Record<string, { memory: string; real: string }> = {};
      for (const [label, accept] of Object.entries(accepts)) {
        for (const ref of ['1', image.digest]) {
          for (const method of ['GET', 'HEAD']) {
            const key = `${method} ${ref === '1' ? 'tag' : 'digest'} accept=${label}`;
            table[key] = {
              memory: summarize(
                await ask(pair!.memory.url, method, ref, name, accept),
                image
              ),
              real: summarize(
                await ask(pair!.real.url, method, ref, name, accept),
                image
              ),
            };
          }
        }
      }
      const mismatches = Object.entries(table).filter(
        ([, v]) => v.memory !== v.real
      );
      expect(mismatches).toEqual([]);
      // The full list always yields the stored media type and the true digest.
      expect(table['HEAD tag accept=full']!.real).toBe(
        `200 ${image.mediaType} true-digest`
      );
    }
  );

  it('HEAD of an OCI manifest without the OCI type is 404 MANIFEST_UNKNOWN on both', async () => {
    for (const r of [pair!.memory, pair!.real]) {
      const head = await ask(r.url, 'HEAD', '1', 'oci', MEDIA.dockerManifest);
      expect(head.status).toBe(404);
      const get = await ask(r.url, 'GET', '1', 'oci', MEDIA.dockerManifest);
      expect([get.status, errorCode(get)]).toEqual([404, 'MANIFEST_UNKNOWN']);
      const full = await ask(r.url, 'HEAD', '1', 'oci', FULL_ACCEPT);
      expect([full.status, h(full, 'docker-content-digest')]).toEqual([
        200,
        images.oci!.digest,
      ]);
      expect(h(full, 'content-length')).toBe(
        String(images.oci!.manifest.length)
      );
    }
  });

  it('a Docker list fetched by tag without the list type gives the amd64 child on both', async () => {
    const amd64 = images.dockerlist!.children![1]!;
    for (const r of [pair!.memory, pair!.real]) {
      const head = await ask(
        r.url,
        'HEAD',
        '1',
        'dockerlist',
        MEDIA.dockerManifest
      );
      expect([head.status, h(head, 'docker-content-digest')]).toEqual([
        200,
        amd64.digest,
      ]);
    }
  });

  it('Docker schema2 by tag without schema2 in Accept is down-converted to schema1 on both', async () => {
    for (const r of [pair!.memory, pair!.real]) {
      const get = await ask(r.url, 'GET', '1', 'docker', undefined);
      expect(get.status).toBe(200);
      expect(h(get, 'content-type')).toBe(MEDIA.dockerSchema1Signed);
      expect(h(get, 'docker-content-digest')).not.toBe(images.docker!.digest);
      const body = JSON.parse(get.body.toString()) as {
        schemaVersion: number;
        fsLayers: unknown[];
      };
      expect(body.schemaVersion).toBe(1);
      expect(body.fsLayers).toHaveLength(2);
    }
  });
});

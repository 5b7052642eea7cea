import {
  buildIndex,
  buildSignature,
  descriptorOf,
  storeImage,
  type BuiltImage,
} from '../../../../lab/registry/images';
import { startMemoryRegistry } from '../../../../lab/registry/memory-registry';
import type { PlainRegistry } from '../../../../lab/registry/plain-registry';
import { startHarbor, type LabHarbor } from '../../../../lab/harbor/server';
import { api, type Creds } from './helpers/api';
import { remoteDigest, runPolicy } from './helpers/wait';

const ADMIN: Creds = { username: 'admin', password: 'Harbor12345' };
const sigTag = (img: BuiltImage) =>
  `sha256-${img.digest.slice('sha256:'.length)}.sig`;

describe('accessories, task items and registry info as Harbor has them (harbor-semantics §5.4, §4)', () => {
  let h: LabHarbor;
  let dest: PlainRegistry;
  const app = buildIndex({
    seed: 'app',
    platforms: [{ arch: 'amd64' }, { arch: 'arm64' }],
  });
  const child = app.children?.[0];
  if (!child) throw new Error('the index has no child');
  const indexSig = buildSignature(descriptorOf(app), {
    seed: 'app-sig',
    kind: 'cosign',
  });
  const childSig = buildSignature(descriptorOf(child), {
    seed: 'child-sig',
    kind: 'cosign',
  });
  const sbom = buildSignature(descriptorOf(app), {
    seed: 'app-sbom',
    kind: 'sbom',
  });
  const sbomSig = buildSignature(descriptorOf(sbom), {
    seed: 'sbom-sig',
    kind: 'cosign',
  });

  const register = async (body: Record<string, unknown>): Promise<number> => {
    const r = await api(h.url, 'POST', '/registries', { auth: ADMIN, body });
    expect(r.status).toBe(201);
    return Number(r.headers.get('location')?.split('/').pop());
  };

  beforeAll(async () => {
    h = await startHarbor({ name: 'accessories' });
    dest = await startMemoryRegistry();
    storeImage(h.store, 'library/app', 'v1', app);
    storeImage(h.store, 'library/app', 'v2', app);
    storeImage(h.store, 'library/app', sigTag(app), indexSig);
    storeImage(h.store, 'library/app', sigTag(child), childSig);
    storeImage(h.store, 'library/app', sbom.digest, sbom);
    storeImage(h.store, 'library/app', sigTag(sbom), sbomSig);
  });
  afterAll(async () => {
    await h.stop();
    await dest.stop();
  });

  it('judges accessories of index children and of accessories by the root tags, and counts tags as items', async () => {
    const destId = await register({
      name: 'plain',
      type: 'docker-registry',
      url: dest.url,
    });
    const res = await api(h.url, 'POST', '/replication/policies', {
      auth: ADMIN,
      body: {
        name: 'signed',
        enabled: true,
        src_registry: null,
        dest_registry: { id: destId },
        dest_namespace: '',
        dest_namespace_replace_count: 0,
        filters: [
          { type: 'name', value: 'library/app' },
          { type: 'tag', value: 'v*' },
        ],
        override: true,
        deletion: false,
      },
    });
    expect(res.status).toBe(201);
    const exec = await runPolicy(
      h,
      ADMIN,
      Number(res.headers.get('location')?.split('/').pop())
    );
    expect(exec.status).toBe('Succeed');
    for (const [tag, img] of [
      ['v1', app],
      [sigTag(app), indexSig],
      [sigTag(child), childSig],
      [sbom.digest, sbom],
      [sigTag(sbom), sbomSig],
    ] as const)
      expect(await remoteDigest(dest.url, 'library/app', tag)).toBe(img.digest);
    const tasks = (
      await api(
        h.url,
        'GET',
        `/replication/executions/${String(exec.id)}/tasks`,
        { auth: ADMIN }
      )
    ).body as { src_resource: string }[];
    // v1, v2, three signature tags, and the untagged SBOM by digest.
    expect(tasks.map((t) => t.src_resource)).toEqual([
      'library/app [6 item(s) in total]',
    ]);
  });

  it.each([
    ['harbor', true],
    ['azure-acr', true],
    ['docker-registry', false],
    ['aws-ecr', false],
  ])('says a %s registry supports copy by chunk: %s', async (type, chunk) => {
    const id = await register({
      name: `info-${type}`,
      type,
      url: 'https://registry.invalid',
    });
    const info = (
      await api(h.url, 'GET', `/registries/${String(id)}/info`, { auth: ADMIN })
    ).body as { supported_copy_by_chunk: boolean };
    expect(info.supported_copy_by_chunk).toBe(chunk);
  });
});

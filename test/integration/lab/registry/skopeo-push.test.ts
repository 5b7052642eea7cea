import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDistributionRegistry } from '../../../../lab/registry/distribution';
import {
  buildImage,
  buildIndex,
  writeOciLayout,
} from '../../../../lab/registry/images';
import { sha256Digest } from '../../../../lab/registry/media-types';
import { startMemoryRegistry } from '../../../../lab/registry/memory-registry';
import type { PlainRegistry } from '../../../../lab/registry/plain-registry';
import {
  DOCKER_REGISTRY,
  SKOPEO,
  errorCode,
  raw,
  requireBinary,
  skopeo,
} from './helpers';

const single = buildImage({ seed: 'skopeo-single', layers: 2 });
const multi = buildIndex({
  seed: 'skopeo-multi',
  platforms: [{ arch: 'amd64' }, { arch: 'arm64' }],
});

describe.each([
  ['memory', () => startMemoryRegistry()],
  ['distribution', () => startDistributionRegistry()],
] as const)('real skopeo against the %s registry', (kind, start) => {
  let registry: PlainRegistry | undefined;
  let layout = '';

  beforeAll(async () => {
    requireBinary(SKOPEO, 'skopeo');
    if (kind === 'distribution')
      requireBinary(DOCKER_REGISTRY, 'docker-registry');
    layout = mkdtempSync(join(tmpdir(), 'lab-layout-'));
    writeOciLayout(layout, [
      { ref: 'single', image: single },
      { ref: 'multi', image: multi },
    ]);
    registry = await start();
  });

  afterAll(async () => {
    await registry?.stop();
    rmSync(layout, { recursive: true, force: true });
  });

  const host = (): string => registry!.url.replace('http://', '');

  it('pushes a single image and keeps its digest', async () => {
    await skopeo([
      'copy',
      '--dest-tls-verify=false',
      `oci:${layout}:single`,
      `docker://${host()}/lab/app/single:1.0`,
    ]);
    const rawManifest = await skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${host()}/lab/app/single:1.0`,
    ]);
    expect(sha256Digest(rawManifest)).toBe(single.digest);
    expect(registry!.kind).toBe(kind);
  });

  it('pushes a multi-arch index with --all and keeps the index digest', async () => {
    await skopeo([
      'copy',
      '--all',
      '--dest-tls-verify=false',
      `oci:${layout}:multi`,
      `docker://${host()}/lab/app/multi:1.0`,
    ]);
    const rawIndex = await skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${host()}/lab/app/multi:1.0`,
    ]);
    expect(sha256Digest(rawIndex)).toBe(multi.digest);
    for (const child of multi.children!) {
      const rawChild = await skopeo([
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${host()}/lab/app/multi@${child.digest}`,
      ]);
      expect(sha256Digest(rawChild)).toBe(child.digest);
    }
  });

  it('lists tags and deletes', async () => {
    await skopeo([
      'copy',
      '--dest-tls-verify=false',
      `oci:${layout}:single`,
      `docker://${host()}/lab/app/single:2.0`,
    ]);
    const listed = JSON.parse(
      (
        await skopeo([
          'list-tags',
          '--tls-verify=false',
          `docker://${host()}/lab/app/single`,
        ])
      ).toString()
    ) as { Tags: string[] };
    expect([...listed.Tags].sort()).toEqual(['1.0', '2.0']);

    // skopeo resolves the tag and deletes the digest: every tag on it goes.
    await skopeo([
      'delete',
      '--tls-verify=false',
      `docker://${host()}/lab/app/single:1.0`,
    ]);
    const tags = await raw(
      'GET',
      `${registry!.url}/v2/lab/app/single/tags/list`
    );
    expect(tags.status).toBe(200);
    expect(JSON.parse(tags.body.toString())).toEqual({
      name: 'lab/app/single',
      tags: null,
    });
    const gone = await raw(
      'HEAD',
      `${registry!.url}/v2/lab/app/single/manifests/${single.digest}`,
      {
        accept: 'application/vnd.oci.image.manifest.v1+json',
      }
    );
    expect(gone.status).toBe(404);
    const catalog = await raw('GET', `${registry!.url}/v2/_catalog`);
    expect(JSON.parse(catalog.body.toString())).toEqual({
      repositories: ['lab/app/multi', 'lab/app/single'],
    });
    const unknown = await raw('GET', `${registry!.url}/v2/lab/nope/tags/list`);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'NAME_UNKNOWN']);
  });
});

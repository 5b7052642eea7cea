/**
 * Benchmark child: seeds the real docker-registry with the registry side of the data set, in
 * parallel with the lab's own seeding (which blocks the parent's event loop). One image per
 * repository (tiny-images.ts: one shared config and layer, a manifest of its own) under every
 * tag of the repository.
 *
 * The first repository is pushed over HTTP (blobs, then its manifest under every tag, at
 * `--concurrency`), which proves that the registry accepts the image; with `--data-dir` (the
 * registry's storage root) the other repositories are written as its filesystem driver writes
 * them (registry-files.ts), without it they are pushed too (about 90 PUT/s here: 100,000 tags
 * would take 20 minutes). Prints one result line.
 *
 * Usage: seed-registry-child --url <registry> --sizes <BenchSizes JSON> [--data-dir <root>]
 *          [--concurrency 8]
 */
import { parseArgs } from 'node:util';
import { LabOciClient } from '../../lab/registry/oci-client';
import { forEachLimited } from './limit';
import { RegistryFiles } from './registry-files';
import { printResult, type SeedResult } from './result-line';
import { registryRepos, registryTags, type BenchSizes } from './scenario';
import { TinyImages } from './tiny-images';

// More libuv threads than the default 4: the tag links are many small file writes.
process.env.UV_THREADPOOL_SIZE ??= '16';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      sizes: { type: 'string' },
      'data-dir': { type: 'string' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  if (!values.url || !values.sizes)
    throw new Error('usage: --url <registry> --sizes <json>');
  const sizes = JSON.parse(values.sizes) as BenchSizes;
  const concurrency = Number(values.concurrency);
  const client = new LabOciClient({ url: values.url });
  const started = performance.now();
  const tiny = new TinyImages();
  const repos = registryRepos(sizes).map((r) => ({
    name: r.name,
    image: tiny.image(r.name),
  }));
  const tags = registryTags(sizes);
  const [first] = repos;
  if (!first) throw new Error('no repositories to seed');
  const overHttp = values['data-dir'] === undefined ? repos : [first];
  let blobUploads = 0;
  for (const r of overHttp) {
    for (const [digest, bytes] of tiny.base.blobs) {
      await client.pushBlob(
        r.name,
        digest,
        bytes,
        r === first ? undefined : first.name
      );
      blobUploads++;
    }
  }
  const puts = overHttp.flatMap((r) => tags.map((tag) => ({ ...r, tag })));
  const digests: Record<string, string> = {};
  await forEachLimited(puts, concurrency, async (p) => {
    const digest = await client.pushManifest(
      p.name,
      p.tag,
      p.image.manifest,
      p.image.mediaType
    );
    if (digest !== p.image.digest)
      throw new Error(`${p.name}:${p.tag}: registry says ${digest}`);
    digests[p.name] = digest;
  });
  let fileTags = 0;
  const dataDir = values['data-dir'];
  if (dataDir !== undefined) {
    const files = new RegistryFiles(dataDir);
    const rest = repos.slice(1);
    for (const r of rest) {
      files.blob(r.image.digest, r.image.manifest);
      for (const digest of tiny.base.blobs.keys()) files.layer(r.name, digest);
      files.revision(r.name, r.image.digest);
      digests[r.name] = r.image.digest;
    }
    // Tag links: many at once (the file system's latency, not the CPU, bounds this).
    const links = rest.flatMap((r) => tags.map((tag) => ({ r, tag })));
    await forEachLimited(links, 64, (l) =>
      files.tag(l.r.name, l.tag, l.r.image.digest)
    );
    fileTags = links.length;
    // The registry serves what was written: the last repository's tags and one manifest.
    const last = repos[repos.length - 1] ?? first;
    const listed = await client.listTags(last.name);
    const head = await client.headManifest(
      last.name,
      tags[tags.length - 1] ?? ''
    );
    if (listed?.length !== tags.length || head?.digest !== last.image.digest)
      throw new Error(
        `${last.name}: the registry does not serve the written tags (${String(listed?.length)} listed, HEAD ${String(head?.digest)})`
      );
  }
  const out: SeedResult = {
    repositories: repos.length,
    blobUploads,
    manifestPuts: puts.length,
    fileTags,
    seconds: (performance.now() - started) / 1000,
    digests,
  };
  await client.close();
  printResult(out);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * Benchmark child: seeds the real docker-registry with the registry side of the data set, in
 * parallel with the lab's own seeding (which blocks the parent's event loop). Per repository:
 * its image's two blobs (monolithic POST + PUT each), then the same manifest PUT under every
 * tag; `--concurrency` requests in flight over one keep-alive client. Prints one result line.
 *
 * Usage: seed-registry-child --url <registry> --sizes <BenchSizes JSON> [--concurrency 8]
 */
import { parseArgs } from 'node:util';
import { buildImage } from '../../lab/registry/images';
import { LabOciClient } from '../../lab/registry/oci-client';
import { printResult, type SeedResult } from './result-line';
import { registryRepos, registryTags, type BenchSizes } from './scenario';
import { forEachLimited } from './limit';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      sizes: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  if (!values.url || !values.sizes)
    throw new Error('usage: --url <registry> --sizes <json>');
  const sizes = JSON.parse(values.sizes) as BenchSizes;
  const concurrency = Number(values.concurrency);
  const client = new LabOciClient({ url: values.url });
  const started = performance.now();
  const repos = registryRepos(sizes).map((r) => ({
    name: r.name,
    image: buildImage({ seed: r.name }),
  }));
  const blobs = repos.flatMap((r) =>
    [...r.image.blobs].map(([digest, bytes]) => ({
      repo: r.name,
      digest,
      bytes,
    }))
  );
  await forEachLimited(blobs, concurrency, (b) =>
    client.pushBlob(b.repo, b.digest, b.bytes)
  );
  const tags = registryTags(sizes);
  const puts = repos.flatMap((r) => tags.map((tag) => ({ ...r, tag })));
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
  const out: SeedResult = {
    repositories: repos.length,
    blobUploads: blobs.length,
    manifestPuts: puts.length,
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

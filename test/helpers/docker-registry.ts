import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';

/** The Debian package's binary (CNCF Distribution 2.8.2). */
export const DOCKER_REGISTRY_BIN = '/usr/bin/docker-registry';

/** A running docker-registry on 127.0.0.1. */
export interface RunningRegistry {
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

/** Options of a test registry. */
export interface RegistryOptions {
  /** Require HTTP Basic auth with this user (an htpasswd file of bcrypt hashes). */
  basicAuth?: { username: string; password: string };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    })
  );
  return port;
}

async function waitUntilUp(
  url: string,
  child: ChildProcess,
  log: () => string
): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) {
      throw new Error(
        `docker-registry exited with ${String(child.exitCode)}: ${log()}`
      );
    }
    try {
      const res = await fetch(`${url}/v2/`);
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error(
    `docker-registry did not answer on ${url} within 10 s: ${log()}`
  );
}

/**
 * Starts the real docker-registry on a free port with a temporary storage directory.
 * Fails (never skips) with an install hint when the binary is missing.
 */
export async function startDockerRegistry(
  opts: RegistryOptions = {}
): Promise<RunningRegistry> {
  if (!existsSync(DOCKER_REGISTRY_BIN)) {
    throw new Error(
      `${DOCKER_REGISTRY_BIN} is missing: these tests need the real CNCF Distribution registry. Install it with "apt-get install -y docker-registry".`
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'harbor-dr-registry-'));
  const port = await freePort();
  let auth = '';
  if (opts.basicAuth) {
    // bcryptjs writes `$2b$` hashes, which docker-registry's htpasswd (Go's bcrypt) accepts;
    // no htpasswd program (apache2-utils) is needed.
    const { username, password } = opts.basicAuth;
    await writeFile(
      join(dir, 'htpasswd'),
      `${username}:${hashSync(password, 5)}\n`
    );
    auth = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port.toString()}`,
    '  secret: harbor-dr-test-secret',
    auth,
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  const child = spawn(DOCKER_REGISTRY_BIN, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const url = `http://127.0.0.1:${port.toString()}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(url, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** The sha256 digest of some bytes. */
export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function check(res: Response, what: string): Promise<void> {
  if (!res.ok) {
    throw new Error(
      `${what}: HTTP ${res.status.toString()} ${await res.text()}`
    );
  }
  await res.arrayBuffer();
}

/** Uploads one blob (monolithic POST + PUT) and returns its descriptor. */
export async function pushBlob(
  registryUrl: string,
  repository: string,
  bytes: Buffer,
  mediaType: string,
  headers: Record<string, string> = {}
): Promise<{ mediaType: string; digest: string; size: number }> {
  const digest = sha256Digest(bytes);
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
    headers,
  });
  if (start.status !== 202) await check(start, 'start blob upload');
  await start.arrayBuffer();
  const location = new URL(start.headers.get('location') ?? '', registryUrl);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  await check(put, `upload blob ${digest}`);
  return { mediaType, digest, size: bytes.length };
}

/** PUTs a manifest under a tag (or its digest) and returns its digest and bytes. */
export async function pushManifest(
  registryUrl: string,
  repository: string,
  reference: string | undefined,
  manifest: unknown,
  mediaType: string,
  headers: Record<string, string> = {}
): Promise<{ digest: string; bytes: Buffer }> {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = sha256Digest(bytes);
  const res = await fetch(
    `${registryUrl}/v2/${repository}/manifests/${reference ?? digest}`,
    {
      method: 'PUT',
      headers: { ...headers, 'content-type': mediaType },
      body: bytes,
    }
  );
  await check(res, `put manifest ${repository}:${reference ?? digest}`);
  return { digest, bytes };
}

/** Pushes a one-layer OCI image (distinct per `variant`) and returns its manifest digest. */
export async function pushOciImage(
  registryUrl: string,
  repository: string,
  tag: string | undefined,
  variant: string,
  headers: Record<string, string> = {}
): Promise<{ digest: string; size: number }> {
  const layer = await pushBlob(
    registryUrl,
    repository,
    Buffer.from(`layer ${variant}`),
    'application/vnd.oci.image.layer.v1.tar',
    headers
  );
  const configJson = Buffer.from(
    JSON.stringify({
      architecture: variant,
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    })
  );
  const config = await pushBlob(
    registryUrl,
    repository,
    configJson,
    'application/vnd.oci.image.config.v1+json',
    headers
  );
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config,
    layers: [layer],
  };
  const pushed = await pushManifest(
    registryUrl,
    repository,
    tag,
    manifest,
    manifest.mediaType,
    headers
  );
  return { digest: pushed.digest, size: pushed.bytes.length };
}

/** Pushes two OCI images and an OCI index over them; returns every digest. */
export async function pushOciIndex(
  registryUrl: string,
  repository: string,
  tag: string,
  headers: Record<string, string> = {}
): Promise<{ digest: string; children: string[] }> {
  const amd64 = await pushOciImage(
    registryUrl,
    repository,
    undefined,
    'amd64',
    headers
  );
  const arm64 = await pushOciImage(
    registryUrl,
    repository,
    undefined,
    'arm64',
    headers
  );
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...amd64,
        platform: { architecture: 'amd64', os: 'linux' },
      },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...arm64,
        platform: { architecture: 'arm64', os: 'linux' },
      },
    ],
  };
  const pushed = await pushManifest(
    registryUrl,
    repository,
    tag,
    index,
    index.mediaType,
    headers
  );
  return { digest: pushed.digest, children: [amd64.digest, arm64.digest] };
}

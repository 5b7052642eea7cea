import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';
import type { PlainRegistry } from './plain-registry';
import { startMemoryRegistry } from './memory-registry';
import { createTokenIssuer } from './token';
import { startTokenServer } from './token-server';
import type { TokenServer } from './token-server';

export type { PlainRegistry } from './plain-registry';

/** Where Debian's `docker-registry` package installs CNCF Distribution. */
export const DISTRIBUTION_BINARY = '/usr/bin/docker-registry';

/** Options of {@link startDistributionRegistry}. */
export interface DistributionOptions {
  port?: number;
  auth?: 'none' | 'basic' | 'token';
  /** Storage root; default a fresh temp dir removed by stop(). */
  dataDir?: string;
  username?: string;
  password?: string;
  binary?: string;
  /** Seconds to wait for /v2/ to answer (default 15). */
  startTimeoutSeconds?: number;
}

/** A running real distribution; `token` is set with auth 'token' (realm + service). */
export type DistributionRegistry = PlainRegistry & {
  token?: { realm: string; service: string };
};

/** Throws a clear Error when the distribution binary is absent. */
export function requireDistributionBinary(binary = DISTRIBUTION_BINARY): void {
  if (!existsSync(binary)) {
    throw new Error(
      `docker-registry binary not found at ${binary}: install CNCF Distribution with ` +
        '`apt-get install -y docker-registry`'
    );
  }
}

/** The version the binary reports, e.g. `v2.8.2+unknown`. */
export function distributionVersion(
  binary = DISTRIBUTION_BINARY
): string | undefined {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return /v?\d+\.\d+\.\d+\S*/.exec(r.stdout)?.[0];
}

// A crashed test run must not leave registries behind: one exit hook kills them all.
const running = new Set<ChildProcess>();
let hooked = false;
function ensureExitHook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    srv.close(() => {
      resolve();
    })
  );
  return port;
}

/**
 * Starts the real /usr/bin/docker-registry with a generated config in a temp dir (storage delete
 * enabled, http.secret set, 127.0.0.1:<free port>), auth none | htpasswd basic | token (own token
 * endpoint, rootcertbundle from token.ts). Resolves once /v2/ answers.
 */
export async function startDistributionRegistry(
  opts: DistributionOptions = {}
): Promise<DistributionRegistry> {
  const binary = opts.binary ?? DISTRIBUTION_BINARY;
  requireDistributionBinary(binary);
  const authKind = opts.auth ?? 'none';
  const username = opts.username ?? 'admin';
  const password = opts.password ?? 'Harbor12345';
  const dir = mkdtempSync(join(tmpdir(), 'lab-distribution-'));
  const dataDir = opts.dataDir ?? join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  let tokenServer: TokenServer | undefined;
  try {
    let auth: Record<string, unknown> | undefined;
    if (authKind === 'basic') {
      const htpasswd = join(dir, 'htpasswd');
      writeFileSync(htpasswd, `${username}:${hashSync(password, 5)}\n`);
      auth = { htpasswd: { realm: 'basic-realm', path: htpasswd } };
    } else if (authKind === 'token') {
      const issuer = createTokenIssuer({ issuer: 'harbor-token-issuer' });
      const certFile = join(dir, 'token-cert.pem');
      writeFileSync(certFile, issuer.certPem);
      tokenServer = await startTokenServer({
        issuer,
        service: 'harbor-registry',
        users: { username, password },
      });
      auth = {
        token: {
          realm: tokenServer.realm,
          service: tokenServer.service,
          issuer: issuer.issuer,
          rootcertbundle: certFile,
        },
      };
    }
    const port = opts.port ?? (await freePort());
    // YAML is a superset of JSON, so the config is written as JSON.
    const config = {
      version: 0.1,
      log: { level: 'warn', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: dataDir },
        delete: { enabled: true },
        cache: { blobdescriptor: 'inmemory' },
      },
      http: { addr: `127.0.0.1:${port}`, secret: 'harbor-dr-lab-secret' },
      ...(auth ? { auth } : {}),
    };
    const configFile = join(dir, 'config.yml');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const child = spawn(binary, ['serve', configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      log = (log + chunk).slice(-4000);
    });
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      })
    );
    running.add(child);
    ensureExitHook();
    const url = `http://127.0.0.1:${port}`;
    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      running.delete(child);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      await tokenServer?.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await waitUntilUp(url, exited, (opts.startTimeoutSeconds ?? 15) * 1000);
    } catch (e) {
      await stop();
      throw new Error(
        `docker-registry did not start on ${url}: ${e instanceof Error ? e.message : String(e)}\n${log}`,
        { cause: e }
      );
    }
    return {
      url,
      kind: 'distribution',
      version: distributionVersion(binary),
      ...(authKind === 'none' ? {} : { username, password }),
      ...(tokenServer
        ? { token: { realm: tokenServer.realm, service: tokenServer.service } }
        : {}),
      stop,
    };
  } catch (e) {
    await tokenServer?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function waitUntilUp(
  url: string,
  exited: Promise<void>,
  timeoutMs: number
): Promise<void> {
  const state = { dead: false };
  void exited.then(() => {
    state.dead = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (state.dead) throw new Error('the process exited');
    try {
      const r = await fetch(`${url}/v2/`, {
        signal: AbortSignal.timeout(1000),
      });
      await r.arrayBuffer();
      if (r.status === 200 || r.status === 401) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`no answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Options of {@link startPlainRegistry}. */
export interface PlainRegistryOptions {
  auth?: 'none' | 'basic';
  username?: string;
  password?: string;
  /** Force one kind; default: distribution when its binary exists, else memory. */
  prefer?: 'distribution' | 'memory';
}

/**
 * A plain registry: the real docker-registry when /usr/bin/docker-registry exists, else the
 * in-memory one; `kind` says which.
 */
export async function startPlainRegistry(
  opts: PlainRegistryOptions = {}
): Promise<PlainRegistry> {
  const useReal =
    opts.prefer === 'distribution' ||
    (opts.prefer !== 'memory' && existsSync(DISTRIBUTION_BINARY));
  const common = {
    auth: opts.auth,
    username: opts.username,
    password: opts.password,
  };
  return useReal
    ? startDistributionRegistry(common)
    : startMemoryRegistry(common);
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PlainRegistry } from './plain-registry';
import { OciStore } from './store';
import { basicCredentials } from './token-server';
import type { V2Auth } from './v2-handler';
import { createV2Handler } from './v2-handler';

export type { PlainRegistry } from './plain-registry';

/** Options of {@link startMemoryRegistry}. */
export interface MemoryRegistryOptions {
  port?: number;
  auth?: 'none' | 'basic';
  username?: string;
  password?: string;
  /** Serve this store instead of a new one. */
  store?: OciStore;
}

/**
 * Starts an in-memory registry (the lab's /v2 handler, distribution 2.8 behaviour) on 127.0.0.1.
 * Blobs are linked per repository, like distribution.
 */
export async function startMemoryRegistry(
  opts: MemoryRegistryOptions = {}
): Promise<PlainRegistry & { store: OciStore }> {
  const store = opts.store ?? new OciStore({ linkBlobsPerRepository: true });
  const basic = opts.auth === 'basic';
  const username = opts.username ?? 'admin';
  const password = opts.password ?? 'Harbor12345';
  const auth: V2Auth | undefined = basic
    ? {
        authorize(req) {
          const c = basicCredentials(req);
          return c?.username === username && c.password === password
            ? 'ok'
            : { challenge: 'Basic realm="basic-realm"' };
        },
      }
    : undefined;
  const handler = createV2Handler(store, { auth });
  const server = createServer((req, res) => {
    handler(req, res).then(
      (handled) => {
        if (!handled) {
          res.statusCode = 404;
          res.end('404 page not found\n');
        }
      },
      () => res.destroy()
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    kind: 'memory',
    store,
    ...(basic ? { username, password } : {}),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

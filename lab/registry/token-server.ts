import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenIssuer } from './token';
import { parseScopes } from './token';

/** Who may get a token: fixed username/password (anonymous gets a token with no access). */
export interface TokenUsers {
  username: string;
  password: string;
}

/** A running token endpoint (`GET <realm>?service=&scope=`), distribution token-auth style. */
export interface TokenServer {
  realm: string;
  service: string;
  stop(): Promise<void>;
}

/** Credentials from a Basic Authorization header, if any. */
export function basicCredentials(
  req: IncomingMessage
): { username: string; password: string } | undefined {
  const h = req.headers.authorization;
  if (!h?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/**
 * Starts a token endpoint on 127.0.0.1 at `/service/token` (like Harbor): valid Basic credentials
 * get every requested action; anonymous requests get a token with no access; wrong credentials 401.
 */
export async function startTokenServer(opts: {
  issuer: TokenIssuer;
  service?: string;
  users: TokenUsers;
  port?: number;
}): Promise<TokenServer> {
  const service = opts.service ?? 'harbor-registry';
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    if (url.pathname !== '/service/token' || req.method !== 'GET') {
      res.statusCode = 404;
      res.end();
      return;
    }
    const creds = basicCredentials(req);
    const valid =
      creds?.username === opts.users.username &&
      creds.password === opts.users.password;
    if (creds && !valid) {
      res.statusCode = 401;
      res.setHeader('WWW-Authenticate', 'Basic realm="token"');
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          errors: [{ code: 'UNAUTHORIZED', message: 'invalid credentials' }],
        })
      );
      return;
    }
    const access = valid ? parseScopes(url.searchParams.getAll('scope')) : [];
    const body = opts.issuer.issue(creds?.username ?? '', access, service);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/service/token`,
    service,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

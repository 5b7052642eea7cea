/**
 * "Another host": a server on 127.0.0.2 (loopback, a different host than the registries'
 * 127.0.0.1) where foreign token realms and foreign Link URLs point. It answers 401 to
 * everything and records what it was sent: any credential that reaches it has left the
 * target's origin (a leak).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that reached the foreign host. */
export interface ForeignVisit {
  path: string;
  authorization?: string;
}

export class ForeignHost {
  url = '';
  visits: ForeignVisit[] = [];
  private server: Server | undefined;

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const authorization = req.headers.authorization;
      this.visits.push({
        path: req.url ?? '/',
        ...(authorization !== undefined ? { authorization } : {}),
      });
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"foreign host"}]}');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.2', resolve);
    });
    this.server = server;
    this.url = `http://127.0.0.2:${(server.address() as AddressInfo).port.toString()}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      })
    );
  }
}

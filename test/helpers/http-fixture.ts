import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fixture saw it. */
export interface SeenRequest {
  method: string;
  /** Raw path + query, exactly as sent. */
  url: string;
  headers: IncomingMessage['headers'];
}

/** A local HTTP server for adapter tests. */
export interface HttpFixture {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Handles one request; `url` is the raw path + query. */
export type FixtureHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: string
) => void | Promise<void>;

/**
 * Starts a node:http server on 127.0.0.1 with a random port. Every request is recorded;
 * unhandled exceptions answer 500. close() also drops idle keep-alive sockets.
 */
export async function startHttpFixture(
  handler: FixtureHandler
): Promise<HttpFixture> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', url, headers: req.headers });
    // Drain the request body before answering.
    req.resume();
    Promise.resolve(handler(req, res, url)).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  server.keepAliveTimeout = 10;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port.toString()}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        });
      }),
  };
}

/** Sends a JSON body with extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text).toString(),
    ...headers,
  });
  res.end(text);
}

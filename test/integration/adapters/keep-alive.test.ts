import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';

// An audit is mostly manifest HEADs: each must reuse a kept-alive connection, not open one.
describe('HTTP client keep-alive', () => {
  let server: Server;
  let connections = 0;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, {
        'docker-content-digest': 'sha256:00',
        'content-length': '0',
      });
      res.end();
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve)
    );
    url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(['HEAD', 'GET'] as const)(
    'sends 50 sequential %s requests over one connection',
    async (method) => {
      const client = createHttpClient({
        service: 'fixture',
        baseUrl: url,
        connections: 1,
        keepAliveTimeoutMs: 10_000,
      });
      connections = 0;

      for (let i = 0; i < 50; i++)
        await client.request({
          method,
          path: `/v2/app/manifests/t${String(i)}`,
        });
      await client.close();

      expect(connections).toBe(1);
    }
  );
});

import {
  AuthError,
  UpstreamHttpError,
  UpstreamSchemaError,
} from '../../../lambdas/core/errors';
import { HarborReplicationClient } from '../../../lambdas/adapters/harbor/replication-client';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import { Credentials } from '../../../lambdas/adapters/secrets/credentials';
import { sendJson, startHttpFixture } from '../../helpers/http-fixture';
import type { FixtureHandler, HttpFixture } from '../../helpers/http-fixture';

// The replication client against a local node:http server: the exact requests it sends,
// which of them the HTTP client retries (GET only), and how Harbor's answers map.

const OPERATOR = new Credentials('robot$dr-operator', 'operator-secret');
const BASIC = `Basic ${Buffer.from(`${OPERATOR.username}:${OPERATOR.password}`).toString('base64')}`;
const PREFIX = '/harbor/api/v2.0';

function execution(id: number, startTime: string, status = 'Succeed') {
  return {
    id,
    policy_id: 7,
    status,
    status_text: '',
    trigger: 'manual',
    start_time: startTime,
    end_time: '0001-01-01T00:00:00Z',
    total: 1,
    failed: 0,
    succeed: 1,
    in_progress: 0,
    stopped: 0,
  };
}

function task(id: number, status = 'Failed') {
  return {
    id,
    execution_id: 40,
    status,
    operation: 'copy',
    src_resource: 'app/a [1 item(s) in total]',
    dst_resource: 'app/a',
  };
}

describe('HarborReplicationClient', () => {
  const clients: HttpClient[] = [];
  const servers: HttpFixture[] = [];
  const start = async (
    handler: FixtureHandler,
    opts: { pageSize?: number; maxPages?: number } = {}
  ): Promise<{ server: HttpFixture; client: HarborReplicationClient }> => {
    const server = await startHttpFixture(handler);
    servers.push(server);
    const http = createHttpClient({
      service: 'harbor-primary',
      baseUrl: server.url,
      keepAliveTimeoutMs: 10,
      retry: {
        maxRetries: 3,
        minDelayMs: 5,
        maxDelayMs: 20,
        maxRetryAfterMs: 1_500,
      },
    });
    clients.push(http);
    return {
      server,
      client: new HarborReplicationClient({
        http,
        baseUrl: `${server.url}/harbor/`,
        credentials: OPERATOR,
        ...opts,
      }),
    };
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('lists executions newest first by page number and stops paging at `since`', async () => {
    // Arrange
    const rows = [
      execution(5, '2026-11-29T11:00:00Z'),
      execution(4, '2026-11-29T10:00:00Z'),
      execution(3, '2026-11-29T09:00:00Z'),
      execution(2, '2026-11-28T09:00:00Z'),
      execution(1, '2026-11-27T09:00:00Z'),
    ];
    const { server, client } = await start(
      (_req, res, url) => {
        const u = new URL(url, 'http://h.invalid');
        const page = Number(u.searchParams.get('page'));
        sendJson(res, 200, rows.slice((page - 1) * 2, page * 2), {
          'x-total-count': String(rows.length),
        });
      },
      { pageSize: 2 }
    );

    // Act
    const listed = await client.listExecutions(7, {
      since: new Date('2026-11-29T09:30:00Z'),
      status: 'Succeed',
    });

    // Assert
    // The page that reaches `since` is kept whole; no later page is read.
    expect(listed.map((e) => e.id)).toEqual([5, 4, 3, 2]);
    expect(listed[0]).toEqual({
      id: 5,
      policyId: 7,
      status: 'Succeed',
      statusText: '',
      trigger: 'manual',
      startTime: '2026-11-29T11:00:00.000Z',
      total: 1,
      failed: 0,
      succeed: 1,
      inProgress: 0,
      stopped: 0,
    });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${PREFIX}/replication/executions?policy_id=7&sort=-start_time%2C-id&page=1&page_size=2&status=Succeed`,
      `GET ${PREFIX}/replication/executions?policy_id=7&sort=-start_time%2C-id&page=2&page_size=2&status=Succeed`,
    ]);
    for (const r of server.requests) {
      expect(r.headers.accept).toBe('application/json');
      expect(r.headers.authorization).toBe(BASIC);
    }
  });

  it('reads at most `limit` executions with a page that size', async () => {
    const { server, client } = await start((_req, res) => {
      sendJson(res, 200, [execution(9, '2026-11-29T11:00:00Z')]);
    });

    const listed = await client.listExecutions(7, {
      trigger: 'scheduled',
      limit: 1,
    });

    expect(listed.map((e) => e.id)).toEqual([9]);
    expect(server.requests.map((r) => r.url)).toEqual([
      `${PREFIX}/replication/executions?policy_id=7&sort=-start_time%2C-id&page=1&page_size=1&trigger=scheduled`,
    ]);
  });

  it('pages tasks up to maxPages, de-duplicating shifted rows', async () => {
    const pages = [
      [task(1), task(2)],
      [task(2), task(3)],
      [task(4), task(5)],
    ];
    const { server, client } = await start(
      (_req, res, url) => {
        const page = Number(
          new URL(url, 'http://h.invalid').searchParams.get('page')
        );
        sendJson(res, 200, pages[page - 1] ?? [], { 'x-total-count': '9' });
      },
      { pageSize: 2, maxPages: 2 }
    );

    const tasks = await client.listTasks(40, 'Failed');

    expect(tasks.map((t) => t.id)).toEqual([1, 2, 3]);
    expect(tasks[0]).toEqual({
      id: 1,
      executionId: 40,
      status: 'Failed',
      operation: 'copy',
      srcResource: 'app/a [1 item(s) in total]',
      dstResource: 'app/a',
    });
    expect(server.requests.map((r) => r.url)).toEqual([
      `${PREFIX}/replication/executions/40/tasks?sort=id&page=1&page_size=2&status=Failed`,
      `${PREFIX}/replication/executions/40/tasks?sort=id&page=2&page_size=2&status=Failed`,
    ]);
  });

  it('reads a task log as plain text and retries a GET after a 503', async () => {
    let calls = 0;
    const { server, client } = await start((_req, res) => {
      calls += 1;
      if (calls === 1) {
        sendJson(res, 503, { errors: [{ code: 'UNAVAILABLE' }] });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('[INFO] start\n[ERROR] copy failed\n');
    });

    const log = await client.getTaskLog(40, 2);

    expect(log).toBe('[INFO] start\n[ERROR] copy failed\n');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.url).toBe(
      `${PREFIX}/replication/executions/40/tasks/2/log`
    );
    expect(server.requests[1]?.headers.accept).toBe('text/plain');
    expect(server.requests[1]?.headers.authorization).toBe(BASIC);
  });

  it('maps a 401 read to AuthError and a drifted body to UpstreamSchemaError', async () => {
    const { client } = await start((_req, res, url) => {
      if (url.endsWith('/executions/1')) sendJson(res, 401, {});
      else sendJson(res, 200, { id: 'two', status: 'Done' });
    });

    await expect(client.getExecution(1)).rejects.toBeInstanceOf(AuthError);
    await expect(client.getExecution(2)).rejects.toBeInstanceOf(
      UpstreamSchemaError
    );
  });

  it('starts an execution with one POST and reads its id from Location', async () => {
    const { server, client } = await start((_req, res) => {
      res.writeHead(201, {
        location: `${PREFIX}/replication/executions/41`,
        'content-length': '0',
      });
      res.end();
    });

    await expect(client.startExecution(7)).resolves.toEqual({
      outcome: 'started',
      executionId: 41,
    });
    expect(server.requests).toHaveLength(1);
    const [post] = server.requests;
    expect(post?.method).toBe('POST');
    expect(post?.url).toBe(`${PREFIX}/replication/executions`);
    expect(post?.headers.accept).toBe('application/json');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(post?.headers.authorization).toBe(BASIC);
  });

  it('never retries a POST or a PUT that failed with a 503', async () => {
    const { server, client } = await start((_req, res) => {
      sendJson(res, 503, {});
    });

    await expect(client.startExecution(7)).rejects.toBeInstanceOf(
      UpstreamHttpError
    );
    await expect(client.stopExecution(40)).rejects.toBeInstanceOf(
      UpstreamHttpError
    );
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'PUT']);
  });

  it('reports a 403 as permission-denied and a 412 as rejected, with Harbor’s message', async () => {
    const { server, client } = await start((req, res) => {
      if (req.method === 'POST') {
        sendJson(res, 403, {
          errors: [{ code: 'FORBIDDEN', message: 'forbidden' }],
        });
      } else {
        sendJson(res, 412, {
          errors: [{ code: 'PRECONDITION', message: 'not running' }],
        });
      }
    });

    await expect(client.startExecution(7)).resolves.toEqual({
      outcome: 'permission-denied',
      detail: 'HTTP 403 FORBIDDEN forbidden',
    });
    await expect(client.stopExecution(40)).resolves.toEqual({
      outcome: 'rejected',
      status: 412,
      detail: 'HTTP 412 PRECONDITION not running',
    });
    const put = server.requests[1];
    expect(put?.method).toBe('PUT');
    expect(put?.url).toBe(`${PREFIX}/replication/executions/40`);
    expect(put?.headers['content-type']).toBeUndefined();
    expect(put?.headers.authorization).toBe(BASIC);
  });

  it('rejects a Location that names no execution', async () => {
    const { client } = await start((_req, res) => {
      res.writeHead(201, { location: '/elsewhere', 'content-length': '0' });
      res.end();
    });

    await expect(client.startExecution(7)).rejects.toBeInstanceOf(
      UpstreamSchemaError
    );
  });
});

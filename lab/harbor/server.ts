import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { OciStore } from '../registry/store';
import { createTokenIssuer, parseScopes } from '../registry/token';
import { createV2Handler } from '../registry/v2-handler';
import { registerArtifacts } from './api/artifacts';
import { registerGovernance } from './api/governance';
import { registerProjects } from './api/projects';
import { registerReplication } from './api/replication';
import { registerSystem } from './api/system';
import {
  authenticate,
  parseBasic,
  principalOf,
  type Principal,
} from './auth/principal';
import { LabClock } from './clock';
import { FaultRegistry, type ActiveFault } from './faults';
import { HarborError, badRequest } from './http/harbor-error';
import { Router, type Reply } from './http/router';
import {
  grantScopes,
  harborV2Auth,
  HARBOR_SERVICE,
} from './registry/harbor-v2-auth';
import { ReplicationEngine } from './replication/engine';
import {
  doublestarVersionOf,
  NEWEST_HARBOR_VERSION,
} from './replication/pattern';
import type { HarborRuntime } from './runtime';
import { HarborState } from './state/harbor-state';

/** Options of {@link startHarbor}. */
export interface HarborOptions {
  /** A name for logs and the Local registry description. */
  name?: string;
  port?: number;
  admin?: { username: string; password: string };
  /** Share one clock between the Harbors of a lab. */
  clock?: LabClock;
  /**
   * The Harbor release emulated (`v2.10.1`): systeminfo reports it as `harbor_version` and
   * replication filters match with the doublestar that release links. Default: the newest.
   */
  version?: string;
}

/** A running emulated Harbor. */
export interface LabHarbor {
  name: string;
  url: string;
  admin: { username: string; password: string };
  state: HarborState;
  store: OciStore;
  clock: LabClock;
  faults: FaultRegistry;
  replication: ReplicationEngine;
  /** Resolves when no replication flow runs and no push event waits (stuck executions excepted). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const MAX_BODY = 10 * 1024 * 1024;
const API_PREFIX = '/api/v2.0';

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw badRequest('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

// Writes half of what the handler produces (with the full Content-Length) and cuts the connection.
function truncateResponse(res: ServerResponse): void {
  const origWrite = res.write.bind(res);
  const parts: Buffer[] = [];
  res.write = ((chunk: unknown) => {
    if (chunk !== undefined && chunk !== null)
      parts.push(Buffer.from(chunk as string));
    return true;
  }) as typeof res.write;
  res.end = ((chunk?: unknown) => {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function')
      parts.push(Buffer.from(chunk as string));
    const all = Buffer.concat(parts);
    if (!res.headersSent) res.setHeader('Content-Length', String(all.length));
    origWrite(all.subarray(0, Math.floor(all.length / 2)));
    setImmediate(() => res.socket?.destroy());
    return res;
  }) as typeof res.end;
}

/** Starts an emulated Harbor (REST API v2.0, /v2 with token auth, replication) on 127.0.0.1. */
export async function startHarbor(
  opts: HarborOptions = {}
): Promise<LabHarbor> {
  const name = opts.name ?? 'harbor';
  const admin = opts.admin ?? { username: 'admin', password: 'Harbor12345' };
  const clock = opts.clock ?? new LabClock();
  const store = new OciStore();
  const state = new HarborState(store, clock, admin);
  const faults = new FaultRegistry();
  const version = opts.version ?? NEWEST_HARBOR_VERSION;
  const replication = new ReplicationEngine(
    state,
    store,
    clock,
    faults,
    doublestarVersionOf(version)
  );
  const issuer = createTokenIssuer({
    issuer: 'harbor-token-issuer',
    lifetimeSeconds: 1800,
  });
  let baseUrl = '';
  const rt: HarborRuntime = {
    name,
    state,
    store,
    clock,
    version,
    externalUrl: () => baseUrl,
    replication,
  };
  const router = new Router();
  registerSystem(router, rt);
  registerProjects(router, rt);
  registerArtifacts(router, rt);
  registerReplication(router, rt);
  registerGovernance(router, rt);
  const v2 = createV2Handler(store, {
    auth: harborV2Auth(state, issuer, () => baseUrl),
    paginateTags: true,
  });

  const sendJson = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {}
  ) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  };
  const sendReply = (res: ServerResponse, method: string, reply: Reply) => {
    const headers = reply.headers ?? {};
    if (reply.text !== undefined) {
      res.writeHead(reply.status, {
        ...headers,
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(reply.text)),
      });
      res.end(method === 'HEAD' ? undefined : reply.text);
      return;
    }
    if (reply.body === undefined) {
      res.writeHead(reply.status, { ...headers, 'Content-Length': '0' });
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
    });
    res.end(method === 'HEAD' ? undefined : text);
  };
  const sendError = (res: ServerResponse, err: unknown) => {
    const e =
      err instanceof HarborError
        ? err
        : new HarborError(
            500,
            'UNKNOWN',
            err instanceof Error ? err.message : String(err)
          );
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(
      res,
      e.status,
      { errors: [{ code: e.code, message: e.message }] },
      e.headers
    );
  };

  const shiftTagAfterList = (path: string) => {
    const m =
      /^\/api\/v2\.0\/projects\/([^/]+)\/repositories\/([^/]+)\/artifacts$/.exec(
        path
      );
    if (!m?.[1] || !m[2]) return;
    const repository = `${decodeURIComponent(m[1])}/${decodeURIComponent(decodeURIComponent(m[2]))}`;
    const f = faults.takeShift(repository);
    if (!f) return;
    const target = store.getManifest(repository, f.to);
    if (target)
      store.putManifest(repository, f.tag, target.bytes, target.mediaType);
  };

  // Harbor updates pull_time (artifact and tag) and the repository pull_count on manifest GETs.
  const recordPull = (path: string) => {
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (!m?.[1] || !m[2]) return;
    const repo = state.repoByName(m[1]);
    const ref = decodeURIComponent(m[2]);
    const a = repo && state.artifactByRef(repo.id, ref);
    if (!repo || !a) return;
    const now = clock.now();
    a.pullTime = now;
    repo.pullCount += 1;
    if (!ref.includes(':')) {
      const t = state.tagByName(repo.id, ref);
      if (t) t.pullTime = now;
    }
  };

  const labAdmin = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL
  ) => {
    const path = url.pathname;
    if (path === '/lab/faults' && req.method === 'GET') {
      sendJson(res, 200, faults.list());
      return;
    }
    if (path === '/lab/faults' && req.method === 'DELETE') {
      faults.clear();
      sendJson(res, 200, {});
      return;
    }
    if (path === '/lab/faults' && req.method === 'POST') {
      const ids = faults.add(
        JSON.parse((await readBody(req)).toString('utf8') || '{}')
      );
      sendJson(res, 201, { ids });
      return;
    }
    if (path === '/lab/clock' && req.method === 'POST') {
      const body = JSON.parse(
        (await readBody(req)).toString('utf8') || '{}'
      ) as { advanceSeconds?: number };
      const now = clock.advance((body.advanceSeconds ?? 0) * 1000);
      sendJson(res, 200, { now: now.toISOString() });
      return;
    }
    if (path === '/lab/clock' && req.method === 'GET') {
      sendJson(res, 200, { now: clock.now().toISOString() });
      return;
    }
    if (path === '/lab/idle' && req.method === 'POST') {
      await replication.idle();
      sendJson(res, 200, {});
      return;
    }
    throw new HarborError(404, 'NOT_FOUND', 'unknown lab endpoint');
  };

  const tokenService = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL
  ) => {
    const creds = parseBasic(req.headers.authorization);
    let p: Principal = { kind: 'anonymous' };
    if (creds) {
      const found = authenticate(state, creds);
      if (!found) {
        res.setHeader('WWW-Authenticate', 'Basic realm="harbor"');
        sendJson(res, 401, {
          errors: [
            { code: 'UNAUTHORIZED', message: 'authentication required' },
          ],
        });
        return;
      }
      p = found;
    }
    const granted = grantScopes(
      state,
      p,
      parseScopes(url.searchParams.getAll('scope'))
    );
    const subject =
      p.kind === 'user'
        ? p.user.username
        : p.kind === 'robot'
          ? p.robot.name
          : '';
    const tok = issuer.issue(
      subject,
      granted,
      url.searchParams.get('service') ?? HARBOR_SERVICE
    );
    sendJson(res, 200, {
      token: tok.token,
      access_token: tok.token,
      expires_in: tok.expires_in,
      issued_at: tok.issued_at,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('X-Request-Id', randomUUID());
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const method = req.method ?? 'GET';
    try {
      if (url.pathname.startsWith('/lab/')) {
        await labAdmin(req, res, url);
        return;
      }
      const fault: ActiveFault | undefined = faults.takeHttp(
        method,
        `${url.pathname}${url.search}`
      );
      if (fault?.kind === 'status') {
        const headers: Record<string, string> =
          fault.retryAfter !== undefined
            ? { 'Retry-After': String(fault.retryAfter) }
            : {};
        const code =
          fault.status === 429
            ? 'TOOMANYREQUESTS'
            : fault.status === 503
              ? 'SERVICE_UNAVAILABLE'
              : 'UNKNOWN';
        sendJson(
          res,
          fault.status,
          { errors: [{ code, message: fault.message ?? 'injected fault' }] },
          headers
        );
        return;
      }
      if (fault?.kind === 'timeout') {
        await new Promise((r) => setTimeout(r, fault.ms).unref());
        res.socket?.destroy();
        return;
      }
      if (fault?.kind === 'truncate') truncateResponse(res);
      if (url.pathname === '/service/token' && method === 'GET') {
        tokenService(req, res, url);
        return;
      }
      if (await v2(req, res)) {
        if (method === 'GET' && res.statusCode === 200)
          recordPull(url.pathname);
        return;
      }
      if (
        url.pathname !== API_PREFIX &&
        !url.pathname.startsWith(`${API_PREFIX}/`)
      ) {
        throw new HarborError(404, 'NOT_FOUND', `${url.pathname} not found`);
      }
      const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
      const { handler, params } = router.match(
        method,
        rawPath.slice(API_PREFIX.length)
      );
      let bodyCache: Promise<unknown> | undefined;
      const reply = await handler({
        req,
        url,
        params,
        principal: principalOf(state, req),
        body: () =>
          (bodyCache ??= readBody(req).then((b) => {
            if (b.length === 0) return undefined;
            try {
              return JSON.parse(b.toString('utf8')) as unknown;
            } catch {
              throw badRequest('invalid JSON in request body');
            }
          })),
      });
      sendReply(res, method, reply);
      if (method === 'GET') shiftTagAfterList(url.pathname);
    } catch (err) {
      sendError(res, err);
    }
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name,
    url: baseUrl,
    admin,
    state,
    store,
    clock,
    faults,
    replication,
    idle: () => replication.idle(),
    stop: async () => {
      replication.close();
      await replication.idle().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        })
      );
    },
  };
}

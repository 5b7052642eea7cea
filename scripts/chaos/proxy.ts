/**
 * A fault-injecting reverse proxy (node:http, 127.0.0.1 only) in front of one lab upstream.
 *
 * Always, as a well-configured reverse proxy would: token realms and absolute Link URLs name
 * the proxy, not the upstream; registry pages are capped at {@link REGISTRY_PAGE} rows (the
 * distribution spec lets a registry return fewer than `n`), so that tag lists page.
 * Per run: the faults of {@link FaultSpec}, and a record of every request with what was
 * changed, and every Bearer token seen (secrets that must never be printed).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import type { FaultSpec, RequestClass } from './faults';

/** Rows per registry page (the proxy lowers a larger `n`). */
export const REGISTRY_PAGE = 40;
/** A body larger than the product's 64 MiB response limit. */
const OVERSIZED_BYTES = 66 * 1024 * 1024;

/** One request the proxy served. */
export interface ProxyRecord {
  upstream: string;
  method: string;
  path: string;
  cls: RequestClass;
  status: number;
  rows?: number;
  hasNext?: boolean;
  page?: number;
  bearer?: boolean;
  /** The faults that changed this response, with what they did. */
  faults: { id: number; kind: string; effect: string }[];
}

/** Where a foreign token realm lives (another host: 127.0.0.2). */
export interface ForeignHost {
  url: string;
}

/** Every upstream URL → its proxy URL: JSON bodies of the primary name the proxies. */
export type UrlMap = ReadonlyMap<string, string>;

/** The class of a request, by method and path. */
export function classify(method: string, path: string): RequestClass {
  const p = path.split('?')[0] ?? path;
  if (p.startsWith('/api/v2.0/')) {
    if (method !== 'GET') return 'other';
    return /[?&]page=/.test(path) ? 'harbor-list' : 'harbor-get';
  }
  if (p === '/service/token' || p === '/token') return 'token';
  if (p === '/v2/' || p === '/v2') return 'v2-ping';
  if (p === '/v2/_catalog') return 'catalog';
  if (/^\/v2\/.+\/tags\/list$/.test(p)) return 'tags-list';
  if (/^\/v2\/.+\/manifests\/[^/]+$/.test(p))
    return method === 'HEAD' ? 'manifest-head' : 'manifest-get';
  if (/^\/v2\/.+\/blobs\//.test(p)) return 'blob';
  return 'other';
}

function pageOf(path: string): number | undefined {
  const m = /[?&]page=(\d+)/.exec(path);
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/** The list key of a Harbor list request: its path and query less the page, in a fixed order. */
function listKey(path: string): string {
  const url = new URL(path, 'http://list.invalid');
  url.searchParams.delete('page');
  url.searchParams.sort();
  return `${url.pathname}?${url.searchParams.toString()}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The rows of a JSON list body (Harbor array, `tags`, `repositories`), if it is one. */
function rowsOf(cls: RequestClass, body: Buffer): unknown[] | undefined {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    if (Array.isArray(json)) return json as unknown[];
    if (cls === 'tags-list' && json && typeof json === 'object') {
      const tags = (json as { tags?: unknown }).tags;
      return Array.isArray(tags) ? tags : undefined;
    }
    if (cls === 'catalog' && json && typeof json === 'object') {
      const repos = (json as { repositories?: unknown }).repositories;
      return Array.isArray(repos) ? repos : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function withRows(cls: RequestClass, body: Buffer, rows: unknown[]): Buffer {
  if (cls === 'harbor-list') return Buffer.from(JSON.stringify(rows));
  const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  json[cls === 'tags-list' ? 'tags' : 'repositories'] = rows;
  return Buffer.from(JSON.stringify(json));
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A fault-injecting proxy in front of one upstream. */
export class ChaosProxy {
  url = '';
  private server: Server | undefined;
  private faults: FaultSpec[] = [];
  private readonly fired = new Map<number, number>();
  /** Requests of this run. */
  records: ProxyRecord[] = [];
  /** Bearer tokens sent by the client or issued by the upstream (secrets). */
  readonly tokens = new Set<string>();
  /** Tokens that a `token-expired` fault has expired. */
  private readonly expired = new Set<string>();
  private readonly lastPage = new Map<string, unknown[]>();
  private requestsSeen = 0;
  private bearerSeen = 0;
  private readonly sockets = new Set<Socket>();
  private urlMap: UrlMap = new Map();

  /** Token mode: tokens this proxy issued (they stand for the upstream's Basic credentials). */
  private readonly issued = new Set<string>();

  constructor(
    readonly name: string,
    private readonly upstreamUrl: string,
    private readonly foreign: ForeignHost,
    /**
     * Token mode: the proxy fronts a Basic-auth registry as a token-auth one (like Harbor's
     * /v2 or Docker Hub): /v2 wants a Bearer token from the proxy's own realm (/token, Basic
     * credentials), and requests with a good token go upstream with the Basic credentials.
     */
    private readonly tokenAuth?: { username: string; password: string }
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        res.destroy();
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve)
    );
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port.toString()}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      })
    );
  }

  /** The lab URLs to replace by proxy URLs in bodies (the primary's registry endpoints). */
  setUrlMap(map: UrlMap): void {
    this.urlMap = map;
  }

  /** Starts a run: these faults, an empty record. */
  begin(faults: readonly FaultSpec[]): void {
    this.faults = faults.filter((f) => f.upstream === this.name);
    this.fired.clear();
    this.records = [];
    this.expired.clear();
    this.lastPage.clear();
    this.requestsSeen = 0;
    this.bearerSeen = 0;
  }

  /** How often each fault (by id) changed a response in this run. */
  firedCounts(): Map<number, number> {
    return new Map(this.fired);
  }

  /** Drops the client's connections (between runs: no keep-alive state carries over). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  private active(method: string, path: string): FaultSpec[] {
    return this.faults.filter((f) => {
      if (f.path === undefined) return false;
      if (f.method !== method || f.path !== path) return false;
      return f.persistent || (this.fired.get(f.id) ?? 0) === 0;
    });
  }

  private fire(rec: ProxyRecord, f: FaultSpec, effect: string): void {
    this.fired.set(f.id, (this.fired.get(f.id) ?? 0) + 1);
    rec.faults.push({ id: f.id, kind: f.kind, effect });
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const cls = classify(method, path);
    const auth = headerText(req.headers.authorization);
    const bearer = auth?.toLowerCase().startsWith('bearer ') === true;
    const rec: ProxyRecord = {
      upstream: this.name,
      method,
      path,
      cls,
      status: 0,
      faults: [],
      ...(bearer ? { bearer: true } : {}),
      ...(pageOf(path) !== undefined ? { page: pageOf(path) } : {}),
    };
    this.records.push(rec);
    const index = this.requestsSeen++;
    const reqBody = await readAll(req);
    if (bearer && auth) this.tokens.add(auth.slice(7).trim());

    // Upstream-wide auth faults.
    for (const f of this.faults) {
      if (
        f.kind === 'foreign-realm' &&
        path.startsWith('/v2') &&
        index >= (f.after ?? 0)
      ) {
        this.fire(rec, f, `401 with a token realm on ${this.foreign.url}`);
        this.send(
          res,
          rec,
          401,
          {
            'www-authenticate': `Bearer realm="${this.foreign.url}/token",service="chaos-foreign"`,
            'content-type': 'application/json',
          },
          Buffer.from(
            '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
          )
        );
        return;
      }
    }
    if (bearer && auth) {
      const token = auth.slice(7).trim();
      const bearerIndex = this.bearerSeen++;
      for (const f of this.faults) {
        if (f.kind !== 'token-expired') continue;
        if (bearerIndex === (f.after ?? 0) && !this.expired.has(token)) {
          // Every token issued so far expires now; new ones are good.
          for (const t of this.tokens) this.expired.add(t);
        }
      }
      const f = this.faults.find((x) => x.kind === 'token-expired');
      if (f && this.expired.has(token)) {
        this.fire(rec, f, 'the token expired');
        const challenge = this.tokenAuth
          ? this.challengeFor(path)
          : this.rewrite(
              headerText(
                (await this.forward(req, 'GET', '/v2/', undefined, {}, true))
                  .headers['www-authenticate']
              ) ?? ''
            );
        this.send(
          res,
          rec,
          401,
          {
            'www-authenticate':
              challenge.replace(/,error="[^"]*"/, '') +
              ',error="invalid_token"',
            'content-type': 'application/json',
          },
          Buffer.from(
            '{"errors":[{"code":"UNAUTHORIZED","message":"token expired"}]}'
          )
        );
        return;
      }
    }

    let upstreamAuth: Record<string, string> = {};
    if (this.tokenAuth && path.startsWith('/v2')) {
      const token = bearer && auth ? auth.slice(7).trim() : undefined;
      if (token === undefined || !this.issued.has(token)) {
        this.send(
          res,
          rec,
          401,
          {
            'www-authenticate': this.challengeFor(path),
            'content-type': 'application/json',
          },
          Buffer.from(
            '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
          )
        );
        return;
      }
      upstreamAuth = {
        authorization: `Basic ${Buffer.from(`${this.tokenAuth.username}:${this.tokenAuth.password}`).toString('base64')}`,
      };
    }

    const faults = this.active(method, path);
    // Faults decided before the upstream is asked.
    for (const f of faults) {
      if (f.status !== undefined) {
        this.fire(
          rec,
          f,
          `status ${f.status.toString()}${f.retryAfter !== undefined ? ` Retry-After ${f.retryAfter.toString()}` : ''}`
        );
        this.send(
          res,
          rec,
          f.status,
          {
            'content-type': 'application/json',
            ...(f.retryAfter !== undefined
              ? { 'retry-after': String(f.retryAfter) }
              : {}),
            ...(f.status === 401
              ? { 'www-authenticate': 'Basic realm="chaos"' }
              : {}),
          },
          Buffer.from(
            `{"errors":[{"code":"CHAOS","message":"injected ${f.status.toString()}"}]}`
          )
        );
        return;
      }
      if (f.kind === 'reset') {
        this.fire(rec, f, 'connection reset');
        rec.status = -1;
        req.socket.destroy();
        return;
      }
      if (f.kind === 'stall') {
        this.fire(rec, f, `stalled ${String(f.ms)} ms`);
        await sleep(f.ms ?? 0);
        if (req.socket.destroyed) return;
      }
      if (f.kind === 'oversized-body') {
        this.fire(rec, f, `${OVERSIZED_BYTES.toString()} bytes`);
        this.sendOversized(res, rec);
        return;
      }
    }

    // Registry pages: at most REGISTRY_PAGE rows.
    let upstreamPath = path;
    if ((cls === 'tags-list' || cls === 'catalog') && /[?&]n=\d+/.test(path)) {
      upstreamPath = path.replace(
        /([?&]n=)(\d+)/,
        (_m, p: string, n: string) =>
          `${p}${Math.min(Number(n), REGISTRY_PAGE).toString()}`
      );
    }
    const up =
      this.tokenAuth && (path === '/token' || path.startsWith('/token?'))
        ? this.issueToken(auth)
        : await this.forward(req, method, upstreamPath, reqBody, upstreamAuth);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) {
      if (v === undefined) continue;
      if (
        [
          'connection',
          'keep-alive',
          'transfer-encoding',
          'content-length',
        ].includes(k)
      )
        continue;
      headers[k] = v;
    }
    const challenge = headerText(up.headers['www-authenticate']);
    if (challenge !== undefined)
      headers['www-authenticate'] = this.rewrite(challenge);
    const link = headerText(up.headers.link);
    if (link !== undefined) headers.link = this.rewrite(link);
    let body =
      cls === 'harbor-list' || cls === 'harbor-get'
        ? this.rewriteBody(up.body)
        : up.body;
    if (cls === 'token' && up.status === 200) this.noteTokens(body);

    const rows = up.status === 200 ? rowsOf(cls, body) : undefined;
    if (rows) rec.rows = rows.length;
    if (link !== undefined && /rel="?next"?/.test(link)) rec.hasNext = true;
    const key = listKey(path);
    let served = rows;

    for (const f of faults) {
      switch (f.kind) {
        case 'missing-x-total-count':
          delete headers['x-total-count'];
          this.fire(rec, f, 'X-Total-Count removed');
          break;
        case 'wrong-x-total-count': {
          const total = Number(
            headerText(headers['x-total-count']) ?? rows?.length ?? 0
          );
          headers['x-total-count'] =
            f.variant === 'garbage'
              ? 'lots'
              : String(
                  f.variant === 'more' ? total + 3 : Math.max(0, total - 2)
                );
          this.fire(
            rec,
            f,
            `X-Total-Count ${headerText(headers['x-total-count']) ?? ''} instead of ${total.toString()}`
          );
          break;
        }
        case 'missing-link':
          delete headers.link;
          this.fire(rec, f, 'Link removed');
          break;
        case 'missing-paging-headers':
          delete headers.link;
          delete headers['x-total-count'];
          this.fire(rec, f, 'Link and X-Total-Count removed');
          break;
        case 'wrong-link': {
          const target =
            f.variant === 'loop' ? path : `${this.foreign.url}${path}`;
          headers.link = `<${target}>; rel="next"`;
          this.fire(
            rec,
            f,
            `Link rel="next" to ${f.variant === 'loop' ? 'the same page' : 'another host'}`
          );
          break;
        }
        case 'missing-docker-content-digest':
          delete headers['docker-content-digest'];
          this.fire(rec, f, 'Docker-Content-Digest removed');
          break;
        case 'malformed-docker-content-digest':
          headers['docker-content-digest'] = 'sha256:../../x';
          this.fire(rec, f, 'Docker-Content-Digest malformed');
          break;
        case 'digest-header-disagrees':
          if (method === 'HEAD') {
            // No body to disagree with: make the client fetch it.
            delete headers['docker-content-digest'];
            this.fire(
              rec,
              f,
              'Docker-Content-Digest removed (the GET will disagree)'
            );
          } else {
            headers['docker-content-digest'] =
              `sha256:${createHash('sha256').update('chaos').update(body).digest('hex')}`;
            this.fire(rec, f, "Docker-Content-Digest is not the body's");
          }
          break;
        case 'missing-content-type':
          delete headers['content-type'];
          this.fire(rec, f, 'Content-Type removed');
          break;
        case 'wrong-content-type':
          headers['content-type'] = f.variant ?? 'text/html';
          this.fire(rec, f, `Content-Type ${f.variant ?? 'text/html'}`);
          break;
        case 'rows-dropped':
          if (served && served.length > 0) {
            const i = Math.floor(served.length / 2);
            served = [...served.slice(0, i), ...served.slice(i + 1)];
            body = withRows(cls, body, served);
            this.fire(rec, f, `row ${i.toString()} dropped`);
          }
          break;
        case 'rows-duplicated':
          if (served && served.length > 0) {
            const prev = this.lastPage.get(key);
            const dup = prev?.[prev.length - 1] ?? served[0];
            served = [dup, ...served];
            body = withRows(cls, body, served);
            this.fire(rec, f, 'a row served twice');
          }
          break;
        case 'tag-moved-while-paging': {
          const prev = this.lastPage.get(key);
          if (served && served.length > 0 && prev && prev.length > 0) {
            served = [prev[prev.length - 1], ...served.slice(1)];
            body = withRows(cls, body, served);
            this.fire(
              rec,
              f,
              'the page shifted: the last row of the previous page again, one row unseen'
            );
          }
          break;
        }
        case 'tag-deleted-while-paging':
          if (served && served.length > 0) {
            served = served.slice(1);
            body = withRows(cls, body, served);
            const total = Number(headerText(headers['x-total-count']) ?? 0);
            if (total > 0) headers['x-total-count'] = String(total - 1);
            this.fire(
              rec,
              f,
              'the page shifted by a deletion: one row unseen, X-Total-Count one less'
            );
          }
          break;
        case 'bad-push-time':
        case 'bad-digest':
          if (served && served.length > 0) {
            const i = served.length - 1;
            const row = { ...(served[i] as Record<string, unknown>) };
            if (f.kind === 'bad-push-time') row.push_time = f.variant ?? '';
            else row.digest = f.variant ?? '';
            served = [...served.slice(0, i), row];
            body = withRows(cls, body, served);
            this.fire(
              rec,
              f,
              `${f.kind === 'bad-push-time' ? 'push_time' : 'digest'} ${JSON.stringify(f.variant)}`
            );
          }
          break;
        case 'empty-body':
          body = Buffer.alloc(0);
          this.fire(rec, f, 'empty body');
          break;
        case 'malformed-json':
          body =
            f.variant === 'html'
              ? Buffer.from('<html><body>Please sign in</body></html>')
              : f.variant === 'cut'
                ? body.subarray(0, Math.max(1, Math.floor(body.length / 2)))
                : Buffer.concat([body, Buffer.from('}{garbage')]);
          this.fire(rec, f, `malformed JSON (${f.variant ?? ''})`);
          break;
        default:
          break;
      }
    }
    if (cls === 'harbor-list' && served) this.lastPage.set(key, served);
    const truncate = faults.find((f) => f.kind === 'truncated-body');
    if (truncate && body.length > 1) {
      this.fire(
        rec,
        truncate,
        `body cut at ${Math.floor(body.length / 2).toString()} of ${body.length.toString()} bytes`
      );
      rec.status = up.status;
      res.writeHead(up.status, {
        ...headers,
        'content-length': String(body.length),
      });
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      await sleep(20);
      res.socket?.destroy();
      return;
    }
    const length =
      method === 'HEAD' ? headerText(up.headers['content-length']) : undefined;
    this.send(
      res,
      rec,
      up.status,
      {
        ...headers,
        ...(length !== undefined ? { 'content-length': length } : {}),
      },
      method === 'HEAD' ? Buffer.alloc(0) : body,
      method === 'HEAD'
    );
  }

  private send(
    res: ServerResponse,
    rec: ProxyRecord,
    status: number,
    headers: Record<string, string | string[]>,
    body: Buffer,
    head = false
  ): void {
    rec.status = status;
    if (!head) headers['content-length'] = String(body.length);
    res.writeHead(status, headers);
    res.end(head ? undefined : body);
  }

  private sendOversized(res: ServerResponse, rec: ProxyRecord): void {
    rec.status = 200;
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(OVERSIZED_BYTES),
    });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < OVERSIZED_BYTES) {
        const n = Math.min(chunk.length, OVERSIZED_BYTES - sent);
        const part =
          sent === 0
            ? Buffer.concat([Buffer.from('['), chunk.subarray(1, n)])
            : chunk.subarray(0, n);
        sent += n;
        if (!res.write(part)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => undefined);
    pump();
  }

  /** The upstream's origin → the proxy's, in challenges and links. */
  private rewrite(value: string): string {
    return value.split(this.upstreamUrl).join(this.url);
  }

  /** Token mode: the challenge for a /v2 path, naming the scope it needs. */
  private challengeFor(path: string): string {
    const p = path.split('?')[0] ?? path;
    const repo = /^\/v2\/(.+)\/(?:tags|manifests|blobs)\//.exec(p)?.[1];
    const scope =
      p === '/v2/_catalog'
        ? 'registry:catalog:*'
        : repo !== undefined
          ? `repository:${repo}:pull`
          : undefined;
    return (
      `Bearer realm="${this.url}/token",service="chaos-registry"` +
      (scope !== undefined ? `,scope="${scope}"` : '')
    );
  }

  /** Token mode: a token for the upstream's own Basic credentials, else 401. */
  private issueToken(auth: string | undefined): Upstream {
    const c = this.tokenAuth;
    const expected = c
      ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`
      : undefined;
    if (expected === undefined || auth !== expected) {
      return {
        status: 401,
        headers: {
          'content-type': 'application/json',
          'www-authenticate': 'Basic realm="chaos-registry"',
        },
        body: Buffer.from('{"errors":[{"code":"UNAUTHORIZED"}]}'),
      };
    }
    const token = randomBytes(24).toString('hex');
    this.issued.add(token);
    this.tokens.add(token);
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ token, expires_in: 300 })),
    };
  }

  private rewriteBody(body: Buffer): Buffer {
    if (this.urlMap.size === 0 || !body.includes('http://')) return body;
    let text = body.toString('utf8');
    for (const [from, to] of this.urlMap) text = text.split(from).join(to);
    return Buffer.from(text);
  }

  private noteTokens(body: Buffer): void {
    try {
      const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      for (const k of ['token', 'access_token']) {
        const v = json[k];
        if (typeof v === 'string' && v.length > 0) this.tokens.add(v);
      }
    } catch {
      // not JSON: nothing issued
    }
  }

  private forward(
    req: IncomingMessage,
    method: string,
    path: string,
    body: Buffer | undefined,
    extra: Record<string, string>,
    anonymous = false
  ): Promise<Upstream> {
    const url = new URL(path, this.upstreamUrl);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (
        v === undefined ||
        ['host', 'connection', 'content-length'].includes(k)
      )
        continue;
      if (anonymous && k === 'authorization') continue;
      headers[k] = v;
    }
    Object.assign(headers, extra, { host: url.host });
    if (body && body.length > 0)
      headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const up = httpRequest(
        {
          hostname: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method,
          headers,
          agent: false,
        },
        (r) => {
          readAll(r).then((b) => {
            resolve({
              status: r.statusCode ?? 502,
              headers: r.headers,
              body: b,
            });
          }, reject);
        }
      );
      up.on('error', reject);
      up.end(body && body.length > 0 ? body : undefined);
    });
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    stream.on('error', reject);
  });
}

import { Agent, request } from 'undici';
import { z } from 'zod';
import { FULL_ACCEPT, sha256Digest } from './media-types';

/** Where a remote registry lives and how to log in (Basic, or Basic at the token realm). */
export interface RemoteRegistry {
  url: string;
  username?: string;
  password?: string;
}

/** A registry answered with an unexpected status. */
export class RegistryHttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly method: string,
    public readonly url: string,
    public readonly code: string | undefined,
    detail: string
  ) {
    super(`${method} ${url} → ${status}${code ? ` ${code}` : ''}: ${detail}`);
    this.name = 'RegistryHttpError';
  }
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  url: string;
}

const tokenSchema = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
});

const errorsSchema = z.object({
  errors: z.array(
    z.looseObject({ code: z.string(), message: z.string().optional() })
  ),
});

const tagsSchema = z.object({
  name: z.string(),
  tags: z.array(z.string()).nullable(),
});
const catalogSchema = z.object({
  repositories: z.array(z.string()).nullable(),
});

function header(h: Reply['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Parses `Bearer realm="…",service="…",scope="…"` / `Basic realm="…"`. */
export function parseChallenge(
  value: string
): { scheme: string; params: Record<string, string> } | undefined {
  const m = /^\s*(\w+)\s*(.*)$/.exec(value);
  if (!m?.[1]) return undefined;
  const params: Record<string, string> = {};
  for (const p of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
    if (p[1]) params[p[1]] = p[2] ?? '';
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** Next page from a `Link: <…>; rel="next"` header, resolved against the request URL. */
function nextLink(reply: Reply): string | undefined {
  const link = header(reply.headers, 'link');
  const m = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  return m?.[1] ? new URL(m[1], reply.url).toString() : undefined;
}

/**
 * The lab's own OCI distribution client (independent of lambdas/): Basic and Bearer challenges,
 * token cache per scope, full 4-type Accept list. Call close() when done.
 */
export class LabOciClient {
  private readonly base: string;
  private readonly agent = new Agent({
    connections: 8,
    keepAliveTimeout: 2000,
  });
  private readonly tokens = new Map<
    string,
    { token: string; expiresAt: number }
  >();
  private useBasic = false;

  constructor(private readonly remote: RemoteRegistry) {
    this.base = remote.url.replace(/\/+$/, '');
  }

  /** Digest and media type of a manifest (HEAD with the full Accept list), null when absent. */
  async headManifest(
    repo: string,
    ref: string
  ): Promise<{ digest: string; mediaType: string } | null> {
    const r = await this.send(
      'HEAD',
      `/v2/${repo}/manifests/${ref}`,
      [pull(repo)],
      {
        accept: FULL_ACCEPT,
      }
    );
    if (r.status === 404) return null;
    this.expect(r, 'HEAD', [200]);
    const digest = header(r.headers, 'docker-content-digest');
    const mediaType = header(r.headers, 'content-type') ?? '';
    if (digest) return { digest, mediaType };
    // Old registries omit the header on HEAD: hash the raw GET body instead.
    const full = await this.getManifest(repo, ref);
    return full && { digest: full.digest, mediaType: full.mediaType };
  }

  /** The raw manifest (full Accept list) with the sha256 of its bytes, null when absent. */
  async getManifest(
    repo: string,
    ref: string
  ): Promise<{ digest: string; mediaType: string; bytes: Buffer } | null> {
    const r = await this.send(
      'GET',
      `/v2/${repo}/manifests/${ref}`,
      [pull(repo)],
      {
        accept: FULL_ACCEPT,
      }
    );
    if (r.status === 404) return null;
    this.expect(r, 'GET', [200]);
    return {
      digest: sha256Digest(r.body),
      mediaType: header(r.headers, 'content-type') ?? '',
      bytes: r.body,
    };
  }

  /** True when the blob exists in `repo`. */
  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const r = await this.send('HEAD', `/v2/${repo}/blobs/${digest}`, [
      pull(repo),
    ]);
    if (r.status === 404) return false;
    this.expect(r, 'HEAD', [200]);
    return true;
  }

  /** The blob bytes, null when absent. */
  async getBlob(repo: string, digest: string): Promise<Buffer | null> {
    const r = await this.send('GET', `/v2/${repo}/blobs/${digest}`, [
      pull(repo),
    ]);
    if (r.status === 404) return null;
    this.expect(r, 'GET', [200]);
    return r.body;
  }

  /** Monolithic POST + PUT upload; tries a cross-repo mount from `from` first when given. */
  async pushBlob(
    repo: string,
    digest: string,
    bytes: Buffer,
    from?: string
  ): Promise<void> {
    const scopes = [push(repo), ...(from ? [pull(from)] : [])];
    const query = from
      ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`
      : '';
    const start = await this.send(
      'POST',
      `/v2/${repo}/blobs/uploads/${query}`,
      scopes
    );
    if (start.status === 201) return;
    this.expect(start, 'POST', [202]);
    const location = header(start.headers, 'location');
    if (!location) {
      throw new RegistryHttpError(
        202,
        'POST',
        start.url,
        undefined,
        'no Location header'
      );
    }
    const target = new URL(location, start.url);
    target.searchParams.set('digest', digest);
    const put = await this.send(
      'PUT',
      target.toString(),
      [push(repo)],
      {
        'content-type': 'application/octet-stream',
      },
      bytes
    );
    this.expect(put, 'PUT', [201]);
  }

  /** PUT a manifest by tag or digest; returns the digest the registry reports. */
  async pushManifest(
    repo: string,
    ref: string,
    bytes: Buffer,
    mediaType: string
  ): Promise<string> {
    const r = await this.send(
      'PUT',
      `/v2/${repo}/manifests/${ref}`,
      [push(repo)],
      { 'content-type': mediaType },
      bytes
    );
    this.expect(r, 'PUT', [201]);
    return header(r.headers, 'docker-content-digest') ?? sha256Digest(bytes);
  }

  /** DELETE a manifest by digest (removes all its tags). */
  async deleteManifest(repo: string, digest: string): Promise<void> {
    const r = await this.send('DELETE', `/v2/${repo}/manifests/${digest}`, [
      `repository:${repo}:delete`,
    ]);
    this.expect(r, 'DELETE', [202]);
  }

  /** All tags, following Link pages; null for an unknown repository, [] for `tags: null`. */
  async listTags(repo: string): Promise<string[] | null> {
    const out: string[] = [];
    let next: string | undefined = `/v2/${repo}/tags/list`;
    while (next) {
      const r = await this.send('GET', next, [pull(repo)]);
      if (r.status === 404) return null;
      this.expect(r, 'GET', [200]);
      out.push(
        ...(tagsSchema.parse(JSON.parse(r.body.toString('utf8'))).tags ?? [])
      );
      next = nextLink(r);
    }
    return out;
  }

  /** All repositories from /v2/_catalog, following Link pages. */
  async listRepositories(pageSize = 100): Promise<string[]> {
    const out: string[] = [];
    let next: string | undefined = `/v2/_catalog?n=${pageSize}`;
    while (next) {
      const r = await this.send('GET', next, ['registry:catalog:*']);
      this.expect(r, 'GET', [200]);
      out.push(
        ...(catalogSchema.parse(JSON.parse(r.body.toString('utf8')))
          .repositories ?? [])
      );
      next = nextLink(r);
    }
    return out;
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private expect(r: Reply, method: string, ok: number[]): void {
    if (ok.includes(r.status)) return;
    let code: string | undefined;
    let detail = r.body.toString('utf8').slice(0, 300);
    try {
      const e = errorsSchema.safeParse(JSON.parse(detail));
      if (e.success && e.data.errors[0]) {
        code = e.data.errors[0].code;
        detail = e.data.errors[0].message ?? detail;
      }
    } catch {
      // Not JSON: keep the text.
    }
    throw new RegistryHttpError(r.status, method, r.url, code, detail);
  }

  private authHeader(key: string): Record<string, string> {
    const { username, password } = this.remote;
    if (this.useBasic && username !== undefined) {
      const b64 = Buffer.from(`${username}:${password ?? ''}`).toString(
        'base64'
      );
      return { authorization: `Basic ${b64}` };
    }
    const t = this.tokens.get(key);
    return t && t.expiresAt > Date.now()
      ? { authorization: `Bearer ${t.token}` }
      : {};
  }

  private async send(
    method: string,
    path: string,
    scopes: string[],
    headers: Record<string, string> = {},
    body?: Buffer
  ): Promise<Reply> {
    const url = new URL(path, this.base).toString();
    const key = scopes.join(' ');
    for (let attempt = 0; ; attempt++) {
      const res = await request(url, {
        method: method as 'GET',
        headers: { ...headers, ...this.authHeader(key) },
        body,
        dispatcher: this.agent,
      });
      const reply: Reply = {
        status: res.statusCode,
        headers: res.headers,
        body: Buffer.from(await res.body.arrayBuffer()),
        url,
      };
      if (reply.status !== 401 || attempt > 0) return reply;
      const challenge = parseChallenge(
        header(reply.headers, 'www-authenticate') ?? ''
      );
      if (challenge?.scheme === 'basic' && this.remote.username !== undefined) {
        this.useBasic = true;
      } else if (challenge?.scheme === 'bearer' && challenge.params.realm) {
        const asked = challenge.params.scope?.split(' ').filter(Boolean) ?? [];
        await this.fetchToken(
          challenge.params,
          [...new Set([...scopes, ...asked])],
          key
        );
      } else {
        return reply;
      }
    }
  }

  private async fetchToken(
    params: Record<string, string>,
    scopes: string[],
    key: string
  ): Promise<void> {
    const realm = new URL(params.realm ?? '');
    if (params.service) realm.searchParams.set('service', params.service);
    for (const s of scopes) realm.searchParams.append('scope', s);
    const { username, password } = this.remote;
    const auth =
      username === undefined
        ? {}
        : {
            authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`,
          };
    const res = await request(realm, {
      method: 'GET',
      headers: auth,
      dispatcher: this.agent,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      throw new RegistryHttpError(
        res.statusCode,
        'GET',
        realm.toString(),
        undefined,
        text
      );
    }
    const parsed = tokenSchema.parse(JSON.parse(text));
    const token = parsed.token ?? parsed.access_token;
    if (!token) {
      throw new RegistryHttpError(
        200,
        'GET',
        realm.toString(),
        undefined,
        'no token in reply'
      );
    }
    // Renew a little before the registry would reject it.
    const lifetime = Math.max((parsed.expires_in ?? 60) - 5, 1);
    this.tokens.set(key, { token, expiresAt: Date.now() + lifetime * 1000 });
  }
}

function pull(repo: string): string {
  return `repository:${repo}:pull`;
}

function push(repo: string): string {
  return `repository:${repo}:pull,push`;
}

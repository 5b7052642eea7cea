import { createHash } from 'node:crypto';
import {
  AuthError,
  IncompleteListingError,
  UpstreamSchemaError,
} from '../../core/errors';
import type { ManifestInfo, RegistryApi } from '../../core/ports';
import { withLease } from '../http/budget';
import type { BudgetLease, MemoryBudget } from '../http/budget';
import { nextLink, resolveLink } from '../http/link';
import { parseJsonBody } from '../http/parse';
import { basicAuthorization } from '../http/pool';
import type { HttpClient, HttpMethod, HttpResponse } from '../http/pool';
import type { Credentials } from '../secrets/credentials';
import { intern } from './intern';
import {
  catalogSchema,
  digestSchema,
  manifestSchema,
  tagListSchema,
  tokenResponseSchema,
} from './schemas';
import type { OciManifest } from './schemas';
import { parseWwwAuthenticate } from './www-authenticate';

/** Media types of the four manifest kinds a registry may store. */
export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/**
 * The Accept list of every manifest request. Dropping one type makes registries answer 404
 * (OCI content) or convert (Docker content to schema1, lists to one platform): a false
 * "missing" or a false digest drift.
 */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerList,
].join(', ');

/** Options of an OCI registry client. */
export interface OciClientOptions {
  /** The client of the registry's origin; token realms on other origins get their own pools. */
  http: HttpClient;
  /** Anonymous when absent. */
  credentials?: Credentials;
  /** Injected for tests (token expiry). */
  now?: () => number;
  /** Tags asked for per tags/list or _catalog page. @default 1000 */
  pageSize?: number;
  /** The run's budget for listings in flight; unbounded (per response only) when absent. */
  budget?: MemoryBudget;
  /**
   * Hosts (`host` or `host:port`) besides the registry's own to which credentials may be
   * sent for a Bearer token, over https only (`targets[].tokenRealms`). @default none
   */
  tokenRealms?: readonly string[];
}

/** A manifest read in full. */
export interface FetchedManifest extends ManifestInfo {
  manifest: OciManifest;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const CATALOG_SCOPE = 'registry:catalog:*';
const DEFAULT_TOKEN_SECONDS = 60;

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The Content-Type without parameters, one copy per distinct value (see intern). */
function mediaTypeOf(res: HttpResponse): string {
  return intern(
    (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? ''
  );
}

/** `a/b` → `a/b` with each path segment percent-encoded. */
function namePath(repository: string): string {
  return repository.split('/').map(encodeURIComponent).join('/');
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/**
 * The OCI distribution API of one registry (RegistryApi): Basic and Bearer auth handshakes,
 * a token cache per scope, `Link` pagination, and manifest HEADs with the full Accept list.
 * 404 is "not there" (null); 401/403 on a repository is "unverifiable" (AuthError).
 */
export class OciRegistryClient implements RegistryApi {
  private readonly http: HttpClient;
  private readonly credentials: Credentials | undefined;
  private readonly now: () => number;
  private readonly pageSize: number;
  private readonly budget: MemoryBudget | undefined;
  private readonly realmHosts: ReadonlySet<string>;
  private scheme: 'unknown' | 'basic' | 'bearer' = 'unknown';
  private bearer: { realm: string; service?: string } | undefined;
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(opts: OciClientOptions) {
    this.http = opts.http;
    this.credentials = opts.credentials;
    this.now = opts.now ?? Date.now;
    this.pageSize = opts.pageSize ?? 1000;
    this.budget = opts.budget;
    this.realmHosts = new Set([
      new URL(this.http.origin).host,
      ...(opts.tokenRealms ?? []).map((h) => h.toLowerCase()),
    ]);
  }

  async ping(): Promise<void> {
    await this.send('GET', '/v2/', undefined, [200]);
  }

  async listCatalog(): Promise<string[] | null> {
    const first = `/v2/_catalog?n=${this.pageSize.toString()}`;
    return this.listing(first, async (lease) => {
      let res: HttpResponse;
      try {
        res = await this.send(
          'GET',
          first,
          CATALOG_SCOPE,
          [200, 403, 404],
          {},
          lease
        );
      } catch (err) {
        // Harbor and hosted registries reserve the catalog to admins: not offered, not fatal.
        if (err instanceof AuthError) return null;
        throw err;
      }
      if (res.status !== 200) return null;
      const repos = await this.follow(
        res,
        first,
        CATALOG_SCOPE,
        (r) =>
          parseJsonBody(r, catalogSchema, this.http.service).repositories ?? [],
        lease
      );
      return [...new Set(repos)];
    });
  }

  async listTags(repository: string): Promise<string[] | null> {
    const first = `/v2/${namePath(repository)}/tags/list?n=${this.pageSize.toString()}`;
    const scope = pullScope(repository);
    return this.listing(first, async (lease) => {
      const res = await this.send('GET', first, scope, [200, 404], {}, lease);
      if (res.status === 404) return null;
      const tags = await this.follow(
        res,
        first,
        scope,
        (r) => parseJsonBody(r, tagListSchema, this.http.service).tags ?? [],
        lease
      );
      return [...new Set(tags)];
    });
  }

  async headManifest(
    repository: string,
    reference: string
  ): Promise<ManifestInfo | null> {
    const path = this.manifestPath(repository, reference);
    const res = await this.send(
      'HEAD',
      path,
      pullScope(repository),
      [200, 404],
      {
        accept: MANIFEST_ACCEPT,
      }
    );
    if (res.status === 404) return null;
    const digest = header(res, 'docker-content-digest');
    if (digest === undefined || digest.trim() === '') {
      // Old registries omit the header: the digest is the sha256 of the raw manifest bytes.
      const fetched = await this.getManifest(repository, reference);
      if (fetched === null) return null;
      return {
        digest: fetched.digest,
        mediaType: fetched.mediaType,
        size: fetched.size,
      };
    }
    const size = Number(header(res, 'content-length') ?? 'NaN');
    return {
      digest: this.checkDigest(digest.trim(), path, 'Docker-Content-Digest'),
      mediaType: mediaTypeOf(res),
      size: Number.isInteger(size) && size >= 0 ? size : 0,
    };
  }

  /**
   * GETs a manifest with the full Accept list; the digest is the registry's
   * Docker-Content-Digest, or the sha256 of the raw bytes when it sends none.
   * @returns null on 404
   */
  async getManifest(
    repository: string,
    reference: string
  ): Promise<FetchedManifest | null> {
    const path = this.manifestPath(repository, reference);
    const res = await this.send(
      'GET',
      path,
      pullScope(repository),
      [200, 404],
      {
        accept: MANIFEST_ACCEPT,
      }
    );
    if (res.status === 404) return null;
    const manifest = parseJsonBody(res, manifestSchema, this.http.service);
    const sent = header(res, 'docker-content-digest')?.trim();
    const digest =
      sent !== undefined && sent !== ''
        ? this.checkDigest(sent, path, 'Docker-Content-Digest')
        : `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
    return {
      digest,
      mediaType: mediaTypeOf(res) || (manifest.mediaType ?? ''),
      size: res.body.length,
      manifest,
    };
  }

  /**
   * The referrers of a manifest: the OCI 1.1 referrers API, or, where it answers 404
   * (unsupported, e.g. CNCF Distribution), the referrers tag schema `sha256-<hex>`.
   */
  async listReferrers(repository: string, digest: string): Promise<string[]> {
    const valid = this.checkDigest(digest, repository, 'digest');
    const scope = pullScope(repository);
    const first = `/v2/${namePath(repository)}/referrers/${valid}`;
    const listed = await this.listing(first, async (lease) => {
      const res = await this.send(
        'GET',
        first,
        scope,
        [200, 404],
        { accept: MEDIA_TYPES.ociIndex },
        lease
      );
      if (res.status !== 200) return null;
      const digests = await this.follow(
        res,
        first,
        scope,
        (r) =>
          (
            parseJsonBody(r, manifestSchema, this.http.service).manifests ?? []
          ).map((m) => m.digest),
        lease
      );
      return [...new Set(digests)];
    });
    if (listed !== null) return listed;
    const fallback = await this.getManifest(
      repository,
      valid.replace(':', '-')
    );
    return [
      ...new Set((fallback?.manifest.manifests ?? []).map((m) => m.digest)),
    ];
  }

  private manifestPath(repository: string, reference: string): string {
    return `/v2/${namePath(repository)}/manifests/${encodeURIComponent(reference)}`;
  }

  private checkDigest(value: string, path: string, field: string): string {
    if (!digestSchema.safeParse(value).success) {
      throw new UpstreamSchemaError({
        service: this.http.service,
        method: 'HEAD',
        path,
        problems: [`${field}: is not a digest`],
      });
    }
    return value;
  }

  /** Runs a listing under its own lease of the run's memory budget. */
  private listing<T>(
    firstPath: string,
    run: (lease: BudgetLease | undefined) => Promise<T>
  ): Promise<T> {
    return withLease(this.budget, this.http.service, firstPath, run);
  }

  /** Collects a first page and every page after it, following Link rel="next". */
  private async follow<T>(
    firstRes: HttpResponse,
    firstPath: string,
    scope: string,
    rowsOf: (res: HttpResponse) => T[],
    lease: BudgetLease | undefined
  ): Promise<T[]> {
    const rows: T[] = [];
    const visited = new Set<string>([firstPath]);
    let res = firstRes;
    let current = firstPath;
    for (;;) {
      // One by one: a spread of a 200,000-row page overflows the call stack.
      for (const row of rowsOf(res)) rows.push(row);
      const next = nextLink(res.headers.link);
      if (next === undefined) return rows;
      const path = resolveLink(next, current, false);
      if (visited.has(path)) {
        throw new IncompleteListingError(
          this.http.service,
          firstPath,
          `Link rel="next" loops back to ${path}`
        );
      }
      visited.add(path);
      current = path;
      // A page that vanishes midway (404) is an incomplete listing, not an absent repository.
      res = await this.send('GET', path, scope, [200], {}, lease);
    }
  }

  /**
   * Sends a request with the credentials the registry asked for. On a 401 it reads the
   * challenge (Basic or Bearer), authenticates once and sends again; a second 401 is an
   * AuthError.
   */
  private async send(
    method: HttpMethod,
    path: string,
    scope: string | undefined,
    accept: readonly number[],
    headers: Record<string, string> = {},
    lease?: BudgetLease
  ): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.authorizationFor(scope);
      const res = await this.http.request({
        method,
        path,
        accept: [...accept, 401],
        ...(lease ? { lease } : {}),
        headers: {
          ...headers,
          ...(authorization ? { authorization } : {}),
        },
      });
      if (res.status !== 401 || accept.includes(401)) return res;
      const request = { service: this.http.service, method, path };
      if (attempt > 0) {
        throw new AuthError(
          this.http.service,
          'still unauthorized after authenticating (HTTP 401)',
          {
            status: 401,
            request,
          }
        );
      }
      const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
      const bearer = challenges.find((c) => c.scheme === 'bearer');
      const basic = challenges.find((c) => c.scheme === 'basic');
      if (bearer?.params.realm) {
        this.scheme = 'bearer';
        this.bearer = {
          realm: bearer.params.realm,
          ...(bearer.params.service ? { service: bearer.params.service } : {}),
        };
        // A cached token was refused: fetch a new one, with the scopes the challenge names.
        const wanted = (bearer.params.scope ?? '')
          .split(/\s+/)
          .filter((s) => s !== '');
        // Awaited by authorizationFor on the next attempt, which rethrows a failure.
        void this.startTokenFetch(scope, wanted);
        continue;
      }
      if (basic) {
        if (!this.credentials) {
          throw new AuthError(
            this.http.service,
            'the registry requires credentials (HTTP 401, Basic)',
            { status: 401, request }
          );
        }
        if (this.scheme === 'basic' && authorization !== undefined) {
          throw new AuthError(
            this.http.service,
            'credentials rejected (HTTP 401, Basic)',
            { status: 401, request }
          );
        }
        this.scheme = 'basic';
        continue;
      }
      throw new AuthError(
        this.http.service,
        'HTTP 401 without a Basic or Bearer challenge',
        { status: 401, request }
      );
    }
  }

  private async authorizationFor(
    scope: string | undefined
  ): Promise<string | undefined> {
    if (this.scheme === 'basic' && this.credentials) {
      return basicAuthorization(
        this.credentials.username,
        this.credentials.password
      );
    }
    if (this.scheme !== 'bearer') return undefined;
    const pending = this.tokens.get(scopeKey(scope));
    if (pending) {
      const cached = await pending;
      if (cached.expiresAt > this.now()) return `Bearer ${cached.token}`;
    }
    return `Bearer ${(await this.startTokenFetch(scope, [])).token}`;
  }

  /** One token request per scope at a time; a failed one is forgotten, not cached. */
  private startTokenFetch(
    scope: string | undefined,
    extraScopes: readonly string[]
  ): Promise<CachedToken> {
    const key = scopeKey(scope);
    const pending = this.fetchToken([
      ...(scope ? [scope] : []),
      ...extraScopes,
    ]);
    this.tokens.set(key, pending);
    pending.catch(() => {
      if (this.tokens.get(key) === pending) this.tokens.delete(key);
    });
    return pending;
  }

  private checkRealm(realm: URL): void {
    const why = realmRefusal(realm, this.realmHosts);
    if (why === undefined) return;
    throw new AuthError(
      this.http.service,
      `refused to send credentials to the token realm ${realm.origin}: ${why} (credentials go to another origin only over https, to hosts listed in targets[].tokenRealms)`,
      {
        request: {
          service: this.http.service,
          method: 'GET',
          path: `${realm.origin}${realm.pathname}`,
        },
      }
    );
  }

  private async fetchToken(scopes: readonly string[]): Promise<CachedToken> {
    const challenge = this.bearer;
    if (!challenge) throw new Error('no Bearer challenge seen yet');
    const realm = new URL(challenge.realm, `${this.http.origin}/`);
    // Never credentials of the realm's own: only the target's go, and only where allowed.
    realm.username = '';
    realm.password = '';
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    for (const s of new Set(scopes)) realm.searchParams.append('scope', s);
    const sameOrigin = realm.origin === this.http.origin;
    if (this.credentials && !sameOrigin) this.checkRealm(realm);
    const res = await this.http.request({
      method: 'GET',
      path: sameOrigin ? `${realm.pathname}${realm.search}` : realm.toString(),
      accept: [200],
      headers: {
        accept: 'application/json',
        ...(this.credentials
          ? {
              authorization: basicAuthorization(
                this.credentials.username,
                this.credentials.password
              ),
            }
          : {}),
      },
    });
    const body = parseJsonBody(res, tokenResponseSchema, this.http.service);
    const lifetimeMs = (body.expires_in ?? DEFAULT_TOKEN_SECONDS) * 1000;
    // Renew a little early so a token does not expire between cache check and use.
    const margin = Math.min(10_000, lifetimeMs / 10);
    return {
      token: body.token ?? body.access_token ?? '',
      expiresAt: this.now() + lifetimeMs - margin,
    };
  }
}

/**
 * Whether the target's credentials may go to a token realm on another origin: over https
 * only, and to the registry's own host or one that `targets[].tokenRealms` lists. A registry
 * (or whoever answers in its name) names the realm: without this check it could collect the
 * credentials on any host, in clear text.
 */
function realmRefusal(
  realm: URL,
  allowed: ReadonlySet<string>
): string | undefined {
  if (realm.protocol !== 'https:') return 'it is not https';
  if (!allowed.has(realm.host.toLowerCase())) {
    return `its host ${realm.host} is neither the registry's own nor listed in targets[].tokenRealms`;
  }
  return undefined;
}

function scopeKey(scope: string | undefined): string {
  return scope ?? '';
}

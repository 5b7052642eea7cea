import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { MEDIA, isDigest, sha256Digest } from './media-types';
import { OciError } from './errors';
import { convertToSchema1 } from './schema1';
import type { OciStore, StoredManifest } from './store';
import { isValidRepositoryName } from './store';

/** An action a client wants on a repository (token scope vocabulary). */
export type V2Action = 'pull' | 'push' | 'delete' | '*';

/** What one request needs: a repository scope, the catalog scope, or nothing (ping). */
export interface V2Access {
  repository?: string;
  actions: V2Action[];
  catalog?: boolean;
}

/** Decides per request; lab-harbor passes its own (Harbor token service + Basic). */
export interface V2Auth {
  /**
   * Return 'ok', or a challenge to send with 401 (e.g. 'Bearer realm="…",service="harbor-registry",
   * scope="…"'), or 'denied' (403).
   */
  authorize(
    req: IncomingMessage,
    access: V2Access
  ): 'ok' | 'denied' | { challenge: string };
}

/** Behaviour switches of {@link createV2Handler}. */
export interface V2Options {
  auth?: V2Auth;
  /** Default true: behave like distribution 2.8/3 on Accept (see local-components.md §1.4). */
  strictAccept?: boolean;
  /** Default catalog page size (distribution: 100). */
  catalogPageSize?: number;
  /** Harbor paginates tags/list; distribution 2.8 does not. Default false. */
  paginateTags?: boolean;
}

/** The scope string of an access, as a token service would receive it. */
export function scopeOf(access: V2Access): string | undefined {
  if (access.catalog) return 'registry:catalog:*';
  if (access.repository === undefined) return undefined;
  return `repository:${access.repository}:${access.actions.join(',')}`;
}

const MAX_CATALOG_ENTRIES = 1000;
const JSON_TYPE = 'application/json; charset=utf-8';

interface Upload {
  repository: string;
  chunks: Buffer[];
  size: number;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  method: string;
  base: string;
}

/**
 * The OCI distribution API over an OciStore, mountable in any node:http server. Handles the
 * request if its path is /v2 or starts with /v2/ and returns true; otherwise returns false and
 * leaves the request untouched.
 */
export function createV2Handler(
  store: OciStore,
  options: V2Options = {}
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const uploads = new Map<string, Upload>();
  const strict = options.strictAccept ?? true;
  const pageSize = options.catalogPageSize ?? 100;

  const authorize = (ctx: Ctx, access: V2Access): void => {
    if (!options.auth) return;
    const verdict = options.auth.authorize(ctx.req, access);
    if (verdict === 'ok') return;
    const detail = access.catalog
      ? [{ Type: 'registry', Name: 'catalog', Action: '*' }]
      : access.repository === undefined
        ? undefined
        : access.actions.map((a) => ({
            Type: 'repository',
            Name: access.repository,
            Action: a,
          }));
    if (verdict === 'denied') {
      throw new OciError(
        403,
        'DENIED',
        'requested access to the resource is denied',
        detail
      );
    }
    ctx.res.setHeader('WWW-Authenticate', verdict.challenge);
    throw new OciError(401, 'UNAUTHORIZED', 'authentication required', detail);
  };

  const route = async (ctx: Ctx): Promise<void> => {
    const path = ctx.url.pathname;
    const rest = path === '/v2' ? '' : path.slice('/v2/'.length);
    if (rest === '') {
      allow(ctx, ['GET', 'HEAD']);
      authorize(ctx, { actions: [] });
      sendJson(ctx, 200, {});
      return;
    }
    if (rest === '_catalog') {
      allow(ctx, ['GET']);
      authorize(ctx, { catalog: true, actions: ['*'] });
      catalog(ctx);
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = /^(.+)\/tags\/list$/.exec(rest))) {
      const name = repoName(m[1]);
      allow(ctx, ['GET']);
      authorize(ctx, { repository: name, actions: ['pull'] });
      tagsList(ctx, name);
      return;
    }
    if ((m = /^(.+)\/manifests\/([^/]+)$/.exec(rest))) {
      const name = repoName(m[1]);
      const ref = decodeURIComponent(m[2] ?? '');
      allow(ctx, ['GET', 'HEAD', 'PUT', 'DELETE']);
      if (ctx.method === 'PUT') {
        authorize(ctx, { repository: name, actions: ['pull', 'push'] });
        await putManifest(ctx, name, ref);
      } else if (ctx.method === 'DELETE') {
        authorize(ctx, { repository: name, actions: ['delete'] });
        deleteManifest(ctx, name, ref);
      } else {
        authorize(ctx, { repository: name, actions: ['pull'] });
        getManifest(ctx, name, ref);
      }
      return;
    }
    if ((m = /^(.+)\/blobs\/uploads\/?$/.exec(rest))) {
      const name = repoName(m[1]);
      allow(ctx, ['POST']);
      authorize(ctx, { repository: name, actions: ['pull', 'push'] });
      await startUpload(ctx, name);
      return;
    }
    if ((m = /^(.+)\/blobs\/uploads\/([^/]+)$/.exec(rest))) {
      const name = repoName(m[1]);
      allow(ctx, ['GET', 'PATCH', 'PUT', 'DELETE']);
      authorize(ctx, { repository: name, actions: ['pull', 'push'] });
      await continueUpload(ctx, name, decodeURIComponent(m[2] ?? ''));
      return;
    }
    if ((m = /^(.+)\/blobs\/([^/]+)$/.exec(rest))) {
      const name = repoName(m[1]);
      allow(ctx, ['GET', 'HEAD']);
      authorize(ctx, { repository: name, actions: ['pull'] });
      getBlob(ctx, name, decodeURIComponent(m[2] ?? ''));
      return;
    }
    if ((m = /^(.+)\/referrers\/([^/]+)$/.exec(rest))) {
      const name = repoName(m[1]);
      allow(ctx, ['GET']);
      authorize(ctx, { repository: name, actions: ['pull'] });
      referrers(ctx, name, decodeURIComponent(m[2] ?? ''));
      return;
    }
    // Like Go's mux in distribution: an unknown route is a plain-text 404.
    ctx.res.statusCode = 404;
    ctx.res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    ctx.res.end('404 page not found\n');
  };

  const catalog = (ctx: Ctx): void => {
    const n = pageNumber(ctx.url, pageSize, MAX_CATALOG_ENTRIES, true);
    const last = ctx.url.searchParams.get('last') ?? '';
    const all = store.listRepositories().filter((r) => r > last);
    const page = all.slice(0, n);
    const lastOnPage = page[page.length - 1];
    if (n > 0 && all.length > page.length && lastOnPage !== undefined) {
      ctx.res.setHeader('Link', nextLink('/v2/_catalog', lastOnPage, n));
    }
    sendJson(ctx, 200, { repositories: page });
  };

  const tagsList = (ctx: Ctx, name: string): void => {
    const tags = store.listTags(name);
    if (!tags) throw nameUnknown(name);
    if (tags.length === 0) {
      sendJson(ctx, 200, { name, tags: null });
      return;
    }
    if (!options.paginateTags) {
      sendJson(ctx, 200, { name, tags });
      return;
    }
    const n = pageNumber(ctx.url, tags.length, Number.MAX_SAFE_INTEGER);
    const last = ctx.url.searchParams.get('last') ?? '';
    const rest = tags.filter((t) => t > last);
    const page = rest.slice(0, n);
    const lastOnPage = page[page.length - 1];
    if (n > 0 && rest.length > page.length && lastOnPage !== undefined) {
      ctx.res.setHeader(
        'Link',
        nextLink(`/v2/${name}/tags/list`, lastOnPage, n)
      );
    }
    sendJson(ctx, 200, { name, tags: page });
  };

  const getManifest = (ctx: Ctx, name: string, ref: string): void => {
    checkReference(ref);
    const found = store.getManifest(name, ref);
    if (!found) {
      // distribution 2.8 says MANIFEST_UNKNOWN even when the repository does not exist.
      throw new OciError(
        404,
        'MANIFEST_UNKNOWN',
        'manifest unknown',
        isDigest(ref) ? { Name: name, Revision: ref } : { Tag: ref }
      );
    }
    const served = strict
      ? negotiate(store, found, ref, acceptedTypes(ctx.req))
      : {
          bytes: found.bytes,
          mediaType: found.mediaType,
          digest: found.digest,
        };
    ctx.res.statusCode = 200;
    ctx.res.setHeader('Content-Type', served.mediaType);
    ctx.res.setHeader('Content-Length', served.bytes.length);
    ctx.res.setHeader('Docker-Content-Digest', served.digest);
    ctx.res.setHeader('Etag', `"${served.digest}"`);
    ctx.res.end(ctx.method === 'HEAD' ? undefined : served.bytes);
  };

  const putManifest = async (
    ctx: Ctx,
    name: string,
    ref: string
  ): Promise<void> => {
    const body = await readBody(ctx.req);
    const contentType =
      (ctx.req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const stored = store.putManifest(name, ref, body, contentType);
    ctx.res.statusCode = 201;
    ctx.res.setHeader(
      'Location',
      `${ctx.base}/v2/${name}/manifests/${stored.digest}`
    );
    ctx.res.setHeader('Docker-Content-Digest', stored.digest);
    if (stored.subject) ctx.res.setHeader('OCI-Subject', stored.subject);
    ctx.res.setHeader('Content-Length', 0);
    ctx.res.end();
  };

  const deleteManifest = (ctx: Ctx, name: string, ref: string): void => {
    if (!isDigest(ref)) {
      // Measured on docker-registry 2.8.2: a tag where a digest belongs is DIGEST_INVALID.
      throw new OciError(
        400,
        'DIGEST_INVALID',
        'provided digest did not match uploaded content'
      );
    }
    if (!store.deleteManifest(name, ref)) {
      throw new OciError(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    }
    ctx.res.statusCode = 202;
    ctx.res.setHeader('Content-Length', 0);
    ctx.res.end();
  };

  const getBlob = (ctx: Ctx, name: string, digest: string): void => {
    if (!isDigest(digest)) {
      throw new OciError(
        400,
        'DIGEST_INVALID',
        'provided digest did not match uploaded content',
        digest
      );
    }
    // Manifests are blobs too in distribution, so GET /blobs/<manifest digest> works.
    const bytes =
      store.getBlob(digest, name) ?? store.getManifest(name, digest)?.bytes;
    if (!bytes)
      throw new OciError(
        404,
        'BLOB_UNKNOWN',
        'blob unknown to registry',
        digest
      );
    ctx.res.statusCode = 200;
    ctx.res.setHeader('Content-Type', 'application/octet-stream');
    ctx.res.setHeader('Content-Length', bytes.length);
    ctx.res.setHeader('Docker-Content-Digest', digest);
    ctx.res.setHeader('Etag', `"${digest}"`);
    ctx.res.setHeader('Accept-Ranges', 'bytes');
    ctx.res.end(ctx.method === 'HEAD' ? undefined : bytes);
  };

  const blobCreated = (ctx: Ctx, name: string, digest: string): void => {
    ctx.res.statusCode = 201;
    ctx.res.setHeader('Location', `${ctx.base}/v2/${name}/blobs/${digest}`);
    ctx.res.setHeader('Docker-Content-Digest', digest);
    ctx.res.setHeader('Content-Length', 0);
    ctx.res.end();
  };

  const uploadAccepted = (
    ctx: Ctx,
    name: string,
    id: string,
    upload: Upload
  ): void => {
    ctx.res.statusCode = 202;
    ctx.res.setHeader('Location', `${ctx.base}/v2/${name}/blobs/uploads/${id}`);
    ctx.res.setHeader('Docker-Upload-UUID', id);
    ctx.res.setHeader('Range', `0-${Math.max(upload.size - 1, 0)}`);
    ctx.res.setHeader('Content-Length', 0);
    ctx.res.end();
  };

  const startUpload = async (ctx: Ctx, name: string): Promise<void> => {
    const mount = ctx.url.searchParams.get('mount');
    const from = ctx.url.searchParams.get('from');
    if (mount && from && isDigest(mount) && isValidRepositoryName(from)) {
      // The source needs pull access too; without it distribution falls back to an upload.
      const fromOk =
        !options.auth ||
        options.auth.authorize(ctx.req, {
          repository: from,
          actions: ['pull'],
        }) === 'ok';
      if (fromOk && store.hasBlob(mount, from) && store.linkBlob(name, mount)) {
        blobCreated(ctx, name, mount);
        return;
      }
    }
    const digest = ctx.url.searchParams.get('digest');
    const body = await readBody(ctx.req);
    if (digest) {
      if (!isDigest(digest)) {
        throw new OciError(
          400,
          'DIGEST_INVALID',
          'provided digest did not match uploaded content',
          digest
        );
      }
      blobCreated(ctx, name, store.putBlob(body, digest, name));
      return;
    }
    const id = randomUUID();
    const upload: Upload = {
      repository: name,
      chunks: [body],
      size: body.length,
    };
    uploads.set(id, upload);
    uploadAccepted(ctx, name, id, upload);
  };

  const continueUpload = async (
    ctx: Ctx,
    name: string,
    id: string
  ): Promise<void> => {
    const upload = uploads.get(id);
    if (upload?.repository !== name) {
      throw new OciError(
        404,
        'BLOB_UPLOAD_UNKNOWN',
        'blob upload unknown to registry',
        id
      );
    }
    if (ctx.method === 'GET') {
      ctx.res.statusCode = 204;
      ctx.res.setHeader('Docker-Upload-UUID', id);
      ctx.res.setHeader('Range', `0-${Math.max(upload.size - 1, 0)}`);
      ctx.res.setHeader('Content-Length', 0);
      ctx.res.end();
      return;
    }
    if (ctx.method === 'DELETE') {
      uploads.delete(id);
      ctx.res.statusCode = 204;
      ctx.res.setHeader('Content-Length', 0);
      ctx.res.end();
      return;
    }
    const body = await readBody(ctx.req);
    upload.chunks.push(body);
    upload.size += body.length;
    if (ctx.method === 'PATCH') {
      uploadAccepted(ctx, name, id, upload);
      return;
    }
    const digest = ctx.url.searchParams.get('digest');
    if (!digest || !isDigest(digest)) {
      throw new OciError(
        400,
        'DIGEST_INVALID',
        'provided digest did not match uploaded content',
        digest
      );
    }
    uploads.delete(id);
    blobCreated(
      ctx,
      name,
      store.putBlob(Buffer.concat(upload.chunks), digest, name)
    );
  };

  const referrers = (ctx: Ctx, name: string, digest: string): void => {
    if (!isDigest(digest)) {
      throw new OciError(
        400,
        'DIGEST_INVALID',
        'provided digest did not match uploaded content',
        digest
      );
    }
    if (!store.listTags(name)) throw nameUnknown(name);
    const artifactType = ctx.url.searchParams.get('artifactType');
    const manifests = store
      .referrers(name, digest)
      .map(referrerDescriptor)
      .filter((d) => !artifactType || d.artifactType === artifactType);
    if (artifactType) ctx.res.setHeader('OCI-Filters-Applied', 'artifactType');
    const body = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests })
    );
    ctx.res.statusCode = 200;
    ctx.res.setHeader('Content-Type', MEDIA.ociIndex);
    ctx.res.setHeader('Content-Length', body.length);
    ctx.res.end(body);
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    if (url.pathname !== '/v2' && !url.pathname.startsWith('/v2/'))
      return false;
    const ctx: Ctx = {
      req,
      res,
      url,
      method: req.method ?? 'GET',
      base: `http://${req.headers.host ?? '127.0.0.1'}`,
    };
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    try {
      await route(ctx);
    } catch (e) {
      const err =
        e instanceof OciError
          ? e
          : new OciError(
              500,
              'UNKNOWN',
              e instanceof Error ? e.message : String(e)
            );
      if (!res.headersSent) sendJson(ctx, err.status, err.toBody());
      else res.destroy();
    }
    return true;
  };
}

interface Accepts {
  schema2: boolean;
  list: boolean;
  oci: boolean;
  ociIndex: boolean;
}

/** Accept parsing as in distribution 2.8 (q-values ignored, params stripped). */
function acceptedTypes(req: IncomingMessage): Accepts {
  const raw = req.headersDistinct.accept ?? [];
  const types = new Set(
    raw.flatMap((h) => h.split(',')).map((t) => (t.split(';')[0] ?? '').trim())
  );
  return {
    schema2: types.has(MEDIA.dockerManifest),
    list: types.has(MEDIA.dockerList),
    oci: types.has(MEDIA.ociManifest),
    ociIndex: types.has(MEDIA.ociIndex),
  };
}

interface Served {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

/** What distribution 2.8 serves for a stored manifest given the client's Accept. */
function negotiate(
  store: OciStore,
  found: StoredManifest,
  ref: string,
  acc: Accepts
): Served {
  const byTag = !isDigest(ref);
  let m = found;
  if (byTag && m.mediaType === MEDIA.dockerList && !acc.list) {
    // Rewritten to the linux/amd64 child: a different digest than the tag's.
    const child = m.platforms.find(
      (p) => p.architecture === 'amd64' && p.os === 'linux'
    );
    const childManifest =
      child && store.getManifest(m.repository, child.digest);
    if (!childManifest) {
      throw new OciError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', {
        reason:
          'no matching manifest for linux/amd64 in the manifest list entries',
      });
    }
    m = childManifest;
  }
  if (byTag && m.mediaType === MEDIA.dockerManifest && !acc.schema2) {
    const bytes = convertToSchema1(m, ref, store.getBlob(m.blobs[0] ?? ''));
    return {
      bytes,
      mediaType: MEDIA.dockerSchema1Signed,
      digest: sha256Digest(bytes),
    };
  }
  if (m.mediaType === MEDIA.ociManifest && !acc.oci) {
    throw new OciError(
      404,
      'MANIFEST_UNKNOWN',
      'OCI manifest found, but accept header does not support OCI manifests'
    );
  }
  if (m.mediaType === MEDIA.ociIndex && !acc.ociIndex) {
    throw new OciError(
      404,
      'MANIFEST_UNKNOWN',
      'OCI index found, but accept header does not support OCI indexes'
    );
  }
  return { bytes: m.bytes, mediaType: m.mediaType, digest: m.digest };
}

const annotationsSchema = z.looseObject({
  annotations: z.record(z.string(), z.string()).optional(),
});

function referrerDescriptor(m: StoredManifest): {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
} {
  const parsed = annotationsSchema.safeParse(
    JSON.parse(m.bytes.toString('utf8'))
  );
  const annotations = parsed.success ? parsed.data.annotations : undefined;
  const artifactType = m.artifactType ?? m.configMediaType;
  return {
    mediaType: m.mediaType,
    digest: m.digest,
    size: m.bytes.length,
    ...(artifactType ? { artifactType } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

function allow(ctx: Ctx, methods: string[]): void {
  if (!methods.includes(ctx.method)) {
    throw new OciError(405, 'UNSUPPORTED', 'The operation is unsupported.');
  }
}

function repoName(raw: string | undefined): string {
  const name = decodeURIComponent(raw ?? '');
  if (!isValidRepositoryName(name)) {
    throw new OciError(400, 'NAME_INVALID', 'invalid repository name', {
      name,
    });
  }
  return name;
}

function checkReference(ref: string): void {
  if (ref.includes(':') ? !isDigest(ref) : !/^[\w][\w.-]{0,127}$/.test(ref)) {
    throw new OciError(400, 'MANIFEST_INVALID', 'manifest invalid', {
      reference: ref,
    });
  }
}

function nameUnknown(name: string): OciError {
  return new OciError(
    404,
    'NAME_UNKNOWN',
    'repository name not known to registry',
    { name }
  );
}

/** `n` of a page request; with `lenient`, a non-numeric `n` means the default (distribution 2.8). */
function pageNumber(
  url: URL,
  fallback: number,
  max: number,
  lenient = false
): number {
  const raw = url.searchParams.get('n');
  if (raw === null || raw === '') return fallback;
  if (lenient && !/^\d+$/.test(raw)) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n > max) {
    throw new OciError(
      400,
      'PAGINATION_NUMBER_INVALID',
      'invalid number of results requested',
      {
        n: raw,
      }
    );
  }
  return n;
}

function nextLink(path: string, last: string, n: number): string {
  return `<${path}?last=${encodeURIComponent(last)}&n=${n}>; rel="next"`;
}

function sendJson(ctx: Ctx, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  ctx.res.statusCode = status;
  ctx.res.setHeader('Content-Type', JSON_TYPE);
  ctx.res.setHeader('Content-Length', bytes.length);
  ctx.res.end(ctx.method === 'HEAD' ? undefined : bytes);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

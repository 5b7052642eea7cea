import { z } from 'zod';
import { IncompleteListingError, UpstreamSchemaError } from '../../core/errors';
import { nextLink, resolveLink } from '../http/link';
import { parseJsonBody } from '../http/parse';
import { basicAuthorization } from '../http/pool';
import type { HttpClient, HttpResponse } from '../http/pool';
import type { Credentials } from '../secrets/credentials';

/** Options of {@link HarborRest}. */
export interface HarborRestOptions {
  /** The client of the Harbor's origin (see createHttpClient). */
  http: HttpClient;
  /** The Harbor's URL as configured; a path prefix (behind a proxy) is kept. */
  baseUrl: string;
  /** Anonymous when absent. */
  credentials?: Credentials;
  /** Harbor rejects more than 100 (swagger maximum). @default 100 */
  pageSize?: number;
}

/**
 * The read side of Harbor's REST API v2.0 shared by every Harbor client: GET with Basic
 * credentials (never a cookie: a `sid` cookie would switch Harbor's CSRF check on), JSON
 * parsed with zod, and complete paginated listings.
 */
export class HarborRest {
  readonly http: HttpClient;
  readonly prefix: string;
  private readonly authorization: string | undefined;
  /** Rows per page of a listing, within Harbor's 1..100. */
  readonly pageSize: number;

  constructor(opts: HarborRestOptions) {
    this.http = opts.http;
    this.prefix = `${new URL(opts.baseUrl).pathname.replace(/\/+$/, '')}/api/v2.0`;
    this.authorization = opts.credentials
      ? basicAuthorization(opts.credentials.username, opts.credentials.password)
      : undefined;
    this.pageSize = Math.min(100, Math.max(1, opts.pageSize ?? 100));
  }

  /** GET a path under /api/v2.0 (or an already prefixed one). */
  async get(
    path: string,
    accept: readonly number[] = [200],
    headers: Record<string, string> = {}
  ): Promise<HttpResponse> {
    return this.http.request({
      method: 'GET',
      path: path.startsWith(this.prefix) ? path : `${this.prefix}${path}`,
      accept,
      headers: {
        accept: 'application/json',
        ...(this.authorization ? { authorization: this.authorization } : {}),
        ...headers,
      },
    });
  }

  /**
   * A POST or PUT under /api/v2.0 with the same credentials; `json` becomes the body. Sent
   * once: the HTTP client retries GET and HEAD only, and a write that got no answer may
   * have happened.
   */
  async write(
    method: 'POST' | 'PUT',
    path: string,
    accept: readonly number[],
    json?: unknown
  ): Promise<HttpResponse> {
    return this.http.request({
      method,
      path: `${this.prefix}${path}`,
      accept,
      headers: {
        accept: 'application/json',
        ...(this.authorization ? { authorization: this.authorization } : {}),
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  }

  /** A JSON body, validated; UpstreamSchemaError names the fields that break the schema. */
  parse<S extends z.ZodType>(res: HttpResponse, schema: S): z.output<S> {
    return parseJsonBody(res, schema, this.http.service);
  }

  /**
   * Every row of a paginated list. The first page sets the expected total; following pages
   * come from Link rel="next" (relative, query un-escaped). Throws IncompleteListingError
   * when the total moves, a page is empty early, the links end early or loop: never a
   * partial list.
   */
  async listAll<S extends z.ZodType>(
    path: string,
    query: Record<string, string>,
    item: S,
    headers: Record<string, string> = {}
  ): Promise<z.output<S>[]> {
    const params = new URLSearchParams({
      ...query,
      page: '1',
      page_size: String(this.pageSize),
    });
    const firstPath = `${this.prefix}${path}?${params.toString()}`;
    const pageSchema = z.array(item);
    const service = this.http.service;
    const rows: z.output<S>[] = [];
    const visited = new Set<string>();
    let total: number | undefined;
    let current: string | undefined = firstPath;
    while (current !== undefined) {
      if (visited.has(current)) {
        throw new IncompleteListingError(
          service,
          firstPath,
          `Link rel="next" loops back to ${current}`
        );
      }
      visited.add(current);
      const res = await this.get(current, [200], headers);
      const page = this.parse(res, pageSchema);
      const pageTotal = parseTotal(
        res.headers['x-total-count'],
        service,
        current
      );
      if (total === undefined) total = pageTotal;
      else if (pageTotal !== undefined && pageTotal !== total) {
        throw new IncompleteListingError(
          service,
          firstPath,
          `X-Total-Count changed from ${total.toString()} to ${pageTotal.toString()} while paging`
        );
      }
      rows.push(...page);
      const next = nextLink(res.headers.link);
      if (total !== undefined) {
        if (rows.length > total) {
          throw new IncompleteListingError(
            service,
            firstPath,
            `${rows.length.toString()} rows seen but X-Total-Count is ${total.toString()}`
          );
        }
        if (rows.length < total && (next === undefined || page.length === 0)) {
          throw new IncompleteListingError(
            service,
            firstPath,
            `${next === undefined ? 'pagination ended' : 'an empty page came'} after ${rows.length.toString()} of ${total.toString()} rows`
          );
        }
        if (rows.length === total) break;
      }
      current =
        next === undefined ? undefined : resolveLink(next, current, true);
    }
    return rows;
  }
}

function parseTotal(
  value: string | string[] | undefined,
  service: string,
  path: string
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) {
    throw new UpstreamSchemaError({
      service,
      method: 'GET',
      path,
      problems: ['X-Total-Count: is not a whole number'],
    });
  }
  return Number(text.trim());
}

/** A response's X-Total-Count (Harbor's row count for the query), if sent. */
export function totalCount(
  res: HttpResponse,
  service: string
): number | undefined {
  return parseTotal(res.headers['x-total-count'], service, res.path);
}

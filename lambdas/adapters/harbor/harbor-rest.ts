import { z } from 'zod';
import { IncompleteListingError, UpstreamSchemaError } from '../../core/errors';
import { withLease } from '../http/budget';
import type { BudgetLease, MemoryBudget } from '../http/budget';
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
  /** The run's budget for listings in flight; unbounded (per response only) when absent. */
  budget?: MemoryBudget;
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
  private readonly budget: MemoryBudget | undefined;

  constructor(opts: HarborRestOptions) {
    this.budget = opts.budget;
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
    headers: Record<string, string> = {},
    lease?: BudgetLease
  ): Promise<HttpResponse> {
    return this.http.request({
      method: 'GET',
      path: path.startsWith(this.prefix) ? path : `${this.prefix}${path}`,
      accept,
      ...(lease ? { lease } : {}),
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
   * come from Link rel="next" (relative, query un-escaped). A full page that comes with
   * neither X-Total-Count nor a next link (a proxy that drops headers) is not taken as the
   * last: the next page number is asked for, until a short or empty page. Throws
   * IncompleteListingError when the total moves, a page is empty early, the links end early
   * or loop, a probed page repeats the one before, or the run's memory budget is spent:
   * never a partial list.
   */
  async listAll<S extends z.ZodType>(
    path: string,
    query: Record<string, string>,
    item: S,
    headers: Record<string, string> = {},
    options: ListOptions<z.output<S>> = {}
  ): Promise<z.output<S>[]> {
    const pagePath = (page: number): string =>
      `${this.prefix}${path}?${new URLSearchParams({
        ...query,
        page: String(page),
        page_size: String(this.pageSize),
      }).toString()}`;
    const firstPath = pagePath(1);
    // Every Harbor row has its own id, so an identical row twice means the list moved.
    const key = options.key ?? ((row: z.output<S>) => JSON.stringify(row));
    for (let attempt = 1; ; attempt++) {
      const rows = await withLease(
        this.budget,
        this.http.service,
        firstPath,
        (lease) =>
          this.collect(firstPath, pagePath, z.array(item), headers, lease)
      );
      if (distinct(rows, key) === rows.length) {
        return rows;
      }
      // Harbor pages by offset: a row seen twice means the list moved under the reader
      // (a push or delete between two pages), so another row may have slid past unseen.
      if (attempt >= LIST_ATTEMPTS) {
        throw new IncompleteListingError(
          this.http.service,
          firstPath,
          `a row came twice in each of ${LIST_ATTEMPTS.toString()} readings: the list moves while it is paged, so a row may be unseen`
        );
      }
    }
  }

  private async collect<T>(
    firstPath: string,
    pagePath: (page: number) => string,
    pageSchema: z.ZodType<T[]>,
    headers: Record<string, string>,
    lease: BudgetLease | undefined
  ): Promise<T[]> {
    const service = this.http.service;
    const incomplete = (reason: string): IncompleteListingError =>
      new IncompleteListingError(service, firstPath, reason);
    const rows: T[] = [];
    const visited = new Set<string>();
    let total: number | undefined;
    let current: string | undefined = firstPath;
    let pageNumber = 1;
    let previousBody: Buffer | undefined;
    let probing = false;
    while (current !== undefined) {
      if (visited.has(current)) {
        throw incomplete(`Link rel="next" loops back to ${current}`);
      }
      visited.add(current);
      const res = await this.get(current, [200], headers, lease);
      if (probing && previousBody?.equals(res.body) === true) {
        throw incomplete(
          `page ${pageNumber.toString()} repeats page ${(pageNumber - 1).toString()} (the page parameter is ignored), and no X-Total-Count or Link tells where the listing ends`
        );
      }
      previousBody = res.body;
      const page = this.parse(res, pageSchema);
      const pageTotal = parseTotal(
        res.headers['x-total-count'],
        service,
        current
      );
      if (total === undefined) total = pageTotal;
      else if (pageTotal !== undefined && pageTotal !== total) {
        throw incomplete(
          `X-Total-Count changed from ${total.toString()} to ${pageTotal.toString()} while paging`
        );
      }
      // One by one: a spread of a large page would overflow the call stack.
      for (const row of page) rows.push(row);
      const next = nextLink(res.headers.link);
      if (total !== undefined) {
        if (rows.length > total) {
          throw incomplete(
            `${rows.length.toString()} rows seen but X-Total-Count is ${total.toString()}`
          );
        }
        if (rows.length < total && (next === undefined || page.length === 0)) {
          throw incomplete(
            `${next === undefined ? 'pagination ended' : 'an empty page came'} after ${rows.length.toString()} of ${total.toString()} rows`
          );
        }
        if (rows.length === total) break;
      }
      pageNumber++;
      probing = false;
      if (next !== undefined) {
        current = resolveLink(next, current, true);
      } else if (total === undefined && page.length >= this.pageSize) {
        // Neither a count nor a link: only a short page proves the end.
        probing = true;
        current = pagePath(pageNumber);
      } else {
        current = undefined;
      }
    }
    return rows;
  }
}

/** How a listing's rows are told apart (to notice rows that shifted between pages). */
export interface ListOptions<T> {
  /** The row's identity; @default the whole row (Harbor never lists one row twice). */
  key?: (row: T) => string;
}

/** Readings of a listing whose rows shifted before it is reported incomplete. */
const LIST_ATTEMPTS = 3;

function distinct<T>(rows: readonly T[], key: (row: T) => string): number {
  const seen = new Set<string>();
  for (const row of rows) seen.add(key(row));
  return seen.size;
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

import { unprocessable } from './harbor-error';

/** Parsed page parameters. `pageSize` 0 means "no limit" (Harbor's undocumented ORM quirk). */
export interface PageParams {
  page: number;
  pageSize: number;
}

function intParam(url: URL, name: string, dflt: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return dflt;
  if (!/^-?\d+$/.test(raw)) {
    throw unprocessable(`${name} in query must be of type int64: "${raw}"`);
  }
  return Number(raw);
}

/** Reads page/page_size with Harbor's defaults (1, 10) and go-swagger's maximum (100 ⇒ 422). */
export function pageParams(url: URL): PageParams {
  const page = intParam(url, 'page', 1);
  const pageSize = intParam(url, 'page_size', 10);
  if (pageSize > 100) {
    throw unprocessable(
      'page_size in query should be less than or equal to 100'
    );
  }
  if (page < 1)
    throw unprocessable('page in query should be greater than or equal to 1');
  if (pageSize < 0)
    throw unprocessable(
      'page_size in query should be greater than or equal to 0'
    );
  return { page, pageSize };
}

/** Harbor's Link header (base.go Links()): relative, keys sorted, query string un-escaped. */
export function linkHeader(
  url: URL,
  p: PageParams,
  total: number
): string | undefined {
  if (p.pageSize === 0) return undefined;
  const links: string[] = [];
  const make = (page: number) => {
    const params = new URLSearchParams(url.searchParams);
    params.set('page', String(page));
    params.set('page_size', String(p.pageSize));
    const sorted = [...params.entries()].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0
    );
    const query = sorted.map(([k, v]) => `${k}=${v}`).join('&');
    return `<${url.pathname}?${query}>`;
  };
  if (p.page > 1) links.push(`${make(p.page - 1)}; rel="prev"`);
  if (p.page * p.pageSize < total)
    links.push(`${make(p.page + 1)}; rel="next"`);
  return links.length === 0 ? undefined : links.join(' , ');
}

/** A page of rows plus Harbor's X-Total-Count and Link headers. */
export function paginate<T>(
  url: URL,
  rows: T[],
  p: PageParams = pageParams(url)
): { items: T[]; headers: Record<string, string> } {
  const items =
    p.pageSize === 0
      ? rows
      : rows.slice((p.page - 1) * p.pageSize, p.page * p.pageSize);
  const headers: Record<string, string> = {
    'X-Total-Count': String(rows.length),
  };
  const link = linkHeader(url, p, rows.length);
  if (link !== undefined) headers.Link = link;
  return { items, headers };
}

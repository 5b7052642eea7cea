/** One entry of an RFC 8288 `Link` header. */
export interface LinkEntry {
  url: string;
  rel: string;
}

/**
 * Parses a `Link` header: `<url>; rel="next" , <url>; rel="prev"` (Harbor joins entries
 * with " , "; distribution sends one). Unquoted and quoted `rel` values are both accepted.
 */
export function parseLinkHeader(
  header: string | string[] | undefined
): LinkEntry[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(',') : header;
  const entries: LinkEntry[] = [];
  // The URL sits between <>, so commas inside it cannot split an entry.
  const re = /<([^>]*)>([^<]*)/g;
  for (const match of text.matchAll(re)) {
    const url = match[1] ?? '';
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const value = rel?.[1] ?? rel?.[2];
    if (value === undefined) continue;
    for (const r of value.split(/\s+/)) {
      if (r !== '') entries.push({ url, rel: r.toLowerCase() });
    }
  }
  return entries;
}

/** The `rel="next"` URL of a `Link` header, if any. */
export function nextLink(
  header: string | string[] | undefined
): string | undefined {
  return parseLinkHeader(header).find((e) => e.rel === 'next')?.url;
}

/**
 * Turns a Link target into a path + query on `origin`'s server. Relative targets are
 * resolved against `currentPath`; absolute ones keep only their path and query (behind a
 * reverse proxy Harbor may name an internal host).
 * @param reencodeQuery Harbor emits the query *un-escaped* (`q=name={a b}`); each key and
 *   value is then percent-encoded again, as Harbor's own client does.
 */
export function resolveLink(
  link: string,
  currentPath: string,
  reencodeQuery: boolean
): string {
  const base = new URL(currentPath, 'http://placeholder.invalid');
  const [rawPath, rawQuery] = splitOnce(link, '?');
  const pathOnly = new URL(rawPath === '' ? base.pathname : rawPath, base);
  let query = rawQuery;
  if (query !== undefined && reencodeQuery) {
    query = query
      .split('&')
      .filter((p) => p !== '')
      .map((pair) => {
        const [k, v] = splitOnce(pair, '=');
        return v === undefined
          ? encodeURIComponent(k)
          : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
      })
      .join('&');
  }
  return query === undefined || query === ''
    ? pathOnly.pathname
    : `${pathOnly.pathname}?${query}`;
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

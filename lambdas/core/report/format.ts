/**
 * Formatting that every renderer shares (and the readiness checks, for their evidence), so
 * that renderers depend on this module and never on each other.
 */

/** `1h 02m`, `5m 03s`, `42s`; `—` when unknown. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600)
    return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(s / 3600);
  if (h < 48)
    return `${h}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/**
 * Characters that would break a rendered line or disguise it: line breaks and every other
 * C0/C1 control (terminal escapes included), Unicode line and paragraph separators, and
 * the bidirectional overrides that reorder what a reader sees.
 */
const CONTROLS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The Markdown (CommonMark and GFM) characters that have a meaning inside a line: backslash,
 * code, emphasis and strikethrough, link and image brackets, raw HTML and autolinks,
 * entities, table pipes, a heading's closing `#`, and GitHub's `$` math. Each is
 * backslash-escaped (CommonMark lets any ASCII punctuation be). Characters that only mean
 * something at the start of a line (`-`, `+`, `=`, `>`, `1.`) need no escape: no rendered line
 * starts with an untrusted value, and line breaks are removed.
 */
const MARKDOWN_INLINE = /[\\`*_[\]<>&|~#$]/g;

/**
 * Untrusted text (anything from a registry, Harbor, the config or an earlier report) as
 * plain text on one line: controls become spaces. For terminals and notifications.
 */
export function plainText(text: string): string {
  return text.replace(CONTROLS, ' ');
}

/**
 * Untrusted text made literal inside a Markdown line (a list item, a heading, a paragraph):
 * on one line, every inline metacharacter escaped, so that it renders as the same text and
 * never as structure.
 */
export function escapeInline(text: string): string {
  return plainText(text).replace(MARKDOWN_INLINE, '\\$&');
}

/**
 * Untrusted text made literal inside one Markdown table cell: as {@link escapeInline} (its
 * `|` escape keeps the cell's bounds; no line break can end the row).
 */
export function escapeCell(text: string): string {
  return escapeInline(text);
}

/**
 * Untrusted text as a Markdown code span: fenced with more backticks than any run inside
 * it, padded when it starts or ends with a backtick or a space (CommonMark strips one space
 * on each side), on one line. In a table cell a `|` still ends the cell (GFM), so it is
 * escaped there; GFM renders it as `|`.
 */
export function codeSpan(
  text: string,
  where: 'inline' | 'cell' = 'inline'
): string {
  const line = plainText(text);
  if (line === '') return '—';
  const longest = Math.max(
    0,
    ...(line.match(/`+/g) ?? []).map((r) => r.length)
  );
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(line) ? ' ' : '';
  const body = where === 'cell' ? line.replace(/\|/g, '\\|') : line;
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** One reason something could not be seen, and the scopes it was given for. */
export interface ReasonGroup {
  /** The message, its request path elided when scopes differ only by it. */
  reason: string;
  scopes: string[];
}

/**
 * The distinct reasons among many (one 401 for every repository is one reason), most
 * frequent first, then in order of appearance. Messages that differ only by the request path
 * (`cluster1 GET /v2/a/tags/list: HTTP 401` and `… GET /v2/b/…`) are the same reason.
 */
/** Reasons listed by {@link topReasons}; the rest are counted. */
const TOP_REASONS = 3;

/**
 * `reason a (3 scopes); reason b; +2 other reasons`: the most frequent distinct reasons, each
 * once, with how many scopes each covers.
 */
export function topReasons(groups: readonly ReasonGroup[]): string {
  const top = groups
    .slice(0, TOP_REASONS)
    .map((g) =>
      g.scopes.length > 1
        ? `${g.reason} (${plural(g.scopes.length, 'scope')})`
        : g.reason
    );
  const more =
    groups.length > TOP_REASONS
      ? `; +${plural(groups.length - TOP_REASONS, 'other reason')}`
      : '';
  return `${top.join('; ')}${more}`;
}

export function distinctReasons(
  items: readonly { scope: string; message: string }[]
): ReasonGroup[] {
  const groups = new Map<
    string,
    { first: string; messages: Set<string>; scopes: string[] }
  >();
  for (const item of items) {
    const key = reasonKey(item.message);
    let group = groups.get(key);
    if (!group) {
      group = { first: item.message, messages: new Set(), scopes: [] };
      groups.set(key, group);
    }
    group.messages.add(item.message);
    if (!group.scopes.includes(item.scope)) group.scopes.push(item.scope);
  }
  // A stable sort: equal counts keep their order of appearance.
  return [...groups]
    .map(([key, g]) => ({
      reason: g.messages.size === 1 ? g.first : key,
      scopes: g.scopes,
    }))
    .sort((a, b) => b.scopes.length - a.scopes.length);
}

function reasonKey(message: string): string {
  return message.replace(
    /\b(GET|HEAD|POST|PUT|PATCH|DELETE) \/\S*?(?=:?\s|:?$)/g,
    '$1 …'
  );
}

/** `1 scope`, `13 scopes`: a count with its noun in the right number. */
export function plural(
  count: number,
  noun: string,
  nouns = `${noun}s`
): string {
  return `${count.toString()} ${count === 1 ? noun : nouns}`;
}

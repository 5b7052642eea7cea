/**
 * HTML that cannot forget to escape: every renderer of the HTML report builds its HTML with the
 * {@link markup} tagged template, which escapes each interpolated value unless it is already
 * {@link Html} (markup built the same way). Untrusted text (tag, repository and policy names,
 * task log lines, anything from a registry, Harbor, the config or an earlier report) can only
 * reach the page as an interpolation, so it is escaped by construction.
 */

/** Only this module holds it: nothing else can make an {@link Html} from a string. */
const MINT: unique symbol = Symbol('html');

/** Markup built by {@link markup} (or one of this module's trusted constants). */
export class Html {
  readonly markup: string;

  constructor(mint: typeof MINT, markup: string) {
    if (mint !== MINT)
      throw new Error('Html is built by the markup`` template');
    this.markup = markup;
  }

  toString(): string {
    return this.markup;
  }
}

function mint(markup: string): Html {
  return new Html(MINT, markup);
}

/** What a template may interpolate: text (escaped), numbers, markup, lists of them, or nothing. */
export type HtmlValue =
  Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * THE escape function: text made literal in HTML text and in quoted attribute values. Also
 * turns the controls that could disguise a line (bidirectional overrides, C0/C1 controls
 * other than tab and line breaks) into U+FFFD, so a name reads as it is.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c)
    .replace(
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
      '\ufffd'
    );
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.markup;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : '';
  return escapeHtml(String(value));
}

/**
 * Markup from a template: the literal parts are the author's; every interpolation is escaped
 * unless it is {@link Html}. `false`, null and undefined render nothing (for conditionals).
 */
export function markup(
  strings: TemplateStringsArray,
  ...values: readonly HtmlValue[]
): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return mint(out);
}

/** Markup joined from a list (each item rendered as {@link markup} would). */
export function join(items: readonly HtmlValue[], separator = ''): Html {
  return mint(items.map(render).join(separator));
}

/**
 * A constant of the author's (the page's CSS and script): never for anything computed from
 * a report. Only module-level constants of render/html pass through here.
 */
export function trustedConstant(markup: string): Html {
  return mint(markup);
}

/**
 * A value as JSON inside a `<script type="application/json">` element: `<`, `>` and `&` as
 * \u escapes (so neither `</script>` nor `<!--` can end or change the element), and the line
 * separators U+2028/U+2029 too (older JS parsers end a line there). JSON.parse reads the same
 * value back.
 */
export function scriptJson(id: string, value: unknown): Html {
  const json = JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
  // One line: nothing may stand between the element's tags but the JSON.
  const open = markup`<script type="application/json" id="${id}">`;
  return mint(`${open.markup}${json}</script>`);
}

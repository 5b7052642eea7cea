/**
 * bmatcuk/doublestar v1.3.4 `Match(pattern, name)`, the matcher of Harbor 2.9.5, 2.10.3
 * and 2.11 on, written from its documented behaviour and checked row by row against the
 * library's own answers (test/fixtures/harbor/doublestar-v1-conformance.jsonl), quirks
 * included:
 * - errors are found lazily, only on the path the match takes (`a[` vs `a` is a plain
 *   non-match, `a[` vs `ab` is an error), and errors after a `**` component are ignored;
 * - `[^...]` negates a class but `[!...]` does not (`!` is a literal in v1);
 * - when alternatives both finish the pattern and continue it (`{a,a/b}`), the
 *   continuation wins, so `{a,a/b}` does not match `a`.
 * This version steps rune by rune, so JS code points stand for Go's runes.
 */
import { PatternError } from './pattern-error';

/**
 * bmatcuk/doublestar v1.3.4 `Match(pattern, name)`: full-string match, `/` separator.
 * @throws PatternError (doublestar's ErrBadPattern).
 */
export function matchV134(pattern: string, name: string): boolean {
  const p = Array.from(pattern);
  const fail = (reason: string): never => {
    throw new PatternError(pattern, reason);
  };
  return new Glob(fail).matchPath(p, splitEscaped(Array.from(name)));
}

type Chars = readonly string[];
/** What matching one name component leaves: null = no match, [] = pattern finished. */
type Rest = Chars[] | null;

/**
 * Index of the first `ch` at or after `from` that is not escaped. As in doublestar, a
 * character counts as escaped only when the backslash is inside the searched range.
 */
function indexUnescaped(s: Chars, ch: string, from: number): number {
  let start = from;
  for (;;) {
    const i = s.indexOf(ch, start);
    if (i === -1) return -1;
    if (i > start && s[i - 1] === '\\') {
      start = i + 1;
      continue;
    }
    return i;
  }
}

/** Splits a name on unescaped `/`; a trailing `/` yields a trailing empty component. */
function splitEscaped(s: Chars): Chars[] {
  const parts: Chars[] = [];
  let start = 0;
  for (;;) {
    const i = indexUnescaped(s, '/', start);
    if (i === -1) {
      parts.push(s.slice(start));
      return parts;
    }
    parts.push(s.slice(start, i));
    start = i + 1;
    if (start === s.length) {
      parts.push([]);
      return parts;
    }
  }
}

function isDoubleStar(s: Chars): boolean {
  return s.length === 2 && s[0] === '*' && s[1] === '*';
}

class Glob {
  constructor(private readonly fail: (reason: string) => never) {}

  /** Matches a pattern (possibly several components) against the name's components. */
  matchPath(p: Chars, names: Chars[]): boolean {
    const first = names[0];
    if (first === undefined) return p.length === 0;
    if (p.length === 0) return names.length === 1 && first.length === 0;

    const slash = indexUnescaped(p, '/', 0);
    const head = slash === -1 ? p : p.slice(0, slash);
    if (isDoubleStar(head)) {
      // A whole-component `**` swallows zero or more components.
      if (slash === -1) return true;
      const rest = p.slice(slash + 1);
      for (let i = 0; i < names.length; i++) {
        try {
          if (this.matchPath(rest, names.slice(i))) return true;
        } catch (err) {
          // doublestar ignores errors while trying the positions after `**`.
          if (!(err instanceof PatternError)) throw err;
        }
      }
      return false;
    }

    const rests = this.matchComponent(p, first);
    if (rests === null) return false;
    if (names.length === 1) return rests.length === 0;
    const tail = names.slice(1);
    return rests.some((r) => this.matchPath(r, tail));
  }

  /** Matches the start of `p` against one name component. */
  matchComponent(p: Chars, name: Chars): Rest {
    let pi = 0;
    let ni = 0;
    while (pi < p.length && ni < name.length) {
      const c = p[pi];
      const n = name[ni];
      switch (c) {
        case '/':
          // The pattern's component ended before the name's did.
          return null;
        case '\\': {
          pi++;
          const escaped = p[pi];
          // Go reads U+FFFD after a backslash as its decoding error.
          if (escaped === undefined || escaped === '\uFFFD') {
            this.fail('backslash escapes nothing');
          }
          if (escaped !== n) return null;
          pi++;
          ni++;
          break;
        }
        case '*':
          return this.matchStar(p, pi + 1, name, ni);
        case '[': {
          const end = indexUnescaped(p, ']', pi + 1);
          if (end === -1) this.fail('unterminated character class');
          if (!this.classMatches(p.slice(pi + 1, end), n ?? '')) return null;
          pi = end + 1;
          ni++;
          break;
        }
        case '{':
          return this.matchAlternatives(p, pi + 1, name.slice(ni));
        default:
          if (c !== '?' && c !== n) return null;
          pi++;
          ni++;
      }
    }
    if (ni < name.length) return null;
    if (pi >= p.length) return [];
    // The name component is used up: what is left of the pattern's component must be
    // able to match nothing (`*`, `**`, `{,x}`, ...).
    const rest = p.slice(pi);
    const slash = indexUnescaped(rest, '/', 0);
    const head = slash === -1 ? rest : rest.slice(0, slash);
    if (!this.canMatchEmpty(head)) return null;
    return slash === -1 ? [] : [rest.slice(slash + 1)];
  }

  private matchStar(p: Chars, after: number, name: Chars, from: number): Rest {
    if (after >= p.length) return [];
    if (p[after] === '/') return [p.slice(after + 1)];
    const rest = p.slice(after);
    // Like doublestar, the star never tries to leave the rest of the pattern an empty name.
    for (let i = from; i < name.length; i++) {
      const r = this.matchComponent(rest, name.slice(i));
      if (r !== null) return r;
    }
    return null;
  }

  private matchAlternatives(p: Chars, open: number, name: Chars): Rest {
    const alts = this.splitAlternatives(p, open);
    if (alts === null) this.fail('unterminated alternatives');
    const rest = p.slice(alts.end);
    const found: Chars[][] = [];
    for (const option of alts.options) {
      const r = this.matchComponent([...option, ...rest], name);
      if (r !== null) found.push(r);
    }
    return found.length === 0 ? null : found.flat();
  }

  /** Splits `{a,b{c,d},e}` (from after the `{`): nested braces and escapes respected. */
  private splitAlternatives(
    p: Chars,
    open: number
  ): { options: Chars[]; end: number } | null {
    const options: Chars[] = [];
    let depth = 1;
    let escaped = false;
    let start = open;
    for (let i = open; i < p.length; i++) {
      const c = p[i];
      if (escaped) {
        escaped = false;
      } else if (c === '\\') {
        escaped = true;
      } else if (c === '{') {
        depth++;
      } else if (c === '}') {
        depth--;
        if (depth === 0) {
          options.push(p.slice(start, i));
          return { options, end: i + 1 };
        }
      } else if (c === ',' && depth === 1) {
        options.push(p.slice(start, i));
        start = i + 1;
      }
    }
    return null;
  }

  private canMatchEmpty(p: Chars): boolean {
    if (p.length === 0 || (p.length === 1 && p[0] === '*') || isDoubleStar(p)) {
      return true;
    }
    if (p[0] !== '{') return false;
    const alts = this.splitAlternatives(p, 1);
    if (alts === null) this.fail('unterminated alternatives');
    if (!this.canMatchEmpty(p.slice(alts.end))) return false;
    return alts.options.some((o) => this.canMatchEmpty(o));
  }

  /** `body` is what is between `[` and `]`; every item is parsed (errors included). */
  private classMatches(body: Chars, ch: string): boolean {
    if (body.length === 0) this.fail('empty character class');
    const negated = body[0] === '^';
    let matched = false;
    let i = negated ? 1 : 0;
    const take = (): string => {
      const c = body[i++];
      if (c === undefined) this.fail('incomplete character class');
      if (c !== '\\') return c;
      const e = body[i++];
      if (e === undefined) this.fail('trailing backslash in character class');
      return e;
    };
    while (i < body.length) {
      if (body[i] === '-') this.fail('range without a start');
      const low = take();
      let high = low;
      if (body[i] === '-') {
        i++;
        if (i >= body.length) this.fail('range without an end');
        if (body[i] === '-') this.fail('range without an end');
        high = take();
      }
      if (codePoint(low) <= codePoint(ch) && codePoint(ch) <= codePoint(high)) {
        matched = true;
      }
    }
    return matched !== negated;
  }
}

function codePoint(c: string): number {
  return c.codePointAt(0) ?? -1;
}

/**
 * bmatcuk/doublestar v1.1.1 `Match(pattern, name)`, the matcher of Harbor 2.8.0–2.9.4 and
 * 2.10.0–2.10.2, written from its documented algorithm and checked row by row against the
 * library's own answers (test/fixtures/harbor/doublestar-v1-conformance.jsonl).
 *
 * What sets it apart from v1.3.4, and why the code looks the way it does:
 * - the pattern is cut on `/` before anything else, so a `/` inside braces splits the
 *   braces and the component that holds the `{` is malformed (an error once reached);
 * - a brace group ends at the first unescaped `}` (no nesting) and a cut on `,` drops a
 *   trailing empty alternative (`{latest,}` is `{latest}`);
 * - an empty name component matches only the component pattern `*` (so `{,x}` does not
 *   match it), and a trailing `/` in a pattern or name is dropped;
 * - Go strings are bytes: the `*` loop advances by the width of the rune under the star,
 *   so it can restart inside a multi-byte rune. Matching runs on UTF-8 bytes to keep that.
 */
import { PatternError } from './pattern-error';

type Bytes = Uint8Array;
type Outcome = 'T' | 'F' | 'ERR';

const SLASH = 0x2f;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN_CLASS = 0x5b;
const CLOSE_CLASS = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const CARET = 0x5e;
const DASH = 0x2d;
/** Go's utf8.RuneError: what an invalid byte (or the end of the string) decodes to. */
const RUNE_ERROR = 0xfffd;

/**
 * doublestar v1.1.1 `Match`.
 * @throws PatternError where the library returns ErrBadPattern.
 */
export function matchV111(pattern: string, name: string): boolean {
  const encoder = new TextEncoder();
  const outcome = matchPath(
    split(encoder.encode(pattern), SLASH),
    split(encoder.encode(name), SLASH)
  );
  if (outcome === 'ERR')
    throw new PatternError(pattern, 'syntax error in pattern');
  return outcome === 'T';
}

/** Go's utf8.DecodeRune: [rune, width]; invalid or truncated input gives [RuneError, 1]. */
function decodeRune(s: Bytes, at: number): [number, number] {
  const b0 = s[at];
  if (b0 === undefined) return [RUNE_ERROR, 0];
  if (b0 < 0x80) return [b0, 1];
  let width: number;
  let rune: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    width = 2;
    rune = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    width = 3;
    rune = b0 & 0x0f;
    if (b0 === 0xe0) low = 0xa0;
    if (b0 === 0xed) high = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    width = 4;
    rune = b0 & 0x07;
    if (b0 === 0xf0) low = 0x90;
    if (b0 === 0xf4) high = 0x8f;
  } else {
    return [RUNE_ERROR, 1];
  }
  for (let k = 1; k < width; k++) {
    const b = s[at + k];
    const [lo, hi] = k === 1 ? [low, high] : [0x80, 0xbf];
    if (b === undefined || b < lo || b > hi) return [RUNE_ERROR, 1];
    rune = (rune << 6) | (b & 0x3f);
  }
  return [rune, width];
}

/**
 * Index of the first `ch` not preceded by a backslash; the backslash counts only when it
 * is inside the searched range (as the library's recursive search does).
 */
function indexUnescaped(s: Bytes, ch: number): number {
  let start = 0;
  for (;;) {
    const i = s.indexOf(ch, start);
    if (i === -1) return -1;
    if (i > start && s[i - 1] === BACKSLASH) {
      start = i + 1;
      continue;
    }
    return i;
  }
}

/** Cuts on unescaped `sep`; a trailing separator yields no empty last part. */
function split(s: Bytes, sep: number): Bytes[] {
  if (!s.includes(sep)) return [s];
  const parts: Bytes[] = [];
  let start = 0;
  while (start < s.length) {
    const i = indexUnescaped(s.subarray(start), sep);
    const end = i === -1 ? s.length : start + i;
    parts.push(s.subarray(start, end));
    start = end + 1;
  }
  return parts;
}

function isLiteral(s: Bytes, text: '*' | '**'): boolean {
  return s.length === text.length && s.every((b) => b === STAR);
}

function matchPath(patterns: Bytes[], names: Bytes[]): Outcome {
  if (patterns.length === 0 && names.length === 0) return 'T';
  if (patterns.length === 0 || names.length === 0) return 'F';
  let pi = 0;
  let ni = 0;
  while (pi < patterns.length && ni < names.length) {
    const p = patterns[pi] ?? new Uint8Array();
    if (isLiteral(p, '**')) {
      pi++;
      if (pi >= patterns.length) return 'T';
      // Errors met while trying the positions after `**` are ignored.
      for (; ni < names.length; ni++) {
        if (matchPath(patterns.slice(pi), names.slice(ni)) === 'T') return 'T';
      }
      return 'F';
    }
    const outcome = matchComponent(p, names[ni] ?? new Uint8Array());
    if (outcome !== 'T') return outcome;
    pi++;
    ni++;
  }
  return pi >= patterns.length && ni >= names.length ? 'T' : 'F';
}

function matchComponent(p: Bytes, name: Bytes): Outcome {
  if (p.length === 0) return name.length === 0 ? 'T' : 'F';
  if (name.length === 0 && !isLiteral(p, '*')) return 'F';
  let pi = 0;
  let ni = 0;
  while (pi < p.length && ni < name.length) {
    const [pr, pw] = decodeRune(p, pi);
    const [nr, nw] = decodeRune(name, ni);
    if (pr === BACKSLASH) {
      const [escaped, ew] = decodeRune(p, pi + pw);
      if (escaped === RUNE_ERROR) return 'ERR';
      if (escaped !== nr) return 'F';
      pi += pw + ew;
      ni += nw;
    } else if (pr === STAR) {
      pi += pw;
      if (pi >= p.length) return 'T';
      // The step stays the width of the rune under the star (see the file comment), and
      // errors met while trying the positions are ignored.
      const rest = p.subarray(pi);
      for (; ni < name.length; ni += nw) {
        if (matchComponent(rest, name.subarray(ni)) === 'T') return 'T';
      }
      return 'F';
    } else if (pr === OPEN_CLASS) {
      pi += pw;
      const close = indexUnescaped(p.subarray(pi), CLOSE_CLASS);
      if (close === -1) return 'ERR';
      const inClass = classMatches(p.subarray(pi, pi + close), nr);
      if (inClass !== 'T') return inClass;
      pi += close + 1;
      ni += nw;
    } else if (pr === OPEN_BRACE) {
      pi += pw;
      const close = indexUnescaped(p.subarray(pi), CLOSE_BRACE);
      if (close === -1) return 'ERR';
      const rest = p.subarray(pi + close + 1);
      const tail = name.subarray(ni);
      for (const option of split(p.subarray(pi, pi + close), COMMA)) {
        const joined = new Uint8Array(option.length + rest.length);
        joined.set(option);
        joined.set(rest, option.length);
        const outcome = matchComponent(joined, tail);
        if (outcome !== 'F') return outcome;
      }
      return 'F';
    } else if (pr === QUESTION || pr === nr) {
      pi += pw;
      ni += nw;
    } else {
      return 'F';
    }
  }
  if (pi >= p.length && ni >= name.length) return 'T';
  const rest = p.subarray(pi);
  if ((ni >= name.length && isLiteral(rest, '*')) || isLiteral(rest, '**')) {
    return 'T';
  }
  return 'F';
}

/** `body` is what is between `[` and `]`: every item is parsed, errors included. */
function classMatches(body: Bytes, rune: number): Outcome {
  const runes: number[] = [];
  for (let i = 0; i < body.length;) {
    const [r, w] = decodeRune(body, i);
    runes.push(r);
    i += w;
  }
  if (runes.length === 0) return 'ERR';
  const negated = runes[0] === CARET;
  let matched = false;
  let i = negated ? 1 : 0;
  // An escape takes the next rune whatever it is; undefined means the class ran out.
  const take = (): number | undefined => {
    const r = runes[i++];
    if (r !== BACKSLASH) return r;
    return runes[i++];
  };
  while (i < runes.length) {
    if (runes[i] === DASH) return 'ERR';
    const low = take();
    if (low === undefined) return 'ERR';
    let high = low;
    if (runes[i] === DASH) {
      i++;
      if (i >= runes.length || runes[i] === DASH) return 'ERR';
      const h = take();
      if (h === undefined) return 'ERR';
      high = h;
    }
    if (low <= rune && rune <= high) matched = true;
  }
  return matched === negated ? 'F' : 'T';
}

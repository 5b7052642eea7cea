/**
 * github.com/bmatcuk/doublestar v1 `Match(pattern, name)` as Harbor runs it, in the two versions
 * Harbor has shipped: v1.1.1 (Harbor 2.8.0–2.9.4, 2.10.0–2.10.2) and v1.3.4 (2.9.5, 2.10.3, 2.11+).
 * Written from harbor-semantics §5.4 and the real libraries' answers
 * (shared/reference/doublestar-v1-conformance.jsonl), not from Go code.
 *
 * Both versions walk the name one `/`-separated component at a time and report a bad pattern only
 * when matching reaches the bad part, so a pattern with a bad tail may still answer true or false.
 * `!` opens no negation (`[!a]` is the class {!, a}); `^` does. v1.1.1 splits the pattern on every
 * unescaped `/` first, so a `/` inside braces leaves two unterminated halves; v1.3.4 keeps braces
 * whole, nests them, and lets an alternative span components.
 */
export type DoublestarVersion = 'v1.1.1' | 'v1.3.4';

/** Go's doublestar.ErrBadPattern; Harbor fails the execution with its message. */
export class DoublestarPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
    this.name = 'DoublestarPatternError';
  }
}

const bad = (): never => {
  throw new DoublestarPatternError();
};

/** True when `name` matches; throws DoublestarPatternError when matching reaches a bad part. */
export function doublestarMatch(
  version: DoublestarVersion,
  pattern: string,
  name: string
): boolean {
  const runes = Array.from(name);
  return version === 'v1.1.1'
    ? matchPath111(
        splitEscaped(Array.from(pattern), '/', true),
        splitEscaped(runes, '/', true)
      )
    : matchPath134(Array.from(pattern), splitEscaped(runes, '/', false));
}

type Runes = string[];

// The first `r` not preceded by a backslash (the library looks only at the previous rune, so an
// escaped backslash still escapes what follows it).
function indexUnescaped(s: Runes, r: string, from = 0): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === r && !(i > 0 && s[i - 1] === '\\')) return i;
  }
  return -1;
}

// Splits on unescaped `sep`. With `dropTrailing` (v1.1.1) a trailing separator adds no empty part
// (`a,` is just `a`, so `{a,}` has one alternative, and `a/` is one component) unless it is alone.
function splitEscaped(s: Runes, sep: string, dropTrailing: boolean): Runes[] {
  const out: Runes[] = [];
  let start = 0;
  for (;;) {
    const at = indexUnescaped(s, sep, start);
    if (at === -1) {
      if (!dropTrailing || start < s.length || out.length === 0)
        out.push(s.slice(start));
      return out;
    }
    out.push(s.slice(start, at));
    start = at + 1;
  }
}

const eq = (a: Runes, s: string): boolean => a.join('') === s;

// A `[...]` class body (between the brackets) against one rune; a bad body throws.
function classMatches(body: Runes, c: string): boolean {
  if (body.length === 0) bad();
  const negated = body[0] === '^';
  let i = negated ? 1 : 0;
  let hit = false;
  const bound = (): string => {
    let r = body[i++] ?? '';
    if (r === '-') bad();
    if (r === '\\') {
      if (i >= body.length) bad();
      r = body[i++] ?? '';
    }
    return r;
  };
  while (i < body.length) {
    const lo = bound();
    let hi = lo;
    if (i < body.length && body[i] === '-') {
      i++;
      if (i >= body.length) bad();
      hi = bound();
    }
    if (lo <= c && c <= hi) hit = true;
  }
  return hit !== negated;
}

// ---- v1.1.1: pattern and name split into components up front -------------------------------

function matchPath111(pats: Runes[], names: Runes[]): boolean {
  let p = 0;
  let n = 0;
  while (p < pats.length && n < names.length) {
    const pc = pats[p] ?? [];
    if (eq(pc, '**')) {
      p++;
      if (p >= pats.length) return true;
      for (; n < names.length; n++) {
        if (quiet(() => matchPath111(pats.slice(p), names.slice(n))))
          return true;
      }
      return false;
    }
    if (!matchComponent111(pc, names[n] ?? [])) return false;
    p++;
    n++;
  }
  return p >= pats.length && n >= names.length;
}

// An inner attempt whose error the library drops (it reads only the boolean).
function quiet(f: () => boolean): boolean {
  try {
    return f();
  } catch (e) {
    if (e instanceof DoublestarPatternError) return false;
    throw e;
  }
}

function matchComponent111(pat: Runes, name: Runes): boolean {
  if (pat.length === 0) return name.length === 0;
  if (name.length === 0 && !eq(pat, '*')) return false;
  let p = 0;
  let n = 0;
  while (p < pat.length && n < name.length) {
    const c = pat[p];
    if (c === '\\') {
      p++;
      if (p >= pat.length) bad();
      if (pat[p] !== name[n]) return false;
      p++;
      n++;
    } else if (c === '*') {
      p++;
      if (p >= pat.length) return true;
      for (; n < name.length; n++) {
        if (quiet(() => matchComponent111(pat.slice(p), name.slice(n))))
          return true;
      }
      return false;
    } else if (c === '[') {
      p++;
      const end = indexUnescaped(pat, ']', p);
      if (end === -1) bad();
      if (!classMatches(pat.slice(p, end), name[n] ?? '')) return false;
      p = end + 1;
      n++;
    } else if (c === '{') {
      p++;
      const end = indexUnescaped(pat, '}', p);
      if (end === -1) bad();
      const rest = pat.slice(end + 1);
      for (const alt of splitEscaped(pat.slice(p, end), ',', true)) {
        if (matchComponent111([...alt, ...rest], name.slice(n))) return true;
      }
      return false;
    } else if (c === '?' || c === name[n]) {
      p++;
      n++;
    } else return false;
  }
  if (p >= pat.length && n >= name.length) return true;
  const tail = pat.slice(p).join('');
  return (n >= name.length && tail === '*') || tail === '**';
}

// ---- v1.3.4: the pattern stays whole; a component match yields the patterns left after `/` ---

// Index of the `}` closing the brace opened just before `from`, counting nested braces.
function closingBrace(s: Runes, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

// Splits alternatives on the commas outside nested braces.
function splitAlternatives(s: Runes): Runes[] {
  const out: Runes[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '{') depth++;
    else if (s[i] === '}') depth--;
    else if (s[i] === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

// Index of the first `/` outside braces.
function nextSlash(s: Runes): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '{') depth++;
    else if (s[i] === '}') depth--;
    else if (s[i] === '/' && depth === 0) return i;
  }
  return -1;
}

function matchPath134(pat: Runes, names: Runes[]): boolean {
  const slash = nextSlash(pat);
  const head = slash === -1 ? pat : pat.slice(0, slash);
  if (eq(head, '**')) {
    if (slash === -1) return true;
    const rest = pat.slice(slash + 1);
    for (let n = 0; n < names.length; n++) {
      if (quiet(() => matchPath134(rest, names.slice(n)))) return true;
    }
    return false;
  }
  const left = matchComponent134(pat, names[0] ?? []);
  if (left === null) return false;
  if (names.length === 1) return left.length === 0;
  for (const rest of left) {
    if (matchPath134(rest, names.slice(1))) return true;
  }
  return false;
}

// null: no match; []: matched with the pattern used up; otherwise the patterns for the next
// name component.
function matchComponent134(pat: Runes, name: Runes): Runes[] | null {
  let p = 0;
  let n = 0;
  while (p < pat.length && n < name.length) {
    const c = pat[p];
    if (c === '/') return null;
    if (c === '\\') {
      p++;
      if (p >= pat.length) bad();
      if (pat[p] !== name[n]) return null;
      p++;
      n++;
    } else if (c === '*') {
      p++;
      if (p >= pat.length) return [];
      if (pat[p] === '/') return [pat.slice(p + 1)];
      for (; n < name.length; n++) {
        const m = matchComponent134(pat.slice(p), name.slice(n));
        if (m !== null) return m;
      }
      return null;
    } else if (c === '[') {
      p++;
      const end = indexUnescaped(pat, ']', p);
      if (end === -1) bad();
      if (!classMatches(pat.slice(p, end), name[n] ?? '')) return null;
      p = end + 1;
      n++;
    } else if (c === '{') {
      const end = closingBrace(pat, p + 1);
      if (end === -1) bad();
      // Every alternative is tried, so a bad later one fails a match an earlier one made.
      const rest = pat.slice(end + 1);
      let out: Runes[] | null = null;
      for (const alt of splitAlternatives(pat.slice(p + 1, end))) {
        const m = matchComponent134([...alt, ...rest], name.slice(n));
        if (m !== null) out = [...(out ?? []), ...m];
      }
      return out;
    } else if (c === '?' || c === name[n]) {
      p++;
      n++;
    } else return null;
  }
  if (n < name.length) return null;
  return matchEmpty134(pat.slice(p));
}

// Once the name component is used up, the rest of the pattern up to the next `/` (found without
// regard to braces) must be able to match nothing.
function matchEmpty134(pat: Runes): Runes[] | null {
  if (pat.length === 0) return [];
  const slash = indexUnescaped(pat, '/');
  const head = slash === -1 ? pat : pat.slice(0, slash);
  if (!zeroLength134(head)) return null;
  return slash === -1 ? [] : [pat.slice(slash + 1)];
}

function zeroLength134(pat: Runes): boolean {
  if (['', '*', '**', '/**', '**/', '/**/'].includes(pat.join(''))) return true;
  if (pat[0] !== '{') return false;
  const end = closingBrace(pat, 1);
  if (end === -1) bad();
  // What follows the braces is judged first, so its bad braces count even when no alternative
  // could be empty.
  const rest = pat.slice(end + 1);
  if (!zeroLength134(rest)) return false;
  return splitAlternatives(pat.slice(1, end)).some((alt) =>
    zeroLength134([...alt, ...rest])
  );
}

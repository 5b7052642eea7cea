/**
 * A glob matcher with the semantics of github.com/bmatcuk/doublestar v1.3.4 `Match`, written from
 * the description in harbor-semantics §5.4 (not from its code): `/` separates components, `*` is
 * any run of non-`/` characters, `**` as a whole component spans zero or more components (inside a
 * component it acts like `*`), `?` is one non-`/` character, `[abc]`, `[a-z]`, `[^…]`/`[!…]`,
 * nestable `{a,b}` alternatives, `\` escapes. Full-string match. Bad patterns throw.
 */
export class GlobPatternError extends Error {
  constructor(pattern: string, why: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}: ${why}`);
    this.name = 'GlobPatternError';
  }
}

const cache = new Map<string, RegExp>();

/** True when `name` matches the doublestar pattern; throws GlobPatternError on a bad pattern. */
export function globMatch(pattern: string, name: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${globToRegExpSource(pattern)}$`, 's');
    cache.set(pattern, re);
  }
  return re.test(name);
}

// Split on '/' outside braces and brackets, keeping escapes intact.
function splitComponents(pattern: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\' && i + 1 < pattern.length) {
      cur += c + pattern.charAt(i + 1);
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      cur += c;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    if (c === '/' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** The RegExp source (unanchored) for a doublestar pattern. */
export function globToRegExpSource(pattern: string): string {
  const comps = splitComponents(pattern);
  let src = '';
  let needSlash = false;
  comps.forEach((comp, i) => {
    const last = i === comps.length - 1;
    if (comp === '**') {
      // Trailing `**` needs at least one more component after the separator; a leading or
      // middle `**` may stand for none.
      if (last) src += needSlash ? '/.*' : '.*';
      else {
        src += (needSlash ? '/' : '') + '(?:[^/]*/)*';
        needSlash = false;
        return;
      }
    } else {
      src += (needSlash ? '/' : '') + componentSource(pattern, comp);
    }
    needSlash = true;
  });
  return src;
}

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

// Translates one component (may contain braces whose alternatives contain anything).
function componentSource(pattern: string, comp: string): string {
  let out = '';
  let i = 0;
  const fail = (why: string): never => {
    throw new GlobPatternError(pattern, why);
  };
  while (i < comp.length) {
    const c = comp.charAt(i);
    if (c === '\\') {
      if (i + 1 >= comp.length) fail('trailing backslash');
      out += escapeRe(comp.charAt(i + 1));
      i += 2;
    } else if (c === '*') {
      while (comp.charAt(i) === '*') i++;
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '[') {
      let j = i + 1;
      let negate = false;
      if (comp.charAt(j) === '^' || comp.charAt(j) === '!') {
        negate = true;
        j++;
      }
      let cls = '';
      let first = true;
      while (j < comp.length && (comp.charAt(j) !== ']' || first)) {
        const d = comp.charAt(j);
        if (d === '\\') {
          if (j + 1 >= comp.length) fail('unterminated character class');
          cls += `\\${comp.charAt(j + 1)}`;
          j += 2;
        } else {
          cls +=
            d === '-'
              ? '-'
              : d === ']' || d === '[' || d === '^'
                ? `\\${d}`
                : d;
          j++;
        }
        first = false;
      }
      if (j >= comp.length) fail('unterminated character class');
      if (cls === '') fail('empty character class');
      out += negate ? `[^/${cls}]` : `[${cls}]`;
      i = j + 1;
    } else if (c === '{') {
      let depth = 1;
      let j = i + 1;
      const alts: string[] = [];
      let cur = '';
      while (j < comp.length && depth > 0) {
        const d = comp.charAt(j);
        if (d === '\\' && j + 1 < comp.length) {
          cur += d + comp.charAt(j + 1);
          j += 2;
          continue;
        }
        if (d === '{') depth++;
        if (d === '}') depth--;
        if (depth === 0) break;
        if (d === ',' && depth === 1) {
          alts.push(cur);
          cur = '';
        } else cur += d;
        j++;
      }
      if (depth !== 0) fail('unterminated alternatives');
      alts.push(cur);
      out += `(?:${alts.map((a) => (a.includes('/') ? globToRegExpSource(a) : componentSource(pattern, a))).join('|')})`;
      i = j + 1;
    } else {
      out += escapeRe(c);
      i++;
    }
  }
  return out;
}

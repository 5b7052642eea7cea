/**
 * Harbor's pattern matching for replication filters (`src/pkg/reg/util/pattern.go`): an
 * empty pattern matches everything, anything else is a bmatcuk/doublestar v1 glob with
 * `/` as separator, in the library version the Harbor release links. There is no regex
 * syntax: `regex:^v1\.` is a glob of literal characters (harbor-semantics, "Correction").
 */
import type { DoublestarVersion } from './doublestar-version';
import { DEFAULT_DOUBLESTAR } from './doublestar-version';
import { matchV111 } from './doublestar-v1-1';
import { matchV134 } from './doublestar-v1-3';

export { PatternError } from './pattern-error';
export type { DoublestarVersion } from './doublestar-version';
export { harborDoublestarVersion } from './doublestar-version';

/**
 * Harbor's `util.Match(pattern, s)`.
 * @throws PatternError where doublestar returns an error for this name (a malformed part
 * of the pattern that the match reaches).
 */
export function matchPattern(
  pattern: string,
  s: string,
  version: DoublestarVersion = DEFAULT_DOUBLESTAR
): boolean {
  if (pattern.length === 0) return true;
  return globMatch(pattern, s, version);
}

/**
 * doublestar `Match(pattern, name)` of the given version: full-string match.
 * @throws PatternError (doublestar's ErrBadPattern).
 */
export function globMatch(
  pattern: string,
  name: string,
  version: DoublestarVersion = DEFAULT_DOUBLESTAR
): boolean {
  return version === 'v1.1.1'
    ? matchV111(pattern, name)
    : matchV134(pattern, name);
}

/**
 * Whether a filter looks written for a regex engine Harbor does not have (a hint for a
 * plan warning, not a verdict): a `regex:` prefix, a leading `^` or `.*`, a trailing `$`,
 * `.+`, or a regex escape such as `\.` or `\d`. Globs like `v1.*` and `[^a]` pass.
 */
export function looksLikeRegex(pattern: string): boolean {
  return (
    pattern.startsWith('regex:') ||
    pattern.startsWith('^') ||
    pattern.startsWith('.*') ||
    (pattern.endsWith('$') && !pattern.endsWith('\\$')) ||
    pattern.includes('.+') ||
    /\\[.dDwWsSbB]/.test(pattern)
  );
}

/**
 * Harbor's `IsSpecificPathComponent`: the literal names a pattern component can only
 * match (`library` → [library], `{a,b}` → [a, b], `x{a,b}y` → [xay, xby]), or null when it
 * is a real pattern (wildcards, classes, escapes, more than one `{`).
 */
export function isSpecificPathComponent(component: string): string[] | null {
  if (component.length === 0) return null;
  if (/[*?[\\\]^/]/.test(component)) return null;
  if (!/[{},]/.test(component)) return [component];
  if (component.split('{').length - 1 > 1) return null;
  const open = component.indexOf('{');
  const close = component.lastIndexOf('}');
  if (open === -1 || close === -1 || open > close) return null;
  const prefix = component.slice(0, open);
  const suffix = component.slice(close + 1);
  return component
    .slice(open + 1, close)
    .split(',')
    .map((alt) => prefix + alt + suffix);
}

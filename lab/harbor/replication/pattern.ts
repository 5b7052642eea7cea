import {
  doublestarMatch,
  DoublestarPatternError,
  type DoublestarVersion,
} from './doublestar';

/** The newest Harbor release the lab emulates by default (harbor-semantics §0). */
export const NEWEST_HARBOR_VERSION = 'v2.15.2';

/** Thrown for an invalid filter; the execution fails with its message. */
export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

/**
 * The doublestar v1 a Harbor release links (src/go.mod): v1.1.1 up to 2.9.4 and in 2.10.0–2.10.2,
 * v1.3.4 from 2.9.5, 2.10.3 and 2.11 on. `harborVersion` is what systeminfo reports
 * (`v2.10.1`, `v2.15.2-abcdef12`); releases before 2.8 are taken as v1.1.1 too.
 */
export function doublestarVersionOf(harborVersion: string): DoublestarVersion {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(harborVersion);
  if (!m) throw new Error(`unrecognised Harbor version ${harborVersion}`);
  const [major = 0, minor = 0, patch = 0] = m.slice(1, 4).map(Number);
  if (major !== 2) return major > 2 ? 'v1.3.4' : 'v1.1.1';
  if (minor >= 11) return 'v1.3.4';
  if (minor === 10) return patch >= 3 ? 'v1.3.4' : 'v1.1.1';
  if (minor === 9) return patch >= 5 ? 'v1.3.4' : 'v1.1.1';
  return 'v1.1.1';
}

/**
 * Harbor's pattern.Match (src/pkg/reg/util/pattern.go): an empty pattern matches everything,
 * anything else is doublestar's Match. There is no `regex:` prefix: such a pattern is a glob of
 * literal characters.
 */
export function patternMatch(
  version: DoublestarVersion,
  pattern: string,
  s: string
): boolean {
  if (pattern === '') return true;
  try {
    return doublestarMatch(version, pattern, s);
  } catch (e) {
    if (e instanceof DoublestarPatternError) throw new PatternError(e.message);
    throw e;
  }
}

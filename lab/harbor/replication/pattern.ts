import { globMatch } from './glob';

/** Thrown for an invalid filter pattern; the execution fails with its message. */
export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

/**
 * Harbor's pattern.Match: empty matches everything; `regex:` is an unanchored regular expression
 * (JS RegExp standing in for RE2); anything else is a doublestar v1 glob.
 */
export function patternMatch(pattern: string, s: string): boolean {
  if (pattern === '') return true;
  if (pattern.startsWith('regex:')) {
    let re: RegExp;
    try {
      re = new RegExp(pattern.slice('regex:'.length));
    } catch (e) {
      throw new PatternError(
        `invalid regular expression ${pattern}: ${(e as Error).message}`
      );
    }
    return re.test(s);
  }
  try {
    return globMatch(pattern, s);
  } catch (e) {
    throw new PatternError((e as Error).message);
  }
}

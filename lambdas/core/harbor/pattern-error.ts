/** A malformed pattern: doublestar's ErrBadPattern, which fails Harbor's whole execution. */
export class PatternError extends Error {
  readonly pattern: string;

  constructor(pattern: string, reason: string) {
    super(`invalid pattern ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'PatternError';
    this.pattern = pattern;
  }
}

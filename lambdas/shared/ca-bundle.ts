/**
 * A `caBundle` is a file path, or the PEM text itself (a deployed config carries the bundle
 * read at synth): PEM text is never read as a path.
 */
export function isInlinePem(caBundle: string): boolean {
  return caBundle.includes('-----BEGIN ');
}

/** How a destination adapter constrains repository paths (harbor-semantics §5.3). */
export type PathType = 'NONE' | 'AT_LEAST_TWO' | 'ONLY_TWO';

/** A flattening error; it fails the whole execution before any task exists. */
export class FlattenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlattenError';
  }
}

// Go's path.Join + path.Clean for relative paths.
function joinClean(...parts: string[]): string {
  const out: string[] = [];
  for (const seg of parts.join('/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else out.push('..');
      continue;
    }
    out.push(seg);
  }
  return out.length === 0 ? '.' : out.join('/');
}

/** The path type of a destination registry type. */
export function pathTypeOf(registryType: string): PathType {
  if (registryType === 'harbor') return 'AT_LEAST_TWO';
  if (registryType === 'docker-hub') return 'ONLY_TWO';
  return 'NONE';
}

/**
 * Harbor's replaceNamespace: drop the first `replaceCount` leading components (all when < 0),
 * prepend `namespace`, keep the last component; empty namespace leaves the name untouched.
 */
export function replaceNamespace(
  repository: string,
  namespace: string,
  replaceCount: number,
  pathType: PathType
): string {
  if (namespace === '') return repository;
  const comps = repository.split('/');
  const last = comps[comps.length - 1] ?? '';
  const n = comps.length - 1;
  let prefix: string;
  if (replaceCount < 0) prefix = namespace;
  else if (replaceCount > n) {
    throw new FlattenError(
      `the source repository "${repository}" contains only ${n} path components [${comps.slice(0, n).join(' ')}] excluding the last one, but the destination namespace flattening level is ${replaceCount}`
    );
  } else prefix = joinClean(namespace, ...comps.slice(replaceCount, n));
  const dst = joinClean(prefix, last);
  const count = dst.split('/').length;
  if (pathType === 'ONLY_TWO' && count !== 2) {
    throw new FlattenError(
      `the destination repository "${dst}" is invalid: it must contain exactly 2 path components`
    );
  }
  if (pathType === 'AT_LEAST_TWO' && count < 2) {
    throw new FlattenError(
      `the destination repository "${dst}" is invalid: it must contain at least 2 path components`
    );
  }
  return dst;
}

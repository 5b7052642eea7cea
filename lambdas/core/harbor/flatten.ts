/**
 * Destination repository names, as Harbor's replication flow computes them
 * (harbor-semantics §5.3, `replaceNamespace` in `flow/stage.go`).
 */

/** What the destination registry's adapter demands of a repository path. */
export type PathType = 'ONLY_TWO' | 'AT_LEAST_TWO' | 'ANY';

/** The result of a name mapping: errors are values (they fail Harbor's whole execution). */
export type MappingResult =
  { ok: true; repository: string } | { ok: false; error: string };

/**
 * The path rule of a destination registry type: Harbor needs ≥ 2 components (the
 * first is the project), Docker Hub exactly 2; native registries and others no rule.
 */
export function pathTypeOf(registryType: string): PathType {
  if (registryType === 'harbor') return 'AT_LEAST_TWO';
  if (registryType === 'docker-hub') return 'ONLY_TWO';
  return 'ANY';
}

/**
 * Maps a source repository to its destination: drop the first `replaceCount` leading
 * components, prefix `namespace`, keep the last component; `replaceCount < 0` drops them
 * all; an empty namespace keeps the source path whatever the count.
 */
export function replaceNamespace(
  repository: string,
  namespace: string,
  replaceCount: number,
  pathType: PathType
): MappingResult {
  if (namespace === '') return { ok: true, repository };
  const comps = repository.split('/');
  const leading = comps.slice(0, -1);
  const name = comps[comps.length - 1] ?? '';
  let prefix: string;
  if (replaceCount < 0) {
    prefix = namespace;
  } else if (replaceCount > leading.length) {
    return {
      ok: false,
      error:
        `the source repository ${JSON.stringify(repository)} contains only ` +
        `${leading.length} path components ${goList(leading)} excepting the last one, ` +
        `but the destination namespace flattening level is ${replaceCount}`,
    };
  } else {
    prefix = `${namespace}/${leading.slice(replaceCount).join('/')}`;
  }
  const dst = goPathJoin(prefix, name);
  const dstComps = dst.split('/');
  if (pathType === 'ONLY_TWO' && dstComps.length !== 2) {
    return {
      ok: false,
      error:
        `the destination repository ${JSON.stringify(dst)} contains ${dstComps.length} ` +
        `path components ${goList(dstComps)}, but the destination registry only supports 2`,
    };
  }
  if (pathType === 'AT_LEAST_TWO' && dstComps.length < 2) {
    return {
      ok: false,
      error:
        `the destination repository ${JSON.stringify(dst)} contains only ${dstComps.length} ` +
        `path components ${goList(dstComps)}, but the destination registry requires at least 2`,
    };
  }
  return { ok: true, repository: dst };
}

/** Go's `%v` of a []string: `[a b c]`. */
function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/** Go's `path.Join`: joins the non-empty elements with `/`, then cleans; "" if none. */
export function goPathJoin(...elems: string[]): string {
  const parts = elems.filter((e) => e !== '');
  return parts.length === 0 ? '' : goPathClean(parts.join('/'));
}

/**
 * Go's `path.Clean`: one slash between elements, no `.` elements, `..` eats the element
 * before it (never above the root), no trailing slash; "." for an empty result.
 */
export function goPathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/**
 * The fault catalogue of the campaign and how a run draws its faults.
 *
 * Every fault here is one that a careful client can notice (a status, a broken body, headers
 * that contradict the rows, a duplicate row, a digest that is not the body's...): a fault
 * that a client cannot tell from the truth (a well-formed but different digest on a HEAD, a
 * 404 for a manifest that exists, a registry tag list cut without a total) would make the
 * checks cry wolf, so it is not drawn.
 */
import type { Prng } from './prng';

/** What kind of request a path is, as the faults target them. */
export type RequestClass =
  | 'harbor-list'
  | 'harbor-get'
  | 'token'
  | 'v2-ping'
  | 'catalog'
  | 'tags-list'
  | 'manifest-head'
  | 'manifest-get'
  | 'blob'
  | 'other';

/** One request of a clean run: where faults can be aimed. */
export interface CatalogEntry {
  upstream: string;
  method: string;
  /** Path and query as the client sent it. */
  path: string;
  cls: RequestClass;
  status: number;
  /** Rows of a JSON list body (Harbor lists, tags, catalog). */
  rows?: number;
  /** The response had a Link rel="next". */
  hasNext?: boolean;
  /** Harbor lists: the page number asked for. */
  page?: number;
  /** The request carried a Bearer token. */
  bearer?: boolean;
}

export const FAULT_KINDS = [
  'status-401',
  'status-403',
  'status-404',
  'status-429',
  'status-5xx',
  'reset',
  'stall',
  'truncated-body',
  'empty-body',
  'oversized-body',
  'malformed-json',
  'missing-x-total-count',
  'wrong-x-total-count',
  'missing-link',
  'missing-paging-headers',
  'wrong-link',
  'missing-docker-content-digest',
  'malformed-docker-content-digest',
  'digest-header-disagrees',
  'missing-content-type',
  'wrong-content-type',
  'rows-dropped',
  'rows-duplicated',
  'tag-moved-while-paging',
  'tag-deleted-while-paging',
  'token-expired',
  'foreign-realm',
  'bad-push-time',
  'bad-digest',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault of a run, aimed at a request (or, for auth faults, at an upstream). */
export interface FaultSpec {
  id: number;
  kind: FaultKind;
  upstream: string;
  /** Exact method and path (with query) it applies to; absent for upstream-wide faults. */
  method?: string;
  path?: string;
  /** Every matching request of the run (a broken proxy), or only the first (a blip). */
  persistent: boolean;
  /** Kind-specific: status code, Retry-After seconds, stall ms, variant... */
  status?: number;
  retryAfter?: number;
  ms?: number;
  variant?: string;
  /** Upstream-wide faults: they start at this request (0-based) of the upstream. */
  after?: number;
}

const JSON_BODIES: RequestClass[] = [
  'harbor-list',
  'harbor-get',
  'catalog',
  'tags-list',
  'token',
];
const ALL_READS: RequestClass[] = [
  ...JSON_BODIES,
  'v2-ping',
  'manifest-head',
  'manifest-get',
];

/** A top-level Harbor list (projects, policies, registries, executions): a 404 there is no answer. */
function isTopLevelList(e: CatalogEntry): boolean {
  return (
    e.cls === 'harbor-list' &&
    !/^\/api\/v2\.0\/projects\/[^/?]+\//.test(e.path) &&
    !/\/executions\/\d+\/tasks/.test(e.path)
  );
}

function isArtifactList(e: CatalogEntry): boolean {
  return e.cls === 'harbor-list' && e.path.includes('/artifacts?');
}

/** Which clean-run requests a kind can be aimed at. */
const TARGETS: Record<FaultKind, (e: CatalogEntry) => boolean> = {
  'status-401': (e) => ALL_READS.includes(e.cls),
  'status-403': (e) => ALL_READS.includes(e.cls),
  'status-404': (e) =>
    isTopLevelList(e) || e.cls === 'catalog' || e.cls === 'v2-ping',
  'status-429': (e) => ALL_READS.includes(e.cls),
  'status-5xx': (e) => ALL_READS.includes(e.cls),
  reset: (e) => ALL_READS.includes(e.cls),
  stall: (e) => ALL_READS.includes(e.cls),
  'truncated-body': (e) =>
    [...JSON_BODIES, 'manifest-get'].includes(e.cls) && e.status === 200,
  'empty-body': (e) => JSON_BODIES.includes(e.cls) && e.status === 200,
  'oversized-body': (e) =>
    ['harbor-list', 'harbor-get', 'catalog', 'tags-list'].includes(e.cls) &&
    e.status === 200,
  'malformed-json': (e) => JSON_BODIES.includes(e.cls) && e.status === 200,
  'missing-x-total-count': (e) => e.cls === 'harbor-list' && e.status === 200,
  'wrong-x-total-count': (e) => e.cls === 'harbor-list' && e.status === 200,
  'missing-link': (e) => e.cls === 'harbor-list' && e.hasNext === true,
  'missing-paging-headers': (e) =>
    e.cls === 'harbor-list' && e.hasNext === true,
  'wrong-link': (e) =>
    ['harbor-list', 'tags-list', 'catalog'].includes(e.cls) &&
    e.hasNext === true,
  'missing-docker-content-digest': (e) =>
    (e.cls === 'manifest-head' || e.cls === 'manifest-get') && e.status === 200,
  'malformed-docker-content-digest': (e) =>
    e.cls === 'manifest-head' && e.status === 200,
  'digest-header-disagrees': (e) =>
    (e.cls === 'manifest-head' || e.cls === 'manifest-get') && e.status === 200,
  'missing-content-type': (e) =>
    JSON_BODIES.includes(e.cls) && e.status === 200,
  'wrong-content-type': (e) => JSON_BODIES.includes(e.cls) && e.status === 200,
  'rows-dropped': (e) => e.cls === 'harbor-list' && (e.rows ?? 0) >= 1,
  'rows-duplicated': (e) =>
    (e.cls === 'harbor-list' || e.cls === 'tags-list') && (e.rows ?? 0) >= 1,
  'tag-moved-while-paging': (e) =>
    e.cls === 'harbor-list' && (e.page ?? 1) >= 2,
  'tag-deleted-while-paging': (e) =>
    e.cls === 'harbor-list' && (e.page ?? 1) >= 2,
  'token-expired': (e) => e.bearer === true,
  'foreign-realm': (e) => e.cls === 'v2-ping' || e.cls === 'manifest-head',
  'bad-push-time': (e) => isArtifactList(e) && (e.rows ?? 0) >= 1,
  'bad-digest': (e) => isArtifactList(e) && (e.rows ?? 0) >= 1,
};

/** The kinds that some request of this catalogue can receive. */
export function drawableKinds(catalog: readonly CatalogEntry[]): FaultKind[] {
  return FAULT_KINDS.filter((k) => catalog.some(TARGETS[k]));
}

/**
 * Draws the faults of one run: 1 to 3 kinds, each aimed at a request of the clean run that can
 * receive it (an upstream and request class first, then a request of that class).
 * Deterministic for a given PRNG state and catalogue order.
 */
export function drawFaults(
  rng: Prng,
  catalog: readonly CatalogEntry[],
  kinds: readonly FaultKind[]
): FaultSpec[] {
  const count = rng.int(1, 3);
  const faults: FaultSpec[] = [];
  for (let id = 1; id <= count; id++) {
    const kind = rng.pick(kinds);
    // First the kind of request (upstream and class), then one of them: a rare but telling
    // request (the catalog, a token, a top-level list) is drawn as often as a common one.
    const candidates = catalog.filter(TARGETS[kind]);
    const groups = [
      ...new Set(candidates.map((e) => `${e.upstream} ${e.cls}`)),
    ];
    const group = rng.pick(groups);
    const target = rng.pick(
      candidates.filter((e) => `${e.upstream} ${e.cls}` === group)
    );
    faults.push(specFor(rng, id, kind, target, catalog));
  }
  return faults;
}

function specFor(
  rng: Prng,
  id: number,
  kind: FaultKind,
  target: CatalogEntry,
  catalog: readonly CatalogEntry[]
): FaultSpec {
  const base = {
    id,
    kind,
    upstream: target.upstream,
    method: target.method,
    path: target.path,
  };
  switch (kind) {
    case 'status-401':
    case 'status-403':
    case 'status-404':
      return {
        ...base,
        status: Number(kind.slice(-3)),
        persistent: rng.chance(0.5),
      };
    case 'status-429':
    case 'status-5xx':
      return {
        ...base,
        status: kind === 'status-429' ? 429 : rng.pick([500, 502, 503, 504]),
        ...(rng.chance(0.5) ? { retryAfter: rng.int(0, 2) } : {}),
        persistent: rng.chance(0.3),
      };
    case 'reset':
      return { ...base, persistent: rng.chance(0.3) };
    case 'stall':
      return { ...base, ms: rng.int(2_000, 10_000), persistent: false };
    case 'wrong-link':
      return {
        ...base,
        variant: rng.pick(['loop', 'foreign-host']),
        persistent: true,
      };
    case 'wrong-x-total-count':
      return {
        ...base,
        variant: rng.pick(['more', 'less', 'garbage']),
        persistent: true,
      };
    case 'wrong-content-type':
      return {
        ...base,
        variant: rng.pick(['text/html', 'application/xml']),
        persistent: true,
      };
    case 'malformed-json':
      return {
        ...base,
        variant: rng.pick(['cut', 'html', 'trailing-garbage']),
        persistent: true,
      };
    case 'bad-push-time':
      return {
        ...base,
        variant: rng.pick(['2024-05-01 10:00:00', 'yesterday', '']),
        persistent: true,
      };
    case 'bad-digest':
      return {
        ...base,
        variant: rng.pick(['sha256:../../x', 'md5:abc', 'sha256:']),
        persistent: true,
      };
    case 'token-expired': {
      const bearerRequests = catalog.filter(
        (e) => e.upstream === target.upstream && e.bearer === true
      ).length;
      return {
        id,
        kind,
        upstream: target.upstream,
        after: rng.int(0, Math.max(0, bearerRequests - 1)),
        persistent: true,
      };
    }
    case 'foreign-realm':
      return {
        id,
        kind,
        upstream: target.upstream,
        after: 0,
        persistent: true,
      };
    default:
      return { ...base, persistent: true };
  }
}

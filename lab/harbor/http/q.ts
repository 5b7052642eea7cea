import { badRequest } from './harbor-error';

/** One value of a range/list term, typed as Harbor's q builder types it. */
export type QValue = string | number | Date;

/** One parsed `q` term (Harbor src/lib/q). */
export type QTerm =
  | { key: string; kind: 'exact'; value: string }
  | { key: string; kind: 'fuzzy'; value: string }
  | { key: string; kind: 'range'; min?: QValue; max?: QValue }
  | { key: string; kind: 'or'; values: QValue[] }
  | { key: string; kind: 'and'; values: QValue[] };

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

// Harbor unescapes the term value a second time with Go's url.QueryUnescape, where '+' is a space.
function queryUnescape(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw badRequest(`invalid query string: ${s}`);
  }
}

function typed(raw: string): QValue {
  const t = TIME_RE.exec(raw);
  if (t) return new Date(`${raw}Z`);
  if (/^-?\d+$/.test(raw)) return Number(raw);
  return raw.replace(/^["']|["']$/g, '');
}

/** Parses Harbor's `q` parameter (already query-decoded once) into terms; throws 400 on bad syntax. */
export function parseQ(q: string | null): QTerm[] {
  if (q === null || q.trim() === '') return [];
  const terms: QTerm[] = [];
  for (const part of q.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw badRequest(`invalid query string: ${part}`);
    const key = part.slice(0, eq).trim();
    const value = queryUnescape(part.slice(eq + 1));
    if (value.startsWith('~')) {
      terms.push({ key, kind: 'fuzzy', value: value.slice(1) });
    } else if (
      value.startsWith('[') &&
      value.endsWith(']') &&
      value.includes('~')
    ) {
      const [lo = '', hi = ''] = value.slice(1, -1).split('~');
      terms.push({
        key,
        kind: 'range',
        ...(lo.trim() !== '' ? { min: typed(lo.trim()) } : {}),
        ...(hi.trim() !== '' ? { max: typed(hi.trim()) } : {}),
      });
    } else if (value.startsWith('{') && value.endsWith('}')) {
      terms.push({ key, kind: 'or', values: splitList(value) });
    } else if (value.startsWith('(') && value.endsWith(')')) {
      terms.push({ key, kind: 'and', values: splitList(value) });
    } else {
      terms.push({
        key,
        kind: 'exact',
        value: value.startsWith('\\') ? value.slice(1) : value,
      });
    }
  }
  return terms;
}

function splitList(v: string): QValue[] {
  return v
    .slice(1, -1)
    .split(' ')
    .filter((s) => s !== '')
    .map(typed);
}

/** The comparable value of a row's field for `q`: strings, numbers or dates. */
export type FieldValue = string | number | boolean | Date | undefined;

function cmp(a: FieldValue, b: QValue): number | undefined {
  if (a === undefined) return undefined;
  if (a instanceof Date || b instanceof Date) {
    const x = a instanceof Date ? a.getTime() : new Date(String(a)).getTime();
    const y = b instanceof Date ? b.getTime() : new Date(String(b)).getTime();
    return Number.isNaN(x) || Number.isNaN(y) ? undefined : x - y;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function equal(a: FieldValue, b: QValue): boolean {
  if (typeof a === 'boolean') return String(a) === String(b);
  return cmp(a, b) === 0 || String(a) === String(b);
}

/** Whether one column value satisfies a generic term (exact/fuzzy/range/or/and). */
export function matchField(value: FieldValue, term: QTerm): boolean {
  switch (term.kind) {
    case 'exact':
      return (
        value !== undefined &&
        String(value instanceof Date ? value.toISOString() : value) ===
          term.value
      );
    case 'fuzzy':
      return value !== undefined && String(value).includes(term.value);
    case 'range': {
      if (value === undefined) return false;
      const lo = term.min === undefined ? 0 : cmp(value, term.min);
      const hi = term.max === undefined ? 0 : cmp(value, term.max);
      return lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0;
    }
    case 'or':
      return term.values.some((v) => equal(value, v));
    case 'and':
      return term.values.every((v) => equal(value, v));
  }
}

/**
 * A model's filterable fields: each key (Go field name or column, compared case-insensitively
 * with `_` ignored) maps to a getter. Keys that a model lacks are ignored, like Harbor does.
 */
export type FieldMap<T> = Record<string, (row: T) => FieldValue>;

/** A model-specific filter for a key, overriding the generic column match. */
export type SpecialFilters<T> = Record<
  string,
  (row: T, term: QTerm) => boolean
>;

function norm(key: string): string {
  return key.toLowerCase().replace(/_/g, '');
}

/** Filters rows by the parsed q terms; unknown keys are silently ignored. */
export function applyQ<T>(
  rows: T[],
  terms: QTerm[],
  fields: FieldMap<T>,
  special: SpecialFilters<T> = {}
): T[] {
  const f = new Map(Object.entries(fields).map(([k, v]) => [norm(k), v]));
  const s = new Map(Object.entries(special).map(([k, v]) => [norm(k), v]));
  return rows.filter((row) =>
    terms.every((term) => {
      const sp = s.get(norm(term.key));
      if (sp) return sp(row, term);
      const get = f.get(norm(term.key));
      return get === undefined ? true : matchField(get(row), term);
    })
  );
}

/**
 * Sorts by Harbor's `sort=k1,-k2`; keys the model does not know are ignored; when no key is
 * usable the model's default order applies.
 */
export function applySort<T>(
  rows: T[],
  sort: string | null,
  fields: FieldMap<T>,
  defaults: string
): T[] {
  const f = new Map(Object.entries(fields).map(([k, v]) => [norm(k), v]));
  const parse = (s: string) =>
    s
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '')
      .map((k) => ({
        desc: k.startsWith('-'),
        get: f.get(norm(k.replace(/^-/, ''))),
      }))
      .filter(
        (k): k is { desc: boolean; get: (row: T) => FieldValue } =>
          k.get !== undefined
      );
  let keys = sort === null ? [] : parse(sort);
  if (keys.length === 0) keys = parse(defaults);
  const order = (a: T, b: T): number => {
    for (const k of keys) {
      const c = compareValues(k.get(a), k.get(b));
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
  // The tables hand rows over by id: a list sorted by id (or by anything that follows it, as
  // push time does) is checked in one pass instead of sorted, and the reverse order (newest
  // first) is reversed; both give what the stable sort would.
  let ascending = true;
  let descending = true;
  for (let i = 1; i < rows.length && (ascending || descending); i++) {
    const c = order(rows[i - 1] as T, rows[i] as T);
    if (c > 0) ascending = false;
    if (c <= 0) descending = false;
  }
  if (ascending) return [...rows];
  if (descending) return [...rows].reverse();
  return [...rows].sort(order);
}

function compareValues(a: FieldValue, b: FieldValue): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

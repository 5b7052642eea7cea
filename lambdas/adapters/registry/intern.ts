/**
 * One copy of each value that repeats across a registry's answers (media types, artifact
 * types, label names): JSON.parse and header reads make a new string per row, so 100,000
 * artifacts would hold 100,000 copies of the same media type for the whole audit.
 * Shared by the Harbor and OCI adapters; bounded, so that a registry answering a distinct
 * value per row cannot grow it without end (past the bound a value is kept as it came).
 */
const MAX_VALUES = 4096;
const MAX_LENGTH = 256;

const values = new Map<string, string>();

/** The one copy of `value` (the first one seen). */
export function intern(value: string): string {
  if (value.length > MAX_LENGTH) return value;
  const known = values.get(value);
  if (known !== undefined) return known;
  if (values.size >= MAX_VALUES) return value;
  values.set(value, value);
  return value;
}

const NONE: never[] = [];
Object.freeze(NONE);

/**
 * `items`, or one shared frozen empty array when it is empty: most artifacts have no labels,
 * index children or accessories, and an empty array costs 32 bytes each.
 */
export function orNone<T>(items: T[]): T[] {
  return items.length === 0 ? NONE : items;
}

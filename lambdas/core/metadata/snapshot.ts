/** What one instance holds, category by category, and what could not be read. */
import type { CategoryId, ItemOf } from './table';

/** What one category holds on one instance, and what could not be read. */
export interface Seen<T> {
  items: T[];
  /** Why (part of) the category could not be read; empty when complete. */
  errors: string[];
}

/** Everything compared, for one instance: one entry per category of the table. */
export type MetadataSnapshot = { [K in CategoryId]: Seen<ItemOf<K>> };

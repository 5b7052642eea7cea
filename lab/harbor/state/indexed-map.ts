/** What a table's indexes do when a record enters or leaves it. */
export interface IndexHooks<V> {
  added(value: V): void;
  removed(value: V): void;
}

/**
 * A Map (the table, keyed by id) that keeps its secondary indexes current: every `set`,
 * `delete` and `clear` goes through the hooks, so the handlers that use the table as a plain
 * Map stay correct while lookups by name, digest or owner are O(1).
 */
export class IndexedMap<K, V> extends Map<K, V> {
  private readonly hooks: IndexHooks<V>;

  constructor(hooks: IndexHooks<V>) {
    super();
    this.hooks = hooks;
  }

  override set(key: K, value: V): this {
    const old = super.get(key);
    if (old !== undefined) this.hooks.removed(old);
    super.set(key, value);
    this.hooks.added(value);
    return this;
  }

  override delete(key: K): boolean {
    const old = super.get(key);
    if (!super.delete(key)) return false;
    if (old !== undefined) this.hooks.removed(old);
    return true;
  }

  override clear(): void {
    const all = [...super.values()];
    super.clear();
    for (const v of all) this.hooks.removed(v);
  }
}

/** Records grouped by a key, each group in insertion order (ids only grow, so by id). */
export class Groups<G, V extends { id: number }> {
  private readonly groups = new Map<G, Map<number, V>>();

  add(group: G, value: V): void {
    let g = this.groups.get(group);
    if (!g) {
      g = new Map();
      this.groups.set(group, g);
    }
    g.set(value.id, value);
  }

  remove(group: G, value: V): void {
    const g = this.groups.get(group);
    if (g?.get(value.id) !== value) return;
    g.delete(value.id);
    if (g.size === 0) this.groups.delete(group);
  }

  /** The group's records (a copy), in insertion order. */
  list(group: G): V[] {
    const g = this.groups.get(group);
    return g ? [...g.values()] : [];
  }

  /** The first record of the group (the one a scan in insertion order finds first). */
  first(group: G): V | undefined {
    const g = this.groups.get(group);
    if (!g) return undefined;
    for (const v of g.values()) return v;
    return undefined;
  }

  size(group: G): number {
    return this.groups.get(group)?.size ?? 0;
  }
}

/** A composite index key (`\n` appears in no id, name, digest or tag). */
export function key(...parts: (string | number)[]): string {
  return parts.join('\n');
}

/**
 * Summarises a V8 heap snapshot (audit-child --heap-snapshot-mib) by constructor: count and
 * self size of each kind of object, largest first, to find what a large audit holds.
 *
 * Usage: tsx scripts/bench/heap-summary.ts <file.heapsnapshot> [top=30]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Count and bytes per `type:name` of the snapshot's nodes, largest first. */
export function summariseHeap(
  snap: Snapshot
): { kind: string; count: number; bytes: number }[] {
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0];
  const by = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] ?? 0] ?? '?';
    const name =
      type === 'object' || type === 'closure' || type === 'native'
        ? (snap.strings[snap.nodes[i + nameAt] ?? 0] ?? '?')
        : '';
    const kind = name === '' ? `(${type})` : `${name} (${type})`;
    const e = by.get(kind) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += snap.nodes[i + sizeAt] ?? 0;
    by.set(kind, e);
  }
  return [...by]
    .map(([kind, e]) => ({ kind, ...e }))
    .sort((a, b) => b.bytes - a.bytes);
}

if (require.main === module) {
  const [file, top = '30'] = process.argv.slice(2);
  if (!file) throw new Error('usage: heap-summary <file.heapsnapshot> [top]');
  const rows = summariseHeap(
    JSON.parse(readFileSync(file, 'utf8')) as Snapshot
  );
  const total = rows.reduce((s, r) => s + r.bytes, 0);
  process.stdout.write(
    `${(total / 1048576).toFixed(1)} MiB in ${rows.reduce((s, r) => s + r.count, 0).toString()} objects\n`
  );
  for (const r of rows.slice(0, Number(top)))
    process.stdout.write(
      `${(r.bytes / 1048576).toFixed(1).padStart(8)} MiB ${r.count.toString().padStart(9)}  ${r.kind}\n`
    );
}

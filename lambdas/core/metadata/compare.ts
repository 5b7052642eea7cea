/**
 * The comparisons categories share: items matched by natural key, and field-by-field
 * differences shown as `field: value` (never a secret; hashes are shown through `show`).
 */
import type { DriftItemOf, DriftSeverity } from './types';

/** How one category's items are keyed, compared and graded. */
export interface KeyedSpec<C extends string, T> {
  category: C;
  key: (item: T) => string;
  fields: (item: T) => Record<string, string>;
  missing: (item: T) => DriftSeverity;
  changed: (fields: string[], primary: T) => DriftSeverity;
  /** Extra on the target: info "present" unless this says otherwise (undefined = skip). */
  extra?: (item: T) => { severity: DriftSeverity; text: string } | undefined;
  /** How a field is shown, when not its compared value (hashes). */
  show?: (field: string, item: T) => string | undefined;
}

/** Missing, changed and extra items by natural key. */
export function diffKeyed<C extends string, T>(
  primary: readonly T[],
  target: readonly T[],
  spec: KeyedSpec<C, T>
): DriftItemOf<C>[] {
  const out: DriftItemOf<C>[] = [];
  const t = new Map(target.map((x) => [spec.key(x), x]));
  const p = new Map(primary.map((x) => [spec.key(x), x]));
  for (const [key, pi] of p) {
    const ti = t.get(key);
    if (ti === undefined) {
      out.push({
        category: spec.category,
        name: key,
        severity: spec.missing(pi),
        primary: summary(spec.fields(pi), (f) => spec.show?.(f, pi)),
        target: 'absent',
      });
      continue;
    }
    const pf = spec.fields(pi);
    const tf = spec.fields(ti);
    const changed = Object.keys({ ...pf, ...tf }).filter(
      (f) => pf[f] !== tf[f]
    );
    if (changed.length === 0) continue;
    out.push({
      category: spec.category,
      name: key,
      severity: spec.changed(changed, pi),
      primary: changed
        .map((f) => `${f}: ${spec.show?.(f, pi) ?? pf[f] ?? '—'}`)
        .join('; '),
      target: changed
        .map((f) => `${f}: ${spec.show?.(f, ti) ?? tf[f] ?? '—'}`)
        .join('; '),
    });
  }
  for (const [key, ti] of t) {
    if (p.has(key)) continue;
    const extra = spec.extra
      ? spec.extra(ti)
      : { severity: 'info' as const, text: 'present' };
    if (!extra) continue;
    out.push({
      category: spec.category,
      name: key,
      severity: extra.severity,
      primary: 'absent',
      target: extra.text,
    });
  }
  return out;
}

/** The fields of one item that differ, as one drift item (none when all agree). */
export function diffFields<C extends string>(
  category: C,
  name: string,
  pf: Record<string, string>,
  tf: Record<string, string>,
  severity: (fields: string[]) => DriftSeverity
): DriftItemOf<C>[] {
  const changed = Object.keys({ ...pf, ...tf }).filter((f) => pf[f] !== tf[f]);
  if (changed.length === 0) return [];
  return [
    {
      category,
      name,
      severity: severity(changed),
      primary: changed.map((f) => `${f}: ${pf[f] ?? '—'}`).join('; '),
      target: changed.map((f) => `${f}: ${tf[f] ?? '—'}`).join('; '),
    },
  ];
}

function summary(
  fields: Record<string, string>,
  show: (field: string) => string | undefined
): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${show(k) ?? v}`);
  return parts.length === 0 ? 'present' : parts.join('; ');
}

/** Order-free comparison of a list of strings. */
export function multiset(items: readonly string[]): string {
  return [...items].sort().join(', ');
}

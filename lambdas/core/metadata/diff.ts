/**
 * Metadata drift: what a failover would lose because Harbor's replication copies only
 * artifacts (harbor-semantics §6). Both sides are compared by natural keys (names), never by
 * numeric ids, which differ between instances by design. Secrets are never read: the adapter
 * drops secret configuration keys and hands webhook auth headers over as SHA-256 hashes.
 */
import { canonicalUrl } from '../harbor/urls';
import type { CompareContext } from './category';
import type { MetadataSnapshot } from './snapshot';
import { CATEGORIES, DRIFT_CATEGORIES } from './table';
import type {
  CategoryById,
  CategoryId,
  DriftCategory,
  DriftItem,
} from './table';
import type { DriftSeverity } from './types';

/** A category that could not be compared, and why: makes the drift verdict UNKNOWN. */
export interface UnseenCategory {
  category: DriftCategory;
  side: 'primary' | 'target';
  reason: string;
}

/** A category that does not exist on an instance (not unseen: there is nothing to see). */
export interface NotApplicableCategory {
  category: DriftCategory;
  side: 'primary' | 'target';
  reason: string;
}

/** What the drift comparison of one target found. */
export interface DriftResult {
  drift: DriftItem[];
  unseen: UnseenCategory[];
  /** Categories compared completely on both sides. */
  compared: DriftCategory[];
  /** Categories that one side (or both) does not have, e.g. audit logs before Harbor 2.13. */
  notApplicable?: NotApplicableCategory[];
}

/** Options of {@link diffMetadata}. */
export interface DiffMetadataOptions {
  now: Date;
  /** The target's URL as the primary's registries would name it (to skip "replicate to me"). */
  targetUrl: string;
  /** Robots expiring within this many days are reported. @default 14 */
  expirySoonDays?: number;
}

/**
 * Compares the primary's metadata with a Harbor target's, category by category of the table.
 * Missing on the target is what a failover loses; extra on the target is info.
 */
export function diffMetadata(
  primary: MetadataSnapshot,
  target: MetadataSnapshot,
  options: DiffMetadataOptions
): DriftResult {
  const targetProjects = new Set(target.projects.items.map((p) => p.name));
  const primaryProjects = new Set(primary.projects.items.map((p) => p.name));
  const ctx: CompareContext = {
    now: options.now,
    targetUrl: canonicalUrl(options.targetUrl),
    expirySoonDays: options.expirySoonDays ?? 14,
    inBoth: (project) =>
      targetProjects.has(project) && primaryProjects.has(project),
  };
  const drift: DriftItem[] = [];
  const unseen: UnseenCategory[] = [];
  const compared: DriftCategory[] = [];
  const notApplicable: NotApplicableCategory[] = [];
  for (const category of CATEGORIES) {
    const p = primary[category.id];
    const t = target[category.id];
    const problems = [
      ...p.errors.map((reason) => ({ side: 'primary' as const, reason })),
      ...t.errors.map((reason) => ({ side: 'target' as const, reason })),
    ];
    const absent = [
      ...absentOn(category, p, 'primary'),
      ...absentOn(category, t, 'target'),
    ];
    for (const name of category.covers) {
      for (const x of problems) unseen.push({ category: name, ...x });
      for (const x of absent) notApplicable.push({ category: name, ...x });
    }
    // Partial lists still show what is missing, but never count as complete; a category one
    // side does not have is not compared either, but it is not unseen.
    if (problems.length === 0 && absent.length === 0) {
      compared.push(...category.covers);
    }
    for (const d of compareCategory(category, p, t, ctx)) drift.push(d);
  }
  return {
    drift: sortDrift(drift),
    unseen,
    compared: [...new Set(compared)],
    notApplicable,
  };
}

/** Why a category does not exist on one side (read without error), if it does not. */
function absentOn<K extends CategoryId>(
  category: CategoryById[K],
  seen: MetadataSnapshot[K],
  side: 'primary' | 'target'
): { side: 'primary' | 'target'; reason: string }[] {
  if (seen.errors.length > 0 || category.notApplicable === undefined) return [];
  const reason = category.notApplicable(seen.items);
  return reason === undefined ? [] : [{ side, reason }];
}

/** One category's comparison, typed with that category's own items. */
function compareCategory<K extends CategoryId>(
  category: CategoryById[K],
  primary: MetadataSnapshot[K],
  target: MetadataSnapshot[K],
  ctx: CompareContext
): DriftItem[] {
  return category.compare(primary.items, target.items, ctx);
}

const SEVERITY_ORDER: Record<DriftSeverity, number> = {
  critical: 0,
  warning: 1,
  info: 2,
};

function sortDrift(items: DriftItem[]): DriftItem[] {
  return items.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      DRIFT_CATEGORIES.indexOf(a.category) -
        DRIFT_CATEGORIES.indexOf(b.category) ||
      a.name.localeCompare(b.name)
  );
}

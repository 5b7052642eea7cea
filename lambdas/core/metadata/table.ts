/**
 * The table of metadata categories (issue 6, harbor-semantics §6): what is read and compared,
 * in report order. A new category is one module in categories/ and a row here.
 */
import { auditLogs } from './categories/audit-logs';
import { configuration } from './categories/configuration';
import { systemAllowlist } from './categories/cve-allowlist';
import { groups } from './categories/groups';
import { immutability } from './categories/immutability';
import { labels } from './categories/labels';
import { members } from './categories/members';
import { projectScanners } from './categories/project-scanners';
import { projects } from './categories/projects';
import { quotas } from './categories/quotas';
import { registries } from './categories/registries';
import { replicationRules } from './categories/replication-rules';
import { retention } from './categories/retention';
import { robots } from './categories/robots';
import { scanners } from './categories/scanners';
import { users } from './categories/users';
import { webhooks } from './categories/webhooks';
import type { MetadataCategory } from './category';
import type { DriftItemOf } from './types';

/** Every category, in the order drift is compared and reported. */
export const CATEGORIES = [
  configuration,
  users,
  groups,
  projects,
  members,
  robots,
  labels,
  retention,
  immutability,
  quotas,
  webhooks,
  projectScanners,
  scanners,
  systemAllowlist,
  registries,
  replicationRules,
  auditLogs,
] as const;

type AnyCategory = (typeof CATEGORIES)[number];

/** A category's name in a snapshot. */
export type CategoryId = AnyCategory['id'];

/** What one category holds, by id. */
export type ItemOf<K extends CategoryId> =
  Extract<AnyCategory, { id: K }> extends MetadataCategory<K, string, infer T>
    ? T
    : never;

/** One category of metadata as the report names it. */
export type DriftCategory = AnyCategory['covers'][number];

/** The report's categories, in report order (drift is sorted by it). */
export const DRIFT_CATEGORIES: readonly DriftCategory[] = [
  ...new Set(CATEGORIES.flatMap((c): readonly DriftCategory[] => c.covers)),
];

/** One difference between the primary and a target, by natural key. */
export type DriftItem = DriftItemOf<DriftCategory>;

/** Each category by id, typed with its own items (so that one can be handled generically). */
export type CategoryById = {
  [K in CategoryId]: MetadataCategory<K, DriftCategory, ItemOf<K>>;
};

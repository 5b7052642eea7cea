/**
 * The shape of one metadata category (core/metadata/categories/<name>.ts): how its items are
 * read through the port, and how the primary's items compare with a target's. Core only
 * describes the reads; use-cases/collect-metadata.ts makes them.
 */
import type { HarborMetadataApi } from '../ports';
import type { DriftItemOf, MetaProject } from './types';

/**
 * One port call of a category and how its answer becomes items. The answer's type is hidden
 * behind `run` so that a category can list calls of different answer types and the collector
 * can still make each one type-safely.
 */
export type ReadStep<T> = SystemRead<T> | ProjectRead<T>;

/** A call made once per instance. */
export interface SystemRead<T> {
  scope: 'system';
  run<Out>(
    use: <R>(
      call: (api: HarborMetadataApi) => Promise<R>,
      items: (answer: R) => T[]
    ) => Out
  ): Out;
}

/** A call made once per regular (not proxy-cache) project. */
export interface ProjectRead<T> {
  scope: 'project';
  run<Out>(
    use: <R>(
      call: (api: HarborMetadataApi, project: MetaProject) => Promise<R>,
      items: (answer: R, project: MetaProject) => T[]
    ) => Out
  ): Out;
}

/** A call made once per instance; `items` turns its answer into the category's items. */
export function system<R, T>(
  call: (api: HarborMetadataApi) => Promise<R>,
  items: (answer: R) => T[]
): SystemRead<T> {
  return { scope: 'system', run: (use) => use(call, items) };
}

/** A call made once per regular project; a failed project is an error, not a gap. */
export function perProject<R, T>(
  call: (api: HarborMetadataApi, project: MetaProject) => Promise<R>,
  items: (answer: R, project: MetaProject) => T[]
): ProjectRead<T> {
  return { scope: 'project', run: (use) => use(call, items) };
}

/** The answer is the list of items itself. */
export function asList<T>(answer: T[]): T[] {
  return answer;
}

/** What every comparison may need besides the two item lists. */
export interface CompareContext {
  now: Date;
  /** The target's URL, canonical (to skip the primary's "replicate to me" endpoints and rules). */
  targetUrl: string;
  /** Robots expiring within this many days are reported. */
  expirySoonDays: number;
  /** Whether a project exists on both sides: per-project items of other projects are not compared. */
  inBoth(project: string): boolean;
}

/**
 * One category of metadata. `id` names it in the snapshot; `covers` lists the report
 * categories its drift items carry (a category read once may be reported under two names,
 * e.g. `configuration` as `auth` and `configuration`).
 */
export interface MetadataCategory<Id extends string, C extends string, T> {
  readonly id: Id;
  readonly covers: readonly C[];
  readonly read: readonly ReadStep<T>[];
  /**
   * Why the category does not exist on an instance, judged from what was read (e.g. audit-log
   * extensions before Harbor 2.13); undefined when it applies. Not applicable is not unseen.
   */
  notApplicable?(items: readonly T[]): string | undefined;
  /** Missing on the target is what a failover loses; extra on the target is info. */
  compare(
    primary: readonly T[],
    target: readonly T[],
    ctx: CompareContext
  ): DriftItemOf<C>[];
}

/** Declares a category, keeping its id and report categories as literal types. */
export function defineCategory<
  const Id extends string,
  const C extends string,
  T,
>(category: MetadataCategory<Id, C, T>): MetadataCategory<Id, C, T> {
  return category;
}

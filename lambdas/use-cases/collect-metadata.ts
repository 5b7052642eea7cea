/**
 * Reads the metadata of one Harbor, category by category of the table (core/metadata/table):
 * the only place that awaits the metadata port.
 */
import { errorMessage } from '../core/errors';
import type { ReadStep } from '../core/metadata/category';
import type { MetadataSnapshot, Seen } from '../core/metadata/snapshot';
import { projects as projectsCategory } from '../core/metadata/categories/projects';
import { CATEGORIES } from '../core/metadata/table';
import type { CategoryById, CategoryId, ItemOf } from '../core/metadata/table';
import type { MetaProject } from '../core/metadata/types';
import type { HarborMetadataApi } from '../core/ports';
import { mapWithConcurrency } from './limit';

/**
 * Reads every compared category of one Harbor. A category that cannot be read (e.g. 403 on
 * `/configurations` for a robot) is recorded with its reason; nothing else fails.
 *
 * Primary course:
 * 1. list the projects (per-project reads need them; proxy caches are skipped);
 * 2. read each category of the table, in table order: its system-wide calls once, its
 *    per-project calls once per project. A failed project listing makes every per-project
 *    category partial.
 */
export async function collectMetadata(
  api: HarborMetadataApi,
  options: { concurrency: number }
): Promise<MetadataSnapshot> {
  const concurrency = Math.max(1, options.concurrency);
  const projects = await readCategory<'projects'>(projectsCategory, api, {
    projects: [],
    errors: [],
    concurrency,
  });
  const scope: ProjectScope = {
    projects: projects.items.filter((p) => p.registryId <= 0),
    errors: projects.errors.map((e) => `projects: ${e}`),
    concurrency,
  };
  const snapshot: Partial<Record<CategoryId, Seen<unknown>>> = {};
  for (const category of CATEGORIES) {
    snapshot[category.id] =
      category.id === 'projects'
        ? projects
        : await readCategory(category, api, scope);
  }
  // Each category of the table was read just above, under its own id, with its own items.
  return snapshot as MetadataSnapshot;
}

/** The projects per-project calls run over, and why that list may be incomplete. */
interface ProjectScope {
  projects: readonly MetaProject[];
  errors: string[];
  concurrency: number;
}

async function readCategory<K extends CategoryId>(
  category: CategoryById[K],
  api: HarborMetadataApi,
  scope: ProjectScope
): Promise<Seen<ItemOf<K>>> {
  const parts: Seen<ItemOf<K>>[] = [];
  for (const step of category.read)
    parts.push(await readStep(step, api, scope));
  const perProject = category.read.some((s) => s.scope === 'project');
  return {
    items: parts.flatMap((x) => x.items),
    errors: [
      ...(perProject ? scope.errors : []),
      ...parts.flatMap((x) => x.errors),
    ],
  };
}

function readStep<T>(
  step: ReadStep<T>,
  api: HarborMetadataApi,
  scope: ProjectScope
): Promise<Seen<T>> {
  if (step.scope === 'system') {
    return step.run(async (call, items) => {
      try {
        return { items: items(await call(api)), errors: [] };
      } catch (err) {
        return { items: [], errors: [errorMessage(err)] };
      }
    });
  }
  return step.run(async (call, items) => {
    const parts = await mapWithConcurrency(
      scope.projects,
      scope.concurrency,
      async (p) => {
        try {
          return { items: items(await call(api, p), p), error: undefined };
        } catch (err) {
          return { items: [] as T[], error: `${p.name}: ${errorMessage(err)}` };
        }
      }
    );
    return {
      items: parts.flatMap((x) => x.items),
      errors: parts.flatMap((x) => (x.error === undefined ? [] : [x.error])),
    };
  });
}

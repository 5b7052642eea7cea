import type { ProjectInventory } from '../../model';
import type { ScopeError } from '../../report/schema';
import type { PrimaryIndex } from './types';

/** Indexes the primary inventory (tags and every digest per repository). */
export function indexPrimary(
  inventories: readonly ProjectInventory[],
  projectListError?: ScopeError
): PrimaryIndex {
  return {
    projectListComplete: projectListError === undefined,
    projects: inventories.map((inv) => {
      const repos = new Map<
        string,
        { tags: Set<string>; digests: Set<string> }
      >();
      for (const a of inv.artifacts) {
        let r = repos.get(a.repository);
        if (!r) {
          r = { tags: new Set(), digests: new Set() };
          repos.set(a.repository, r);
        }
        for (const t of a.tags) r.tags.add(t.name);
        r.digests.add(a.digest);
        for (const c of a.childDigests) r.digests.add(c);
        for (const x of a.accessories) {
          r.digests.add(x.digest);
          for (const t of x.tags ?? []) r.tags.add(t);
        }
      }
      return {
        name: inv.project,
        complete: inv.complete,
        ...(inv.complete ? {} : { reason: inv.error.message }),
        repositories: [...repos].map(([name, r]) => ({
          name,
          tags: [...r.tags].sort(),
          digests: [...r.digests].sort(),
        })),
      };
    }),
  };
}

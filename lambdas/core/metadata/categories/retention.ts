/** Tag retention policies: another policy deletes other tags on the target. */
import { defineCategory, perProject } from '../category';
import { diffKeyed, multiset } from '../compare';
import type { MetaRetention } from '../types';

interface ProjectRetention {
  project: string;
  policy: MetaRetention | null;
}

export const retention = defineCategory({
  id: 'retention',
  covers: ['retention'],
  read: [
    perProject(
      (api, project) => api.retention(project),
      (policy, project): ProjectRetention[] => [
        { project: project.name, policy },
      ]
    ),
  ],
  compare(p: readonly ProjectRetention[], t: readonly ProjectRetention[], ctx) {
    return diffKeyed(
      p.filter((x) => x.policy !== null && ctx.inBoth(x.project)),
      t.filter((x) => x.policy !== null && ctx.inBoth(x.project)),
      {
        category: 'retention',
        key: (x) => x.project,
        fields: (x) => ({
          algorithm: x.policy?.algorithm ?? '',
          rules: multiset(x.policy?.rules ?? []),
          trigger: x.policy?.trigger ?? '',
        }),
        missing: () => 'warning',
        changed: () => 'warning',
      }
    );
  },
});

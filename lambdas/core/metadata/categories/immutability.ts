/** Tag immutability rules: without them, the target lets protected tags be overwritten. */
import { defineCategory, perProject } from '../category';
import { diffKeyed, multiset } from '../compare';
import type { MetaRule } from '../types';

interface ProjectRules {
  project: string;
  rules: MetaRule[];
}

export const immutability = defineCategory({
  id: 'immutability',
  covers: ['immutability'],
  read: [
    perProject(
      (api, project) => api.immutableRules(project),
      (rules, project): ProjectRules[] => [{ project: project.name, rules }]
    ),
  ],
  compare(p: readonly ProjectRules[], t: readonly ProjectRules[], ctx) {
    return diffKeyed(
      p.filter((x) => x.rules.length > 0 && ctx.inBoth(x.project)),
      t.filter((x) => x.rules.length > 0 && ctx.inBoth(x.project)),
      {
        category: 'immutability',
        key: (x) => x.project,
        fields: (x) => ({ rules: multiset(x.rules) }),
        missing: () => 'warning',
        changed: () => 'warning',
      }
    );
  },
});

/** Project members (users and groups) and their roles: who may pull and push after a failover. */
import { asList, defineCategory, perProject } from '../category';
import { diffKeyed } from '../compare';
import type { MetaMember } from '../types';

export const members = defineCategory({
  id: 'members',
  covers: ['members'],
  read: [perProject((api, project) => api.members(project), asList)],
  compare(p: readonly MetaMember[], t: readonly MetaMember[], ctx) {
    return diffKeyed(
      p.filter((m) => ctx.inBoth(m.project)),
      t.filter((m) => ctx.inBoth(m.project)),
      {
        category: 'members',
        key: (m) =>
          `${m.project}/${m.entityType === 'g' ? 'group:' : ''}${m.entityName}`,
        fields: (m) => ({ role: m.role }),
        missing: () => 'critical',
        changed: () => 'critical',
      }
    );
  },
});

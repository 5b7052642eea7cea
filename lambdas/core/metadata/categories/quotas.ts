/** Project storage quotas: a smaller one on the target refuses pushes after a failover. */
import { asList, defineCategory, system } from '../category';
import { diffKeyed } from '../compare';
import type { MetaQuota } from '../types';

export const quotas = defineCategory({
  id: 'quotas',
  covers: ['quotas'],
  read: [system((api) => api.quotas(), asList)],
  compare(p: readonly MetaQuota[], t: readonly MetaQuota[], ctx) {
    return diffKeyed(
      p.filter((q) => ctx.inBoth(q.project)),
      t.filter((q) => ctx.inBoth(q.project)),
      {
        category: 'quotas',
        key: (q) => q.project,
        fields: (q) => ({ storage: storageText(q.storageLimit) }),
        missing: () => 'info',
        changed: () => 'warning',
        extra: () => undefined,
      }
    );
  },
});

function storageText(bytes: number): string {
  return bytes < 0 ? 'unlimited' : `${String(bytes)} bytes`;
}

/**
 * Replication rules: the target needs the primary's rules to take over its replication,
 * except the rules that replicate to or from the target itself.
 */
import { asList, defineCategory, system } from '../category';
import { diffKeyed } from '../compare';
import { canonicalUrl } from '../../harbor/urls';
import type { MetaReplicationRule } from '../types';

export const replicationRules = defineCategory({
  id: 'replicationRules',
  covers: ['replication-rules'],
  read: [system((api) => api.replicationRules(), asList)],
  compare(
    p: readonly MetaReplicationRule[],
    t: readonly MetaReplicationRule[],
    ctx
  ) {
    const towardsTarget = (r: MetaReplicationRule): boolean =>
      (r.destUrl !== null && canonicalUrl(r.destUrl) === ctx.targetUrl) ||
      (r.srcUrl !== null && canonicalUrl(r.srcUrl) === ctx.targetUrl);
    return diffKeyed(
      p.filter((r) => !towardsTarget(r)),
      t,
      {
        category: 'replication-rules',
        key: (r) => r.name,
        fields: (r) => ({
          enabled: String(r.enabled),
          source: r.srcRegistry ?? 'local',
          destination: r.destRegistry ?? 'local',
          namespace: r.destNamespace,
          trigger: r.trigger,
          filters: r.filters,
          override: String(r.override),
          deletion: String(r.deletion),
        }),
        missing: () => 'warning',
        changed: () => 'warning',
      }
    );
  },
});

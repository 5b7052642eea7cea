/**
 * Registry endpoints (replication-endpoints): the ones the primary replicates with must exist
 * on the target to take over, except the endpoint that is the target itself.
 */
import { asList, defineCategory, system } from '../category';
import { diffKeyed } from '../compare';
import { canonicalUrl } from '../../harbor/urls';
import type { MetaRegistry } from '../types';

export const registries = defineCategory({
  id: 'registries',
  covers: ['replication-endpoints'],
  read: [system((api) => api.registries(), asList)],
  compare(p: readonly MetaRegistry[], t: readonly MetaRegistry[], ctx) {
    return diffKeyed(
      p.filter((r) => canonicalUrl(r.url) !== ctx.targetUrl),
      t,
      {
        category: 'replication-endpoints',
        key: (r) => r.name,
        fields: (r) => ({
          type: r.type,
          url: r.url,
          insecure: String(r.insecure),
        }),
        missing: () => 'warning',
        changed: () => 'warning',
      }
    );
  },
});

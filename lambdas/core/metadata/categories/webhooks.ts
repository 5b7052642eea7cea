/** Project webhooks; auth headers are compared by SHA-256 and never shown. */
import { asList, defineCategory, perProject } from '../category';
import { diffKeyed } from '../compare';
import type { MetaWebhook } from '../types';

export const webhooks = defineCategory({
  id: 'webhooks',
  covers: ['webhooks'],
  read: [perProject((api, project) => api.webhooks(project), asList)],
  compare(p: readonly MetaWebhook[], t: readonly MetaWebhook[], ctx) {
    return diffKeyed(
      p.filter((w) => ctx.inBoth(w.project)),
      t.filter((w) => ctx.inBoth(w.project)),
      {
        category: 'webhooks',
        key: (w) => `${w.project}/${w.name}`,
        fields: (w) => ({
          enabled: String(w.enabled),
          events: [...w.eventTypes].sort().join(', '),
          targets: w.targets
            .map(
              (x) =>
                `${x.type} ${x.address} ${x.payloadFormat}${x.skipCertVerify ? ' skip-verify' : ''}`
            )
            .sort()
            .join('; '),
          // Compared by hash only; the report says whether it is set, never what it is.
          'auth header': w.targets
            .map((x) => x.authHeaderSha256 ?? '-')
            .sort()
            .join(','),
        }),
        show: (field, w) =>
          field === 'auth header'
            ? w.targets.some((x) => x.authHeaderSha256 !== null)
              ? 'set (differs, compared by SHA-256)'
              : 'none'
            : undefined,
        missing: () => 'warning',
        changed: () => 'warning',
      }
    );
  },
});

/** Scanner registrations (interrogation services). */
import { asList, defineCategory, system } from '../category';
import { diffKeyed } from '../compare';
import type { MetaScanner } from '../types';

export const scanners = defineCategory({
  id: 'scanners',
  covers: ['scanners'],
  read: [system((api) => api.scanners(), asList)],
  compare(p: readonly MetaScanner[], t: readonly MetaScanner[]) {
    return diffKeyed(p, t, {
      category: 'scanners',
      key: (s) => s.name,
      fields: (s) => ({
        url: s.url,
        auth: s.auth,
        'skip cert verify': String(s.skipCertVerify),
        'internal address': String(s.useInternalAddr),
        default: String(s.isDefault),
        disabled: String(s.disabled),
      }),
      missing: () => 'warning',
      changed: () => 'info',
    });
  },
});

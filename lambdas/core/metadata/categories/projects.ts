/**
 * Projects and their settings (visibility, scanning, CVE allowlist…). Proxy-cache projects of
 * the primary are not expected on a target; the target's are never reported.
 */
import { asList, defineCategory, system } from '../category';
import { diffFields, diffKeyed, multiset } from '../compare';
import type { DriftItemOf, MetaProject } from '../types';

export const projects = defineCategory({
  id: 'projects',
  covers: ['projects', 'project-settings'],
  read: [system((api) => api.projects(), asList)],
  compare(p: readonly MetaProject[], t: readonly MetaProject[]) {
    const out: DriftItemOf<'projects' | 'project-settings'>[] = diffKeyed(
      p.filter((x) => x.registryId <= 0),
      t,
      {
        category: 'projects',
        key: (x) => x.name,
        fields: () => ({}),
        missing: () => 'critical',
        changed: () => 'info',
        extra: (x) =>
          x.registryId > 0 ? undefined : { severity: 'info', text: 'present' },
      }
    );
    const tp = new Map(t.map((x) => [x.name, x]));
    for (const pp of p) {
      const tt = tp.get(pp.name);
      if (!tt || pp.registryId > 0) continue;
      out.push(
        ...diffFields(
          'project-settings',
          pp.name,
          projectSettings(pp),
          projectSettings(tt),
          (fields) => (fields.includes('public') ? 'critical' : 'warning')
        )
      );
    }
    return out;
  },
});

function projectSettings(p: MetaProject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata)) {
    if (k !== 'retention_id') out[k] = v;
  }
  out['cve allowlist'] = multiset(p.cveAllowlist.items);
  out['cve allowlist expiry'] = String(p.cveAllowlist.expiresAt ?? 'never');
  return out;
}

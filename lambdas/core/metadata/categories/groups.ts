/** User groups (LDAP, HTTP, OIDC), keyed by type, name and LDAP DN. */
import { asList, defineCategory, system } from '../category';
import { diffKeyed } from '../compare';
import type { MetaGroup } from '../types';

export const groups = defineCategory({
  id: 'groups',
  covers: ['user-groups'],
  read: [system((api) => api.userGroups(), asList)],
  compare(p: readonly MetaGroup[], t: readonly MetaGroup[]) {
    return diffKeyed(p, t, {
      category: 'user-groups',
      key: (g) =>
        `${groupType(g.type)}:${g.name}${g.ldapDn ? ` (${g.ldapDn})` : ''}`,
      fields: () => ({}),
      missing: () => 'warning',
      changed: () => 'info',
    });
  },
});

function groupType(type: number): string {
  if (type === 1) return 'ldap';
  if (type === 2) return 'http';
  if (type === 3) return 'oidc';
  return `type-${String(type)}`;
}

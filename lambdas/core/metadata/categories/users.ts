/** Local users: a missing user, or one whose sysadmin flag differs, cannot work after a failover. */
import { asList, defineCategory, system } from '../category';
import { diffKeyed } from '../compare';
import type { MetaUser } from '../types';

export const users = defineCategory({
  id: 'users',
  covers: ['users'],
  read: [system((api) => api.users(), asList)],
  compare(p: readonly MetaUser[], t: readonly MetaUser[]) {
    return diffKeyed(p, t, {
      category: 'users',
      key: (u) => u.username,
      fields: (u) => ({
        email: u.email,
        realname: u.realname,
        comment: u.comment,
        sysadmin: String(u.sysadmin),
      }),
      missing: () => 'critical',
      changed: (fields) => (fields.includes('sysadmin') ? 'critical' : 'info'),
    });
  },
});

/**
 * System configuration, authentication included (auth mode, OIDC, LDAP, auth proxy, UAA): a
 * different auth setting locks people out after a failover.
 */
import { defineCategory, system } from '../category';
import type { ConfigValues, DriftItemOf } from '../types';

/** Configuration keys of authentication. */
const AUTH_KEY =
  /^(auth_mode|primary_auth_mode|oidc_|ldap_|http_authproxy_|uaa_)/;
/** Never compared, even if an upstream returns them (defence in depth; the adapter drops them). */
const SECRET_KEY = /(secret|password|passwd|credential)/i;

type Entry = [string, ConfigValues[string]];

export const configuration = defineCategory({
  id: 'configuration',
  covers: ['auth', 'configuration'],
  read: [
    system(
      (api) => api.configurations(),
      (values): Entry[] => Object.entries(values)
    ),
  ],
  compare(p: readonly Entry[], t: readonly Entry[]) {
    const pm = new Map(p.filter(([k]) => !SECRET_KEY.test(k)));
    const tm = new Map(t.filter(([k]) => !SECRET_KEY.test(k)));
    const out: DriftItemOf<'auth' | 'configuration'>[] = [];
    const keys = [...new Set([...pm.keys(), ...tm.keys()])].sort();
    for (const key of keys) {
      const pv = pm.get(key);
      const tv = tm.get(key);
      if (pv === tv) continue;
      // A key only one side reports is a version difference, not a setting.
      if (pv === undefined || tv === undefined) continue;
      const auth = AUTH_KEY.test(key);
      out.push({
        category: auth ? 'auth' : 'configuration',
        name: key,
        severity: auth ? 'critical' : 'warning',
        primary: String(pv),
        target: String(tv),
      });
    }
    return out;
  },
});

import type { IncomingMessage } from 'node:http';
import type { TokenAccess, TokenIssuer } from '../../registry/token';
import type { V2Access, V2Auth } from '../../registry/v2-handler';
import { scopeOf } from '../../registry/v2-handler';
import { authenticate, parseBasic, type Principal } from '../auth/principal';
import { can } from '../auth/rbac';
import type { HarborState } from '../state/harbor-state';

/** Harbor's token service name. */
export const HARBOR_SERVICE = 'harbor-registry';

/** The actions on a repository that a principal may get (Harbor's token service RBAC). */
export function grantedActions(
  state: HarborState,
  p: Principal,
  repository: string,
  wanted: string[]
): string[] {
  const project = state.projectByName(repository.split('/')[0] ?? '');
  if (!project) return [];
  const out: string[] = [];
  for (const a of wanted) {
    if (a === 'pull' && can(state, p, project, 'repository', 'pull'))
      out.push(a);
    else if (
      a === 'push' &&
      project.registryId === 0 &&
      can(state, p, project, 'repository', 'push')
    )
      out.push(a);
    else if (a === 'delete' && can(state, p, project, 'repository', 'delete'))
      out.push(a);
    else if (a === '*' && p.kind === 'user' && p.user.sysadmin) out.push(a);
  }
  return out;
}

/** Grants for a list of requested scopes (catalog only for sysadmins / robots with catalog read). */
export function grantScopes(
  state: HarborState,
  p: Principal,
  requested: TokenAccess[]
): TokenAccess[] {
  return requested.map((r) => {
    if (r.type === 'registry' && r.name === 'catalog') {
      const ok = can(state, p, 'system', 'catalog', 'read');
      return { ...r, actions: ok ? r.actions : [] };
    }
    if (r.type !== 'repository') return { ...r, actions: [] };
    return { ...r, actions: grantedActions(state, p, r.name, r.actions) };
  });
}

function covers(access: TokenAccess[], need: V2Access): boolean {
  if (need.catalog)
    return access.some(
      (a) =>
        a.type === 'registry' && a.name === 'catalog' && a.actions.includes('*')
    );
  if (need.repository === undefined) return true;
  const entry = access
    .filter((a) => a.type === 'repository' && a.name === need.repository)
    .flatMap((a) => a.actions);
  return need.actions.every((x) => entry.includes(x) || entry.includes('*'));
}

/**
 * Harbor's /v2 auth: no credentials ⇒ a Bearer challenge pointing at /service/token; Basic
 * credentials are accepted directly (and a bad or insufficient one gets `Basic realm="harbor"`);
 * Bearer tokens from the token service are checked against the needed scope.
 */
export function harborV2Auth(
  state: HarborState,
  issuer: TokenIssuer,
  baseUrl: () => string
): V2Auth {
  const bearer = (need: V2Access, error?: string) => {
    const scope = scopeOf(need);
    return {
      challenge:
        `Bearer realm="${baseUrl()}/service/token",service="${HARBOR_SERVICE}"` +
        (scope !== undefined ? `,scope="${scope}"` : '') +
        (error !== undefined ? `,error="${error}"` : ''),
    };
  };
  return {
    authorize(req: IncomingMessage, need: V2Access) {
      const header = req.headers.authorization;
      if (header === undefined || header.trim() === '') {
        return need.catalog
          ? { challenge: 'Basic realm="harbor"' }
          : bearer(need);
      }
      if (/^Bearer\s+/i.test(header)) {
        const claims = issuer.verify(header.replace(/^Bearer\s+/i, '').trim());
        if (!claims) return bearer(need, 'invalid_token');
        return covers(claims.access, need)
          ? 'ok'
          : bearer(need, 'insufficient_scope');
      }
      const creds = parseBasic(header);
      const p = creds && authenticate(state, creds);
      if (!p) return { challenge: 'Basic realm="harbor"' };
      if (need.catalog)
        return can(state, p, 'system', 'catalog', 'read') ? 'ok' : 'denied';
      if (need.repository === undefined) return 'ok';
      const granted = grantedActions(state, p, need.repository, need.actions);
      return need.actions.every((a) => granted.includes(a)) ? 'ok' : 'denied';
    },
  };
}

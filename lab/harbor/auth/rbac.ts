import type { HarborState } from '../state/harbor-state';
import type { ProjectRec } from '../state/types';
import type { Principal } from './principal';

const READ_ACTIONS = new Set(['read', 'list', 'pull']);
// What anyone (even anonymous) may read in a public project.
const PUBLIC_RESOURCES = new Set([
  'project',
  'repository',
  'artifact',
  'tag',
  'label',
  'metadata',
  'accessory',
  'artifact-addition',
  'scanner',
]);
const ADMIN_ONLY_WRITES = new Set([
  'member',
  'metadata',
  'robot',
  'notification-policy',
  'immutable-tag',
  'tag-retention',
  'project',
  'scanner',
]);

/** The project role of a user (1 admin, 2 developer, 3 guest, 4 maintainer, 5 limited guest). */
export function roleOf(
  state: HarborState,
  userId: number,
  projectId: number
): number | undefined {
  for (const m of state.members.values()) {
    if (
      m.projectId === projectId &&
      m.entityType === 'u' &&
      m.entityId === userId
    )
      return m.roleId;
  }
  return undefined;
}

function roleAllows(role: number, resource: string, action: string): boolean {
  if (READ_ACTIONS.has(action)) return role !== 5 || resource !== 'member';
  if (role === 1) return true;
  if (ADMIN_ONLY_WRITES.has(resource)) return false;
  if (role === 4) return true;
  if (role === 2) return action !== 'delete';
  return false;
}

/**
 * Harbor's RBAC, reduced to what the lab needs: sysadmins may do everything, robots what their
 * permissions list, users what their project role allows, anyone may read public projects.
 */
export function can(
  state: HarborState,
  p: Principal,
  scope: 'system' | ProjectRec,
  resource: string,
  action: string
): boolean {
  if (p.kind === 'user' && p.user.sysadmin) return true;
  if (
    scope !== 'system' &&
    scope.metadata.public === 'true' &&
    READ_ACTIONS.has(action) &&
    PUBLIC_RESOURCES.has(resource)
  ) {
    return true;
  }
  if (p.kind === 'robot') {
    return p.robot.permissions.some(
      (perm) =>
        (scope === 'system'
          ? perm.kind === 'system' && perm.namespace === '/'
          : (perm.kind === 'project' &&
              (perm.namespace === scope.name || perm.namespace === '*')) ||
            (perm.kind === 'system' &&
              perm.namespace === '/' &&
              resource === 'project' &&
              action === 'list')) &&
        perm.access.some(
          (a) =>
            a.resource === resource &&
            (a.action === action || a.action === '*') &&
            a.effect !== 'deny'
        )
    );
  }
  if (p.kind === 'user' && scope !== 'system') {
    const role = roleOf(state, p.user.id, scope.id);
    return role !== undefined && roleAllows(role, resource, action);
  }
  return false;
}

/** True when the principal may see the project at all (listing). */
export function canSeeProject(
  state: HarborState,
  p: Principal,
  project: ProjectRec
): boolean {
  return (
    can(state, p, project, 'project', 'read') ||
    can(state, p, project, 'repository', 'pull')
  );
}

/** True when the principal is authenticated. */
export function isAuthenticated(p: Principal): boolean {
  return p.kind !== 'anonymous';
}

/**
 * System and project robot accounts: clusters pull with them, so a missing, disabled or
 * expired pulling robot stops deployments after a failover.
 */
import { asList, defineCategory, perProject, system } from '../category';
import { diffKeyed } from '../compare';
import type { DriftItemOf, MetaRobot } from '../types';

export const robots = defineCategory({
  id: 'robots',
  covers: ['robots'],
  read: [
    system((api) => api.systemRobots(), asList),
    perProject((api, project) => api.projectRobots(project), asList),
  ],
  compare(p: readonly MetaRobot[], t: readonly MetaRobot[], ctx) {
    const relevant = (r: MetaRobot): boolean => {
      const project = robotProject(r);
      return project === null || ctx.inBoth(project);
    };
    const out: DriftItemOf<'robots'>[] = diffKeyed(
      p.filter(relevant),
      t.filter(relevant),
      {
        category: 'robots',
        key: (r) => r.name,
        fields: (r) => ({
          level: r.level,
          disabled: String(r.disabled),
          permissions: r.permissions.join(', '),
        }),
        missing: (r) => (pullsImages(r) ? 'critical' : 'warning'),
        changed: (fields, r) =>
          pullsImages(r) &&
          (fields.includes('disabled') || fields.includes('permissions'))
            ? 'critical'
            : 'warning',
      }
    );
    const soonSeconds = ctx.expirySoonDays * 86_400;
    const nowSeconds = Math.floor(ctx.now.getTime() / 1000);
    const primaryNames = new Set(p.map((r) => r.name));
    for (const r of t) {
      if (!primaryNames.has(r.name) || r.expiresAt < 0) continue;
      const left = r.expiresAt - nowSeconds;
      if (left > soonSeconds) continue;
      out.push({
        category: 'robots',
        name: r.name,
        severity: left <= 0 && pullsImages(r) ? 'critical' : 'warning',
        target:
          left <= 0
            ? `expired ${new Date(r.expiresAt * 1000).toISOString()}`
            : `expires soon: ${new Date(r.expiresAt * 1000).toISOString()}`,
      });
    }
    return out;
  },
});

/** The project of a project robot (`robot$team-a+ci` → team-a), null for system robots. */
function robotProject(r: MetaRobot): string | null {
  if (r.level !== 'project') return null;
  const plus = r.name.lastIndexOf('+');
  const dollar = r.name.indexOf('$');
  return plus > dollar ? r.name.slice(dollar + 1, plus) : null;
}

/** Whether a robot can pull (clusters use such robots as pull secrets). */
export function pullsImages(r: MetaRobot): boolean {
  return r.permissions.some((p) => {
    const [, , resource, action, effect] = p.split(':');
    return resource === 'repository' && action === 'pull' && effect !== 'deny';
  });
}

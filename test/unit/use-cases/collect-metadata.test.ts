import type { HarborMetadataApi } from '../../../lambdas/core/ports';
import { collectMetadata } from '../../../lambdas/use-cases/collect-metadata';
import { pullRobot, snapshot } from '../core/metadata/snapshot-fixture';

describe('collectMetadata', () => {
  it('records a category that fails and reads the others', async () => {
    const full = snapshot();
    const api: HarborMetadataApi = {
      configurations: () => Promise.reject(new Error('HTTP 403')),
      users: () => Promise.resolve(full.users.items),
      userGroups: () => Promise.resolve(full.groups.items),
      projects: () => Promise.resolve(full.projects.items),
      members: (p) =>
        p.name === 'library'
          ? Promise.reject(new Error('HTTP 500'))
          : Promise.resolve(full.members.items),
      systemRobots: () => Promise.resolve([]),
      projectRobots: (p) =>
        Promise.resolve(p.name === 'team-a' ? [pullRobot] : []),
      globalLabels: () => Promise.resolve(full.labels.items),
      projectLabels: () => Promise.resolve([]),
      retention: () => Promise.resolve(null),
      immutableRules: () => Promise.resolve([]),
      quotas: () => Promise.resolve([]),
      webhooks: () => Promise.resolve([]),
      projectScanner: () => Promise.resolve(null),
      scanners: () => Promise.resolve([]),
      systemCveAllowlist: () => Promise.resolve({ items: [], expiresAt: null }),
      registries: () => Promise.resolve([]),
      replicationRules: () => Promise.resolve([]),
      auditLogSummary: () => Promise.resolve({ total: 0, latest: null }),
    };

    const snap = await collectMetadata(api, { concurrency: 2 });

    expect(snap.configuration.errors).toEqual(['HTTP 403']);
    expect(snap.members.errors).toEqual(['library: HTTP 500']);
    expect(snap.members.items).toHaveLength(1);
    expect(snap.robots.items.map((r) => r.name)).toEqual(['robot$team-a+ci']);
    expect(snap.users.errors).toEqual([]);
  });
});

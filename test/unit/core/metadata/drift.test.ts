import {
  collectMetadata,
  diffMetadata,
  pullsImages,
} from '../../../../lambdas/core/metadata/drift';
import type {
  HarborMetadataApi,
  MetadataSnapshot,
  MetaProject,
  MetaRobot,
} from '../../../../lambdas/core/metadata/drift';

const now = new Date('2026-11-29T12:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);
const seen = <T>(items: T[]) => ({ items, errors: [] as string[] });

const project = (name: string, id: number): MetaProject => ({
  name,
  ref: { id },
  registryId: 0,
  metadata: { public: 'false', auto_scan: 'true' },
  cveAllowlist: { items: ['CVE-2023-1234'], expiresAt: null },
});

const pullRobot: MetaRobot = {
  name: 'robot$team-a+ci',
  level: 'project',
  disabled: false,
  expiresAt: -1,
  permissions: ['project:team-a:repository:pull'],
};

/** A complete snapshot; `offset` shifts every numeric id (instances number things differently). */
function snapshot(offset = 0): MetadataSnapshot {
  return {
    configuration: seen<[string, string | number | boolean | null]>([
      ['auth_mode', 'oidc_auth'],
      ['oidc_admin_group', 'harbor-admins'],
      ['banner_message', ''],
    ]),
    users: seen([
      {
        username: 'alice',
        email: 'alice@example.com',
        realname: 'Alice',
        comment: '',
        sysadmin: false,
      },
    ]),
    groups: seen([{ type: 3, name: 'platform', ldapDn: '' }]),
    projects: seen([
      project('team-a', 3 + offset),
      project('library', 1 + offset),
    ]),
    members: seen([
      {
        project: 'team-a',
        entityType: 'u' as const,
        entityName: 'alice',
        role: 'projectAdmin',
      },
    ]),
    robots: seen([pullRobot]),
    labels: seen([
      {
        scope: 'g' as const,
        project: '',
        name: 'prod',
        description: '',
        color: '#C92100',
      },
    ]),
    retention: seen([
      {
        project: 'team-a',
        policy: { algorithm: 'or', rules: ['{"a":1}'], trigger: '{}' },
      },
    ]),
    immutability: seen([{ project: 'team-a', rules: ['{"tag":"v*"}'] }]),
    quotas: seen([{ project: 'team-a', storageLimit: -1 }]),
    webhooks: seen([
      {
        project: 'team-a',
        name: 'hook',
        enabled: true,
        eventTypes: ['REPLICATION'],
        targets: [
          {
            type: 'http',
            address: 'https://hooks.example.com',
            authHeaderSha256: 'a'.repeat(64),
            skipCertVerify: false,
            payloadFormat: 'Default',
          },
        ],
      },
    ]),
    projectScanners: seen([{ project: 'team-a', scanner: 'trivy' }]),
    scanners: seen([
      {
        name: 'trivy',
        url: 'http://trivy:8080',
        auth: '',
        skipCertVerify: false,
        useInternalAddr: false,
        isDefault: true,
        disabled: false,
      },
    ]),
    systemAllowlist: seen([{ items: ['CVE-2024-0001'], expiresAt: null }]),
    registries: seen([
      {
        name: 'dr-site',
        type: 'harbor',
        url: 'https://dr.example.com',
        insecure: false,
      },
      {
        name: 'cluster-1',
        type: 'docker-registry',
        url: 'https://c1.example.com',
        insecure: false,
      },
    ]),
    replicationRules: seen([
      {
        name: 'to-dr',
        enabled: true,
        srcRegistry: null,
        destRegistry: 'dr-site',
        srcUrl: null,
        destUrl: 'https://dr.example.com',
        destNamespace: '',
        trigger: 'manual',
        filters: 'name=**',
        override: false,
        deletion: false,
      },
      {
        name: 'to-cluster-1',
        enabled: true,
        srcRegistry: null,
        destRegistry: 'cluster-1',
        srcUrl: null,
        destUrl: 'https://c1.example.com',
        destNamespace: 'mirror',
        trigger: 'manual',
        filters: '',
        override: true,
        deletion: false,
      },
    ]),
    auditLogs: seen([{ total: 10, latest: '2026-11-29T11:00:00Z' }]),
  };
}

const diff = (p: MetadataSnapshot, t: MetadataSnapshot) =>
  diffMetadata(p, t, { now, targetUrl: 'https://dr.example.com/' });
const nonAudit = (items: ReturnType<typeof diff>['drift']) =>
  items.filter((d) => d.category !== 'audit-logs');

describe('diffMetadata', () => {
  it('finds no drift by name when the numeric ids differ', () => {
    const target = snapshot(40);
    target.registries = seen([
      {
        name: 'cluster-1',
        type: 'docker-registry',
        url: 'https://c1.example.com',
        insecure: false,
      },
    ]);
    target.replicationRules = seen(
      snapshot().replicationRules.items.filter((r) => r.name !== 'to-dr')
    );

    const result = diff(snapshot(), target);

    expect(nonAudit(result.drift)).toEqual([]);
    expect(result.unseen).toEqual([]);
  });

  it('reports audit logs once, per instance, as info', () => {
    const result = diff(snapshot(), snapshot());
    const audit = result.drift.filter((d) => d.category === 'audit-logs');
    expect(audit).toEqual([
      expect.objectContaining({
        severity: 'info',
        target: '10 entries, newest 2026-11-29T11:00:00Z',
      }),
    ]);
  });

  it.each([
    [
      'a missing user',
      (t: MetadataSnapshot) => {
        t.users = seen([]);
      },
      { category: 'users', name: 'alice', severity: 'critical' },
    ],
    [
      'a user that is no longer sysadmin',
      (t: MetadataSnapshot) => {
        t.users = seen(t.users.items.map((u) => ({ ...u, sysadmin: true })));
      },
      { category: 'users', name: 'alice', severity: 'critical' },
    ],
    [
      'another email',
      (t: MetadataSnapshot) => {
        t.users = seen(t.users.items.map((u) => ({ ...u, email: 'x@y' })));
      },
      { category: 'users', name: 'alice', severity: 'info' },
    ],
    [
      'an OIDC setting',
      (t: MetadataSnapshot) => {
        t.configuration = seen<[string, string | number | boolean | null]>([
          ['auth_mode', 'oidc_auth'],
          ['oidc_admin_group', 'other'],
          ['banner_message', ''],
        ]);
      },
      { category: 'auth', name: 'oidc_admin_group', severity: 'critical' },
    ],
    [
      'a banner',
      (t: MetadataSnapshot) => {
        t.configuration = seen<[string, string | number | boolean | null]>([
          ['auth_mode', 'oidc_auth'],
          ['oidc_admin_group', 'harbor-admins'],
          ['banner_message', 'hi'],
        ]);
      },
      {
        category: 'configuration',
        name: 'banner_message',
        severity: 'warning',
      },
    ],
    [
      'a missing member',
      (t: MetadataSnapshot) => {
        t.members = seen([]);
      },
      { category: 'members', name: 'team-a/alice', severity: 'critical' },
    ],
    [
      'another role',
      (t: MetadataSnapshot) => {
        t.members = seen(t.members.items.map((m) => ({ ...m, role: 'guest' })));
      },
      { category: 'members', name: 'team-a/alice', severity: 'critical' },
    ],
    [
      'a missing pull robot',
      (t: MetadataSnapshot) => {
        t.robots = seen([]);
      },
      { category: 'robots', name: 'robot$team-a+ci', severity: 'critical' },
    ],
    [
      'a disabled pull robot',
      (t: MetadataSnapshot) => {
        t.robots = seen([{ ...pullRobot, disabled: true }]);
      },
      { category: 'robots', name: 'robot$team-a+ci', severity: 'critical' },
    ],
    [
      'a robot expiring in three days',
      (t: MetadataSnapshot) => {
        t.robots = seen([{ ...pullRobot, expiresAt: nowSeconds + 3 * 86_400 }]);
      },
      { category: 'robots', name: 'robot$team-a+ci', severity: 'warning' },
    ],
    [
      'a missing project',
      (t: MetadataSnapshot) => {
        t.projects = seen(t.projects.items.filter((p) => p.name !== 'library'));
      },
      { category: 'projects', name: 'library', severity: 'critical' },
    ],
    [
      'a project that is no longer public',
      (t: MetadataSnapshot) => {
        t.projects = seen(
          t.projects.items.map((p) => ({
            ...p,
            metadata: { ...p.metadata, public: 'true' },
          }))
        );
      },
      { category: 'project-settings', name: 'library', severity: 'critical' },
    ],
    [
      'a missing label',
      (t: MetadataSnapshot) => {
        t.labels = seen([]);
      },
      { category: 'labels', name: 'prod', severity: 'warning' },
    ],
    [
      'other retention rules',
      (t: MetadataSnapshot) => {
        t.retention = seen([
          {
            project: 'team-a',
            policy: { algorithm: 'or', rules: ['{"a":2}'], trigger: '{}' },
          },
        ]);
      },
      { category: 'retention', name: 'team-a', severity: 'warning' },
    ],
    [
      'missing immutability rules',
      (t: MetadataSnapshot) => {
        t.immutability = seen([{ project: 'team-a', rules: [] }]);
      },
      { category: 'immutability', name: 'team-a', severity: 'warning' },
    ],
    [
      'another quota',
      (t: MetadataSnapshot) => {
        t.quotas = seen([{ project: 'team-a', storageLimit: 1024 }]);
      },
      { category: 'quotas', name: 'team-a', severity: 'warning' },
    ],
    [
      'a missing scanner',
      (t: MetadataSnapshot) => {
        t.scanners = seen([]);
      },
      { category: 'scanners', name: 'trivy', severity: 'warning' },
    ],
    [
      'another system CVE allowlist',
      (t: MetadataSnapshot) => {
        t.systemAllowlist = seen([{ items: [], expiresAt: null }]);
      },
      { category: 'cve-allowlist', name: '(system)', severity: 'warning' },
    ],
    [
      'a replication rule missing on the DR side',
      (t: MetadataSnapshot) => {
        t.replicationRules = seen([]);
      },
      {
        category: 'replication-rules',
        name: 'to-cluster-1',
        severity: 'warning',
      },
    ],
    [
      'a replication endpoint missing on the DR side',
      (t: MetadataSnapshot) => {
        t.registries = seen([]);
      },
      {
        category: 'replication-endpoints',
        name: 'cluster-1',
        severity: 'warning',
      },
    ],
    [
      'a missing user group',
      (t: MetadataSnapshot) => {
        t.groups = seen([]);
      },
      { category: 'user-groups', name: 'oidc:platform', severity: 'warning' },
    ],
  ])('reports %s', (_what, change, expected) => {
    const target = snapshot(7);
    change(target);

    const result = diff(snapshot(), target);

    expect(nonAudit(result.drift)).toContainEqual(
      expect.objectContaining(expected)
    );
  });

  it('never counts the rule that replicates to the target itself', () => {
    const target = snapshot();
    target.replicationRules = seen(
      target.replicationRules.items.filter((r) => r.name !== 'to-dr')
    );
    target.registries = seen(
      target.registries.items.filter((r) => r.name !== 'dr-site')
    );

    const names = nonAudit(diff(snapshot(), target).drift).map((d) => d.name);

    expect(names).not.toContain('to-dr');
    expect(names).not.toContain('dr-site');
  });

  it('compares webhook auth headers by hash and never shows them', () => {
    const target = snapshot();
    target.webhooks = seen(
      target.webhooks.items.map((w) => ({
        ...w,
        targets: w.targets.map((x) => ({
          ...x,
          authHeaderSha256: 'b'.repeat(64),
        })),
      }))
    );

    const drift = diff(snapshot(), target).drift.filter(
      (d) => d.category === 'webhooks'
    );

    expect(drift).toEqual([
      expect.objectContaining({
        category: 'webhooks',
        name: 'team-a/hook',
        severity: 'warning',
      }),
    ]);
    const text = JSON.stringify(drift);
    expect(text).not.toContain('a'.repeat(16));
    expect(text).not.toContain('b'.repeat(16));
    expect(text).toContain('compared by SHA-256');
  });

  it('ignores secret configuration keys even if an upstream returned them', () => {
    const primary = snapshot();
    const target = snapshot();
    primary.configuration.items.push(['oidc_client_secret', 'p-secret']);
    target.configuration.items.push(['oidc_client_secret', 't-secret']);

    const result = diff(primary, target);

    expect(JSON.stringify(result)).not.toMatch(/p-secret|t-secret/);
  });

  it('makes a category that could not be read unseen, naming the side', () => {
    const target = snapshot();
    target.configuration = {
      items: [],
      errors: ['permission denied (HTTP 403)'],
    };

    const result = diff(snapshot(), target);

    expect(result.unseen).toEqual([
      {
        category: 'auth',
        side: 'target',
        reason: 'permission denied (HTTP 403)',
      },
      {
        category: 'configuration',
        side: 'target',
        reason: 'permission denied (HTTP 403)',
      },
    ]);
    expect(result.compared).not.toContain('auth');
  });
});

describe('pullsImages', () => {
  it('is true for a repository pull permission, false for push only or a deny', () => {
    expect(pullsImages(pullRobot)).toBe(true);
    expect(
      pullsImages({ ...pullRobot, permissions: ['project:a:repository:push'] })
    ).toBe(false);
    expect(
      pullsImages({
        ...pullRobot,
        permissions: ['project:a:repository:pull:deny'],
      })
    ).toBe(false);
  });
});

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
      health: () => Promise.reject(new Error('unused')),
      systemInfo: () => Promise.reject(new Error('unused')),
      storage: () => Promise.resolve(null),
    };

    const snap = await collectMetadata(api, { concurrency: 2 });

    expect(snap.configuration.errors).toEqual(['HTTP 403']);
    expect(snap.members.errors).toEqual(['library: HTTP 500']);
    expect(snap.members.items).toHaveLength(1);
    expect(snap.robots.items.map((r) => r.name)).toEqual(['robot$team-a+ci']);
    expect(snap.users.errors).toEqual([]);
  });
});

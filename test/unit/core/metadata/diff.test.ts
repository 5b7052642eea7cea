import { diffMetadata } from '../../../../lambdas/core/metadata/diff';
import type { MetadataSnapshot } from '../../../../lambdas/core/metadata/snapshot';
import { now, nowSeconds, pullRobot, seen, snapshot } from './snapshot-fixture';

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

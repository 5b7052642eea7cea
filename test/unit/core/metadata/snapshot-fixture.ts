/** A complete metadata snapshot of one instance, for the drift and collector tests. */
import type { MetadataSnapshot } from '../../../../lambdas/core/metadata/snapshot';
import type {
  MetaProject,
  MetaRobot,
} from '../../../../lambdas/core/metadata/types';

export const now = new Date('2026-11-29T12:00:00Z');
export const nowSeconds = Math.floor(now.getTime() / 1000);
export const seen = <T>(items: T[]) => ({ items, errors: [] as string[] });

export const project = (name: string, id: number): MetaProject => ({
  name,
  ref: { id },
  registryId: 0,
  metadata: { public: 'false', auto_scan: 'true' },
  cveAllowlist: { items: ['CVE-2023-1234'], expiresAt: null },
});

export const pullRobot: MetaRobot = {
  name: 'robot$team-a+ci',
  level: 'project',
  disabled: false,
  expiresAt: -1,
  permissions: ['project:team-a:repository:pull'],
};

/** A complete snapshot; `offset` shifts every numeric id (instances number things differently). */
export function snapshot(offset = 0): MetadataSnapshot {
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

import type { ScenarioInput } from './schema';

const READ_ACCESS = [
  { resource: 'registry', action: 'list' },
  { resource: 'registry', action: 'read' },
  { resource: 'replication-policy', action: 'list' },
  { resource: 'replication-policy', action: 'read' },
  { resource: 'replication', action: 'list' },
  { resource: 'replication', action: 'read' },
  { resource: 'project', action: 'list' },
  { resource: 'user', action: 'list' },
  { resource: 'robot', action: 'list' },
  { resource: 'audit-log', action: 'list' },
];

const USERS = [
  { username: 'alice', email: 'alice@example.com', realname: 'Alice Ops' },
  { username: 'bob', email: 'bob@example.com', realname: 'Bob Dev' },
  { username: 'carol', email: 'carol@example.com', realname: 'Carol Release' },
  {
    username: 'dave',
    email: 'dave@example.com',
    realname: 'Dave Security',
    sysadmin: true,
  },
];

/**
 * The release both demo Harbors run: it links doublestar v1.1.1, so the version-aware plan
 * differs from a newer release's on brace filters.
 */
const DEMO_RELEASE = 'v2.10.1-b7b88476';

const OIDC = {
  auth_mode: 'oidc_auth',
  oidc_name: 'corp-sso',
  oidc_endpoint: 'https://sso.example.com/realms/corp',
  oidc_client_id: 'harbor',
  oidc_client_secret: 'never-returned',
  oidc_groups_claim: 'groups',
  oidc_admin_group: 'harbor-admins',
  oidc_scope: 'openid,profile,email,offline_access',
  oidc_user_claim: 'preferred_username',
  oidc_verify_cert: true,
  oidc_auto_onboard: true,
};

/**
 * The demo: "harbor-primary" replicates to "harbor-dr" (a Harbor at the DR site) and to two
 * cluster registries. Mostly healthy, with the problems a DR audit should find:
 * - the last run of "to-cluster-1" Failed (team-a/legacy could not be copied);
 * - library/nginx:latest was moved on the primary after "to-dr" ran, and "to-dr" has
 *   override=false, so the DR site keeps the old digest (the task still Succeeded);
 * - team-b/worker:0.9 was deleted on the primary, "to-dr" does not replicate deletions;
 * - users carol and dave, the robot robot$team-a+ci and bob's membership are missing on the DR
 *   site, and its OIDC admin group differs;
 * - team-a/api:2.1.0 was pushed 15 minutes ago (lab clock) and has not arrived anywhere;
 * - both Harbors run 2.10.1, whose doublestar (v1.1.1) fails a filter with "/" inside braces:
 *   "edge-to-cluster-1" ({library/alpine,team-a/legacy}) cannot run there (its execution
 *   Failed, "syntax error in pattern"), where 2.10.3 and later would copy both repositories.
 */
export function demoScenario(): ScenarioInput {
  return {
    name: 'demo',
    harbors: [
      {
        name: 'harbor-primary',
        harborVersion: DEMO_RELEASE,
        configuration: OIDC,
        systemCveAllowlist: ['CVE-2024-0001'],
        users: USERS,
        groups: [{ name: 'platform', type: 3 }],
        labels: [
          { name: 'prod', color: '#C92100' },
          { name: 'dr-critical', color: '#F57600' },
        ],
        scanners: [{ name: 'trivy', url: 'http://trivy-adapter:8080' }],
        registries: [
          { name: 'dr-site', target: 'harbor-dr' },
          { name: 'cluster-1', target: 'cluster-1' },
          { name: 'cluster-2', target: 'cluster-2' },
        ],
        projects: [
          {
            name: 'library',
            public: true,
            repositories: [
              {
                name: 'nginx',
                images: [
                  {
                    tags: ['1.27', 'latest'],
                    seed: 'nginx-1.27',
                    kind: 'multi',
                    signatures: ['cosign'],
                    cosignTag: true,
                  },
                ],
              },
              {
                name: 'alpine',
                images: [
                  { tags: ['3.20'], seed: 'alpine-3.20' },
                  { tags: ['3.19'], seed: 'alpine-3.19', kind: 'docker' },
                ],
              },
            ],
          },
          {
            name: 'team-a',
            metadata: {
              auto_scan: 'true',
              severity: 'high',
              prevent_vul: 'false',
            },
            members: [
              { user: 'alice', role: 'projectAdmin' },
              { user: 'bob', role: 'developer' },
              { group: 'platform', role: 'maintainer' },
            ],
            labels: [{ name: 'release' }],
            cveAllowlist: ['CVE-2023-1234'],
            immutableRules: [{ tags: 'v*' }],
            webhooks: [
              {
                name: 'replication-hook',
                address: 'https://hooks.example.com/harbor',
                authHeader: 'Bearer demo-hook-token',
              },
            ],
            retention: { keepLatest: 10 },
            repositories: [
              {
                name: 'api',
                images: [
                  {
                    tags: ['2.0.0', 'stable'],
                    seed: 'api-2.0.0',
                    labels: ['prod', 'dr-critical'],
                    signatures: ['cosign', 'sbom'],
                  },
                ],
              },
              {
                name: 'web/frontend',
                images: [
                  { tags: ['1.4.2'], seed: 'frontend-1.4.2', labels: ['prod'] },
                ],
              },
              {
                name: 'legacy',
                images: [{ tags: ['0.1'], seed: 'legacy-0.1' }],
              },
            ],
          },
          {
            name: 'team-b',
            members: [{ user: 'carol', role: 'maintainer' }],
            repositories: [
              {
                name: 'worker',
                images: [
                  { tags: ['1.0'], seed: 'worker-1.0' },
                  { tags: ['0.9'], seed: 'worker-0.9' },
                  { tags: [], seed: 'worker-dangling' },
                ],
              },
            ],
          },
        ],
        robots: [
          { name: 'auditor', level: 'system', access: READ_ACCESS },
          {
            name: 'ci',
            level: 'project',
            project: 'team-a',
            access: [
              { resource: 'repository', action: 'push' },
              { resource: 'repository', action: 'pull' },
            ],
          },
        ],
        policies: [
          {
            name: 'to-dr',
            destRegistry: 'dr-site',
            filters: [{ type: 'name', value: '**' }],
            override: false,
            deletion: false,
            replaceCount: -1,
          },
          {
            name: 'to-cluster-1',
            destRegistry: 'cluster-1',
            destNamespace: 'mirror',
            replaceCount: 1,
            filters: [
              { type: 'name', value: 'team-a/**' },
              { type: 'tag', value: '{*.*.*,0.*}' },
            ],
            override: true,
          },
          {
            // Means two repositories from Harbor 2.10.3 on; 2.10.1 cannot run it at all.
            name: 'edge-to-cluster-1',
            destRegistry: 'cluster-1',
            destNamespace: 'edge',
            replaceCount: 1,
            filters: [
              { type: 'name', value: '{library/alpine,team-a/legacy}' },
            ],
          },
          {
            name: 'to-cluster-2',
            destRegistry: 'cluster-2',
            trigger: 'event_based',
            filters: [{ type: 'name', value: 'library/**' }],
            deletion: true,
          },
        ],
      },
      {
        name: 'harbor-dr',
        harborVersion: DEMO_RELEASE,
        configuration: { ...OIDC, oidc_admin_group: 'harbor-admins-dr' },
        systemCveAllowlist: ['CVE-2024-0001'],
        users: USERS.slice(0, 2),
        groups: [{ name: 'platform', type: 3 }],
        labels: [{ name: 'prod', color: '#C92100' }],
        projects: [
          { name: 'library', public: true },
          {
            name: 'team-a',
            metadata: {
              auto_scan: 'true',
              severity: 'high',
              prevent_vul: 'false',
            },
            members: [{ user: 'alice', role: 'projectAdmin' }],
            cveAllowlist: ['CVE-2023-1234'],
          },
        ],
        robots: [{ name: 'auditor', level: 'system', access: READ_ACCESS }],
      },
    ],
    registries: [{ name: 'cluster-1' }, { name: 'cluster-2' }],
    actions: [
      { type: 'run-policy', harbor: 'harbor-primary', policy: 'to-dr' },
      {
        type: 'faults',
        harbor: 'harbor-primary',
        faults: [
          {
            kind: 'replication-fail',
            repository: 'team-a/legacy',
            message: 'failed to copy blob: unexpected EOF',
            count: 1,
          },
        ],
      },
      { type: 'run-policy', harbor: 'harbor-primary', policy: 'to-cluster-1' },
      // Fails on 2.10.1: "/" inside braces is a syntax error for doublestar v1.1.1.
      {
        type: 'run-policy',
        harbor: 'harbor-primary',
        policy: 'edge-to-cluster-1',
      },
      // Library pushes since the event rule exists reached cluster-2; seed it once manually.
      { type: 'run-policy', harbor: 'harbor-primary', policy: 'to-cluster-2' },
      { type: 'advance-clock', seconds: 3600 },
      {
        type: 'move-tag',
        harbor: 'harbor-primary',
        repository: 'library/nginx',
        tag: 'latest',
        seed: 'nginx-1.28',
      },
      { type: 'run-policy', harbor: 'harbor-primary', policy: 'to-dr' },
      {
        type: 'delete-artifact',
        harbor: 'harbor-primary',
        repository: 'team-b/worker',
        reference: '0.9',
      },
      { type: 'advance-clock', seconds: 600 },
      {
        type: 'push',
        harbor: 'harbor-primary',
        repository: 'team-a/api',
        image: { tags: ['2.1.0'], seed: 'api-2.1.0', labels: ['prod'] },
      },
      { type: 'advance-clock', seconds: 900 },
    ],
  };
}

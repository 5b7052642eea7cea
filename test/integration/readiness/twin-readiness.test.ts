import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import type { Report } from '../../../lambdas/core/report/schema';
import { runReadinessJob } from '../../../lambdas/use-cases/readiness-job';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { startLab, type Lab, type ScenarioInput } from '../../../lab/index';

const HOOK_HEADER = 'Bearer twin-hook-secret-5e1d';
const ROBOT_SECRET = 'TwinRobotSecret77x';
const OIDC_SECRET = 'twin-oidc-client-secret';
const USER_PASSWORD = 'TwinUserPassw0rd!';

const users = [
  { username: 'alice', email: 'alice@example.com', password: USER_PASSWORD },
  { username: 'bob', email: 'bob@example.com', password: USER_PASSWORD },
];
const project = (name: string) => ({
  name,
  metadata: { auto_scan: 'true' },
  members: [{ user: 'alice', role: 'projectAdmin' as const }],
  labels: [{ name: `${name}-label` }],
  webhooks: [
    {
      name: 'hook',
      address: 'https://hooks.example.com',
      authHeader: HOOK_HEADER,
    },
  ],
  immutableRules: [{ tags: 'v*' }],
  retention: { keepLatest: 5 },
});
const robots = [
  {
    name: 'puller',
    level: 'project' as const,
    project: 'apps',
    access: [{ resource: 'repository', action: 'pull' }],
    secret: ROBOT_SECRET,
  },
  {
    name: 'ops',
    level: 'system' as const,
    access: [{ resource: 'project', action: 'list' }],
    secret: ROBOT_SECRET,
  },
];
const configuration = {
  auth_mode: 'oidc_auth',
  oidc_name: 'corp',
  oidc_endpoint: 'https://sso.example.com',
  oidc_client_id: 'harbor',
  oidc_client_secret: OIDC_SECRET,
};

/**
 * Twins: the DR Harbor holds the same metadata as the primary, created in another order, so
 * that every numeric id differs. Readiness must find no drift, and no secret in its reports.
 */
function twinScenario(): ScenarioInput {
  return {
    name: 'twins',
    harbors: [
      {
        name: 'primary',
        configuration,
        users,
        labels: [{ name: 'g1' }, { name: 'g2' }],
        projects: [
          {
            ...project('apps'),
            repositories: [{ name: 'web', images: [{ tags: ['1.0'] }] }],
          },
          project('tools'),
        ],
        robots,
        registries: [{ name: 'dr', target: 'dr' }],
        policies: [{ name: 'to-dr', destRegistry: 'dr', filters: [] }],
      },
      {
        name: 'dr',
        configuration,
        users: [...users].reverse(),
        labels: [{ name: 'g2' }, { name: 'g1' }],
        projects: [project('tools'), project('apps')],
        robots: [...robots].reverse(),
      },
    ],
    actions: [{ type: 'run-policy', harbor: 'primary', policy: 'to-dr' }],
  };
}

describe('readiness of identical twins', () => {
  let lab: Lab | undefined;
  let dir = '';
  let report: Report;
  let files: string[] = [];

  beforeAll(async () => {
    lab = await startLab(twinScenario());
    dir = mkdtempSync(join(tmpdir(), 'readiness-twins-'));
    const { configPath } = lab.writeConfig(join(dir, 'lab'));
    const result = await runReadinessJob(
      {
        store: new LocalDirReportStore(join(dir, 'reports')),
        clock: { now: () => new Date() },
        resolveCredentials: createCredentialsResolver(),
      },
      {
        config: loadConfigFile(configPath),
        toolVersion: 'test',
        deadline: new Date(Date.now() + 60_000),
        concurrency: 4,
      }
    );
    report = result.report;
    files = [result.locations.json, result.locations.human];
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('numbers things differently on the two sides', () => {
    const idOf = (h: number, name: string) =>
      [...(lab?.harbors[h]?.harbor.state.users.values() ?? [])].find(
        (u) => u.username === name
      )?.id;
    expect(idOf(0, 'alice')).toBeDefined();
    expect(idOf(0, 'alice')).not.toBe(idOf(1, 'alice'));
    const projectId = (h: number, name: string) =>
      lab?.harbors[h]?.harbor.state.projectByName(name)?.id;
    expect(projectId(0, 'apps')).not.toBe(projectId(1, 'apps'));
  });

  it('finds no drift by name', () => {
    const dr = report.targets.find((t) => t.name === 'dr');
    expect(dr?.metadataDrift?.status).toBe('compared');
    expect(dr?.drift.filter((d) => d.category !== 'audit-logs')).toEqual([]);
    expect(dr?.checklist?.find((c) => c.id === 'critical-drift')?.status).toBe(
      'pass'
    );
  });

  it('never writes a seeded secret, nor its hash, into a report', () => {
    const secrets = [
      HOOK_HEADER,
      'twin-hook-secret-5e1d',
      createHash('sha256').update(HOOK_HEADER).digest('hex'),
      ROBOT_SECRET,
      OIDC_SECRET,
      USER_PASSWORD,
    ];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text.length).toBeGreaterThan(100);
      for (const s of secrets) expect(text).not.toContain(s);
    }
  });
});

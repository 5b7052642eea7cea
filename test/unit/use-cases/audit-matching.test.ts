import { planRun, runAudit } from '../../../lambdas/use-cases/audit';
import type { AuditDeps, AuditInput } from '../../../lambdas/use-cases/audit';
import type { HarborArtifact } from '../../../lambdas/core/model';
import type { HarborApi, HarborReadApi } from '../../../lambdas/core/ports';
import { runReadiness } from '../../../lambdas/use-cases/readiness';
import { reportSchema } from '../../../lambdas/core/report/schema';
import { endpoint, policy } from '../../helpers/policy-fixture';
import { TARGET_DRIVERS } from '../../../lambdas/compose/drivers';

// The audit reads the primary's release once (GET /systeminfo) and plans with its doublestar.
const NOW = new Date('2026-11-29T12:00:00Z');

const artifact = (
  repository: string,
  tag: string,
  n: number
): HarborArtifact => ({
  repository,
  digest: `sha256:${n.toString(16).padStart(64, '0')}`,
  manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
  type: 'IMAGE',
  pushTime: '2026-11-29T11:00:00Z',
  tags: [{ name: tag }],
  labels: [],
  childDigests: [],
  accessories: [],
});

function primary(harborVersion: HarborApi['harborVersion']): HarborApi & {
  versionReads: () => number;
} {
  let reads = 0;
  return {
    whoAmI: () => Promise.resolve({ kind: 'robot' }),
    harborVersion: () => {
      reads++;
      return harborVersion();
    },
    listPolicies: () =>
      Promise.resolve([
        policy({
          destRegistry: endpoint({ url: 'http://r.example.com' }),
          filters: [
            {
              type: 'name',
              value: '{library/app,team/app}',
              decoration: 'matches',
            },
          ],
        }),
      ]),
    listRegistries: () => Promise.resolve([]),
    listProjects: () =>
      Promise.resolve([
        { id: 1, name: 'library', registryId: 0, public: true },
        { id: 2, name: 'team', registryId: 0, public: false },
      ]),
    getProject: () => Promise.resolve(null),
    listRepositories: (p) => Promise.resolve([`${p}/app`]),
    listArtifacts: (repo) => Promise.resolve([artifact(repo, 'v1', 1)]),
    versionReads: () => reads,
  };
}

const deps = (api: HarborApi): AuditDeps => ({
  primary: api,
  targets: [
    {
      name: 'cluster1',
      kind: 'distribution',
      url: 'http://r.example.com',
      traits: TARGET_DRIVERS.distribution.traits,
      observer: {
        listNamespace: () => Promise.resolve([]),
        observe: (repos) =>
          Promise.resolve(
            repos.map((repository) => ({ repository, exists: false, refs: [] }))
          ),
      },
    },
  ],
  clock: { now: () => NOW },
});

const input: AuditInput = {
  runId: 'run-1',
  toolVersion: 'test',
  primary: { name: 'harbor', url: 'https://harbor.example.com' },
  policies: 'auto',
  rpoObjectiveMinutes: 60,
  concurrency: 4,
  deadline: new Date(NOW.getTime() + 60_000),
};

describe('planRun reads the primary release for the filters', () => {
  it('plans with doublestar v1.1.1 on Harbor 2.10.1: a brace with / cannot run', async () => {
    // Arrange
    const api = primary(() => Promise.resolve('v2.10.1-b7b88476'));

    // Act
    const planned = await planRun(deps(api), input);

    // Assert
    expect(api.versionReads()).toBe(1);
    expect(planned.plan.matching).toMatchObject({
      doublestar: 'v1.1.1',
      source: 'systeminfo',
      harborVersion: 'v2.10.1-b7b88476',
    });
    const t = planned.plan.targets[0]!;
    // Its refs stay expected (as v1.3.4 reads the filter), each blocked with the reason.
    expect(t.expected.map((r) => [r.repository, r.cannotRun])).toEqual([
      ['library/app', expect.stringContaining('syntax error in pattern')],
      ['team/app', expect.stringContaining('syntax error in pattern')],
    ]);
    // Event-based: Harbor fails each push event's execution, so the error is per repository.
    expect(t.policyErrors.map((e) => [e.repository, e.message])).toEqual([
      ['library/app', expect.stringContaining('syntax error in pattern')],
      ['team/app', expect.stringContaining('syntax error in pattern')],
    ]);
    expect(planned.warnings).toEqual([]);
  });

  it('takes a release the caller already read (readiness) without reading it again', async () => {
    const api = primary(() => Promise.resolve('v2.12.0'));

    const planned = await planRun(deps(api), {
      ...input,
      primaryRelease: { harborVersion: 'v2.10.1-b7b88476' },
    });

    expect(api.versionReads()).toBe(0);
    expect(planned.plan.matching).toMatchObject({
      doublestar: 'v1.1.1',
      source: 'systeminfo',
    });
  });

  it('a readiness run reads the primary release once (its GET /systeminfo), and the audit plans with it', async () => {
    const api = primary(() => Promise.resolve('v2.12.0'));
    let infoReads = 0;
    const primaryMetadata = {
      systemInfo: () => {
        infoReads++;
        return Promise.resolve({
          version: 'v2.10.1-b7b88476',
          authMode: 'db_auth',
          currentTime: null,
          readOnly: false,
        });
      },
    } as Partial<HarborReadApi> as HarborReadApi;

    const report = await runReadiness(
      {
        ...deps(api),
        targets: deps(api).targets.map((t) => ({ ...t, verifyTls: false })),
        primaryMetadata,
      },
      { ...input, history: [] }
    );

    expect(infoReads).toBe(1);
    expect(api.versionReads()).toBe(0);
    expect(report.matching).toMatchObject({
      doublestar: 'v1.1.1',
      source: 'systeminfo',
      harborVersion: 'v2.10.1-b7b88476',
    });
  });

  it('plans with v1.3.4 on Harbor 2.12', async () => {
    const planned = await planRun(
      deps(primary(() => Promise.resolve('v2.12.0'))),
      input
    );

    expect(planned.plan.matching?.doublestar).toBe('v1.3.4');
    expect(planned.plan.targets[0]!.expected.map((r) => r.repository)).toEqual([
      'library/app',
      'team/app',
    ]);
  });

  it('an unreadable release: v1.3.4, and the plan says so', async () => {
    const planned = await planRun(
      deps(primary(() => Promise.reject(new Error('HTTP 503')))),
      input
    );

    expect(planned.plan.matching).toMatchObject({
      doublestar: 'v1.3.4',
      source: 'default',
    });
    expect(planned.warnings).toEqual([
      expect.stringMatching(
        /^filters: doublestar v1\.3\.4 .*a guess: .*could not be read \(GET \/systeminfo: HTTP 503\)/
      ),
    ]);
    // and the policy whose meaning depends on the release carries a warning of its own
    expect(planned.plan.targets[0]!.warnings.map((w) => w.code)).toContain(
      'doublestar-guess'
    );
  });

  it('a version forced by the config is used without asking the primary', async () => {
    const api = primary(() => Promise.resolve('v2.12.0'));

    const planned = await planRun(deps(api), {
      ...input,
      doublestar: 'v1.1.1',
    });

    expect(api.versionReads()).toBe(0);
    expect(planned.plan.matching).toMatchObject({
      doublestar: 'v1.1.1',
      source: 'config',
    });
  });

  it('the report records the matching (optional field, schema version 1)', async () => {
    const report = await runAudit(
      deps(primary(() => Promise.resolve('v2.10.1'))),
      input
    );

    expect(report.schemaVersion).toBe(1);
    expect(report.matching).toMatchObject({
      doublestar: 'v1.1.1',
      source: 'systeminfo',
    });
    expect(reportSchema.parse(report)).toEqual(report);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab } from '../../../lab/index';
import type { ScenarioInput } from '../../../lab/scenarios/schema';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import type { Report } from '../../../lambdas/core/report/schema';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { runAuditJob } from '../../../lambdas/use-cases/audit-job';

// A policy whose flattening fails (library/nginx has one component, the level is 2): the lab,
// like Harbor, fails the whole execution, so nothing of it arrives. The audit must count every
// ref of that policy as missing ("policy cannot run: ..."), not leave it out (issue 12).
jest.setTimeout(60_000);

const scenario: ScenarioInput = {
  name: 'cannot-run',
  harbors: [
    {
      name: 'primary',
      registries: [{ name: 'mirror', target: 'plain' }],
      projects: [
        {
          name: 'library',
          repositories: [
            { name: 'nginx', images: [{ tags: ['1.25'] }] },
            { name: 'tools/cli', images: [{ tags: ['1'], seed: 'cli' }] },
          ],
        },
        {
          name: 'team',
          repositories: [
            { name: 'redis', images: [{ tags: ['v1'], seed: 'redis' }] },
          ],
        },
      ],
      policies: [
        {
          name: 'flat',
          destRegistry: 'mirror',
          destNamespace: 'x',
          replaceCount: 2,
          filters: [{ type: 'name', value: 'library/**' }],
        },
        {
          name: 'team',
          destRegistry: 'mirror',
          filters: [{ type: 'name', value: 'team/**' }],
        },
      ],
    },
  ],
  registries: [{ name: 'plain', kind: 'memory' }],
  actions: [
    { type: 'run-policy', harbor: 'primary', policy: 'flat' },
    { type: 'run-policy', harbor: 'primary', policy: 'team' },
  ],
};

let lab: Lab | undefined;

beforeAll(async () => {
  lab = await startLab(scenario);
});
afterAll(async () => {
  await lab?.stop();
});

async function audit(): Promise<Report> {
  if (!lab) throw new Error('lab did not start');
  const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-cannot-run-'));
  const config = loadConfigFile(lab.writeConfig(dir).configPath);
  const { report } = await runAuditJob(
    {
      store: new LocalDirReportStore(join(dir, 'reports')),
      clock: { now: () => new Date() },
      resolveCredentials: createCredentialsResolver(),
    },
    {
      config,
      toolVersion: 'test',
      deadline: new Date(Date.now() + 60_000),
      concurrency: 4,
    }
  );
  return report;
}

describe('audit of a policy that Harbor cannot run (lab)', () => {
  it('counts every ref of the failing policy as missing, with the reason', async () => {
    const report = await audit();

    const plain = report.targets.find((t) => t.name === 'plain');
    const flattening =
      'policy cannot run: the source repository "library/nginx" contains only 1 path components [library] excepting the last one, but the destination namespace flattening level is 2';
    expect(
      plain?.findings.map((f) => [f.state, f.repository, f.reference, f.detail])
    ).toEqual([
      ['missing', 'x/cli', '1', flattening],
      // No destination name at all: named by its source repository.
      ['missing', 'library/nginx', '1.25', flattening],
    ]);
    expect(plain?.counts).toEqual({
      expected: 3,
      synced: 1,
      missing: 2,
      mismatched: 0,
      orphaned: 0,
      unknown: 0,
    });
    expect(plain?.rpo.estimateSeconds).toBeGreaterThan(0);
    const flat = report.policies.find((p) => p.name === 'flat');
    expect(flat).toMatchObject({ expected: 2, errors: [flattening.slice(19)] });
  });
});

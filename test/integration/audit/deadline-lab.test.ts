import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoLab, type DemoLab } from '../../../lab/index';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import type { TargetReport } from '../../../lambdas/core/report/schema';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import type { HarborDrConfig } from '../../../lambdas/shared/config';
import { runAuditJob } from '../../../lambdas/use-cases/audit-job';

// Issue 11 problem 7: the deadline was checked only before a shard started; a registry that
// stalls ran a run far past it (in Lambda: killed before the report is saved). The deadline
// is one abort signal in every request: what it cuts is UNKNOWN, the report is written.
jest.setTimeout(60_000);

const DEADLINE_MS = 2_000;
// Generous on a loaded machine; without the abort the stalled request alone takes the
// 10 s headers timeout, then again per repository.
const SLACK_MS = 3_000;

let lab: DemoLab;
let config: HarborDrConfig;

beforeAll(async () => {
  lab = await startDemoLab();
  config = loadConfigFile(
    lab.writeConfig(mkdtempSync(join(tmpdir(), 'harbor-dr-deadline-')))
      .configPath
  );
});

afterAll(async () => {
  lab.secondary.harbor.faults.clear();
  await lab.stop();
});

const shard = (t: TargetReport, project: string) =>
  t.shards.find((s) => s.project === project);

describe('the run deadline', () => {
  it('aborts a stalled shard in flight: it is UNKNOWN, the rest audited, the report stored in time', async () => {
    // Arrange: the DR Harbor never answers for team-b (the last shard).
    lab.secondary.harbor.faults.add({
      kind: 'timeout',
      method: 'GET',
      path: '/projects/team-b/repositories',
      ms: 120_000,
      count: -1,
    });
    const store = new LocalDirReportStore(
      mkdtempSync(join(tmpdir(), 'harbor-dr-reports-'))
    );
    const started = Date.now();

    // Act
    const { report, locations } = await runAuditJob(
      {
        store,
        clock: { now: () => new Date() },
        resolveCredentials: createCredentialsResolver(),
      },
      {
        config,
        toolVersion: 'test',
        deadline: new Date(started + DEADLINE_MS),
        concurrency: 4,
        targets: ['harbor-dr'],
      }
    );
    const elapsed = Date.now() - started;

    // Assert
    expect(elapsed).toBeLessThan(DEADLINE_MS + SLACK_MS);
    const dr = report.targets.find((t) => t.name === 'harbor-dr');
    if (!dr) throw new Error('no harbor-dr in the report');
    expect(shard(dr, 'library')).toEqual({
      project: 'library',
      status: 'audited',
    });
    expect(shard(dr, 'team-b')).toMatchObject({
      status: 'unknown',
      reason: expect.stringMatching(
        /^deadline reached: aborted in flight/
      ) as string,
    });
    expect(dr.verdict).toBe('UNKNOWN');
    // Nothing unseen reads as a zero exposure.
    expect(dr.rpo.estimateSeconds).toBeNull();
    expect(existsSync(locations.json)).toBe(true);
  });
});

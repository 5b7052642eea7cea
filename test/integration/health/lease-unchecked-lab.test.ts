import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startLab, type Lab } from '../../../lab/index';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import type { RunLease } from '../../../lambdas/core/ports';
import { reportSchema } from '../../../lambdas/core/report/schema';
import { parseConfig } from '../../../lambdas/shared/config';
import { runAuditJob } from '../../../lambdas/use-cases/audit-job';

// A run whose lease could not be checked goes on (fail open) but does not act: against the
// lab's emulated Harbor, a failed execution that a checked run re-triggers is reported as
// not started, with why, and no execution starts.

const HOUR = 3600;
let lab: Lab;
let dir: string;

beforeAll(async () => {
  lab = await startLab(
    {
      name: 'lease-unchecked',
      harbors: [
        {
          name: 'primary',
          registries: [{ name: 'ca', target: 'cluster-a' }],
          projects: [
            {
              name: 'app',
              repositories: [
                {
                  name: 'svc-a',
                  images: [{ tags: ['1.0'], seed: 'svc-a-1.0' }],
                },
              ],
            },
          ],
          policies: [
            {
              name: 'to-a',
              destRegistry: 'ca',
              filters: [{ type: 'name', value: 'app/svc-a' }],
            },
          ],
        },
      ],
      registries: [{ name: 'cluster-a', kind: 'memory' }],
      actions: [
        {
          type: 'faults',
          harbor: 'primary',
          faults: [
            {
              kind: 'replication-fail',
              repository: 'app/svc-a',
              message: 'failed to copy blob: unexpected EOF',
              count: 1,
            },
          ],
        },
        { type: 'run-policy', harbor: 'primary', policy: 'to-a' },
        // Past the cooldown that the lab's own manual run starts.
        { type: 'advance-clock', seconds: 2 * HOUR },
      ],
    },
    { preferRealRegistry: false }
  );
  dir = mkdtempSync(join(tmpdir(), 'lease-unchecked-'));
}, 60_000);

afterAll(async () => {
  await lab.stop();
  rmSync(dir, { recursive: true, force: true });
});

function executions(): string[] {
  const state = lab.primary.harbor.state;
  return [...state.executions.values()].map((e) => e.status);
}

it('re-triggers nothing when its run lease could not be checked, and reports the start it would have made as not sent, with why', async () => {
  // Arrange
  const { configPath } = lab.writeConfig(join(dir, 'lab'));
  const base = parse(readFileSync(configPath, 'utf8')) as Record<
    string,
    unknown
  >;
  const config = parseConfig(
    { ...base, retrigger: { enabled: true } },
    configPath
  );
  const store = new LocalDirReportStore(join(dir, 'reports'));
  const unlistable: RunLease = {
    timing: store.timing,
    claim: (m) => store.claim(m),
    markers: () => Promise.reject(new Error('AccessDenied: s3:ListBucket')),
    release: (id) => store.release(id),
  };
  expect(executions()).toEqual(['Error']);

  // Act
  const result = await runAuditJob(
    {
      store,
      lease: unlistable,
      sleep: () => Promise.resolve(),
      clock: { now: () => lab.clock.now() },
      resolveCredentials: createCredentialsResolver(),
    },
    {
      config,
      toolVersion: 'test',
      deadline: new Date(lab.clock.now().getTime() + 60_000),
      concurrency: 4,
    }
  );
  await lab.primary.harbor.idle();

  // Assert
  const report = reportSchema.parse(result.report);
  const target = report.targets.find((t) => t.name === 'cluster-a');
  expect(target?.counts.missing).toBe(1);
  const health = target?.replication.health?.find(
    (h) => h.policyName === 'to-a'
  );
  // The decision is made and reported as a checked run would make it ...
  expect(health?.retrigger?.action).toBe('start');
  // ... but not carried out.
  expect(target?.replication.retriggered).toEqual([
    expect.objectContaining({
      policyName: 'to-a',
      dryRun: false,
      outcome: 'not-sent',
      detail:
        'the run lease could not be checked (listing the markers failed: AccessDenied: s3:ListBucket): this run did not rule out another one at the same time, so it sends no start or stop; nothing was started',
    }),
  ]);
  expect(executions()).toEqual(['Error']);
  expect(report.errors).toContainEqual(
    expect.objectContaining({ scope: 'run-lease' })
  );
}, 60_000);

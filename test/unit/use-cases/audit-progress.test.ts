import { runAudit, type AuditInput } from '../../../lambdas/use-cases/audit';
import type { ProgressEvent } from '../../../lambdas/use-cases/progress';
import type { TargetObserver } from '../../../lambdas/core/ports';
import { fakeDigest, fakePrimary } from '../../helpers/fake-harbor';
import { TARGET_DRIVERS } from '../../../lambdas/compose/drivers';

// The audit tells its progress: the plan, each shard as it is done, each target at its end.
const NOW = new Date('2026-11-29T12:00:00Z');

const holdsV1: TargetObserver = {
  listNamespace: () => Promise.resolve(['library/app']),
  observe: () =>
    Promise.resolve([
      {
        repository: 'library/app',
        exists: true,
        refs: [
          {
            repository: 'library/app',
            reference: 'v1',
            byDigest: false,
            digest: fakeDigest(1),
          },
        ],
      },
    ]),
};

const input: AuditInput = {
  runId: 'run-1',
  toolVersion: 'test',
  primary: { name: 'harbor', url: 'https://harbor.example.com' },
  policies: 'auto',
  rpoObjectiveMinutes: 60,
  concurrency: 4,
  deadline: new Date(NOW.getTime() + 60_000),
};

describe('runAudit progress', () => {
  it('tells the plan, then each shard and target as it finishes', async () => {
    const events: ProgressEvent[] = [];

    const report = await runAudit(
      {
        primary: fakePrimary(),
        targets: [
          {
            name: 'cluster1',
            kind: 'distribution',
            url: 'http://r.example.com',
            traits: TARGET_DRIVERS.distribution.traits,
            observer: holdsV1,
          },
        ],
        clock: { now: () => NOW },
      },
      {
        ...input,
        onProgress: (e) => {
          events.push(e);
        },
      }
    );

    expect(events).toEqual([
      { kind: 'planned', targets: [{ target: 'cluster1', shards: 1 }] },
      {
        kind: 'shard',
        target: 'cluster1',
        project: 'library',
        refs: 2,
        status: 'audited',
      },
      {
        kind: 'target',
        target: 'cluster1',
        verdict: 'DEGRADED',
        shards: [{ project: 'library', status: 'audited' }],
        errors: [],
      },
    ]);
    expect(report.targets[0]?.verdict).toBe('DEGRADED');
  });

  it('tells the reason of a shard left UNKNOWN', async () => {
    const events: ProgressEvent[] = [];
    const failing: TargetObserver = {
      listNamespace: () => Promise.reject(new Error('catalog refused')),
      observe: () => Promise.reject(new Error('HTTP 502 after 3 retries')),
    };

    await runAudit(
      {
        primary: fakePrimary(),
        targets: [
          {
            name: 'cluster1',
            kind: 'distribution',
            url: 'http://r.example.com',
            traits: TARGET_DRIVERS.distribution.traits,
            observer: failing,
          },
        ],
        clock: { now: () => NOW },
      },
      {
        ...input,
        onProgress: (e) => {
          events.push(e);
        },
      }
    );

    const shard = events.find((e) => e.kind === 'shard');
    expect(shard).toMatchObject({
      status: 'unknown',
      reason: expect.stringContaining('HTTP 502 after 3 retries') as string,
    });
  });
});

import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { S3ReportStore } from '../../../lambdas/adapters/aws/s3-report-store';
import type { Notification } from '../../../lambdas/core/ports';
import { parseConfig } from '../../../lambdas/shared/config';
import {
  RunSkippedError,
  runJob,
  type JobDeps,
  type UseCase,
} from '../../../lambdas/use-cases/job';
import { report } from '../../helpers/report-fixture';
import { startFauxqsProcess, type Fauxqs } from './fauxqs';

// The run lease on S3 (fauxqs), with real time: claims, the settle wait, listings, deletes.

const config = parseConfig(
  {
    primary: { name: 'primary', url: 'https://harbor.corp.internal' },
    targets: [
      {
        name: 'cluster1',
        url: 'https://r1.corp.internal',
        kind: 'distribution',
      },
    ],
    notify: { on: 'always' },
  },
  'test'
);

function auditing(gate: Promise<void> = Promise.resolve()) {
  const seen: string[] = [];
  let started: () => void = () => undefined;
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const uc: UseCase = {
    kind: 'audit',
    history: ['audit'],
    historyWarning: 'earlier reports could not be read',
    run: async ({ settings }) => {
      seen.push(settings.runId);
      started();
      await gate;
      const startedAt = new Date().toISOString();
      return report({
        runId: settings.runId,
        startedAt,
        finishedAt: startedAt,
      });
    },
  };
  return { uc, seen, running };
}

describe('the run lease on S3 (fauxqs)', () => {
  let fauxqs: Fauxqs;
  let s3: S3Client;
  let store: S3ReportStore;
  const sent: Notification[] = [];

  const deps = (): JobDeps => ({
    store,
    lease: store,
    clock: { now: () => new Date() },
    resolveCredentials: () => Promise.reject(new Error('no credentials here')),
    notifier: {
      publish: (n) => {
        sent.push(n);
        return Promise.resolve();
      },
    },
  });
  const input = () => ({
    config,
    toolVersion: 'test',
    deadline: new Date(Date.now() + 60_000),
  });

  async function keys(prefix: string): Promise<string[]> {
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: 'reports-bucket', Prefix: prefix })
    );
    return (out.Contents ?? []).flatMap((c) => (c.Key ? [c.Key] : []));
  }

  beforeAll(async () => {
    fauxqs = await startFauxqsProcess({ buckets: ['reports-bucket'] });
    s3 = new S3Client(fauxqs.clientConfig);
    store = new S3ReportStore(s3, { bucket: 'reports-bucket' });
  }, 20_000);

  afterAll(async () => {
    s3.destroy();
    await fauxqs.stop();
  });

  beforeEach(() => {
    sent.length = 0;
  });

  it('skips a run while another holds the lease (no report, no message), and lets the next one run after it', async () => {
    // Arrange
    let release: () => void = () => undefined;
    const first = auditing(
      new Promise<void>((resolve) => {
        release = resolve;
      })
    );
    const second = auditing();
    const third = auditing();

    // Act
    const firstRun = runJob(deps(), input(), first.uc);
    await first.running;
    const markerKeys = await keys('reports/runs-active/');
    const skipped = await runJob(deps(), input(), second.uc).catch(
      (err: unknown) => err
    );
    release();
    await firstRun;
    const after = await keys('reports/runs-active/');
    await runJob(deps(), input(), third.uc);

    // Assert
    expect(markerKeys).toEqual([`reports/runs-active/${first.seen[0]}.json`]);
    expect(skipped).toBeInstanceOf(RunSkippedError);
    expect((skipped as RunSkippedError).holder.runId).toBe(first.seen[0]);
    expect(second.seen).toEqual([]);
    expect(after).toEqual([]);
    expect(third.seen).toHaveLength(1);
    expect(sent).toHaveLength(2);
    const reports = (await keys('reports/audit/')).filter(
      (k) => !k.includes('latest') && k.endsWith('.json')
    );
    expect(reports.map((k) => k.slice(k.lastIndexOf('/') + 1)).sort()).toEqual(
      [`${first.seen[0] ?? ''}.json`, `${third.seen[0] ?? ''}.json`].sort()
    );
    expect(await keys('reports/runs-active/')).toEqual([]);
  }, 30_000);

  it('of runs started together, exactly one proceeds: the one with the smallest id', async () => {
    // Arrange
    const runs = [auditing(), auditing(), auditing()];

    // Act
    const outcomes = await Promise.allSettled(
      runs.map((r) => runJob(deps(), input(), r.uc))
    );

    // Assert
    const done = outcomes.flatMap((o) =>
      o.status === 'fulfilled' ? [o.value.report.runId] : []
    );
    const yielded = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [o.reason as RunSkippedError] : []
    );
    expect(done).toHaveLength(1);
    expect(yielded).toHaveLength(2);
    for (const y of yielded) {
      expect(y).toBeInstanceOf(RunSkippedError);
      expect(y.runId > done[0]!).toBe(true);
    }
    expect(sent).toHaveLength(1);
    expect(await keys('reports/runs-active/')).toEqual([]);
  }, 30_000);

  it('ignores and deletes the marker of a crashed run once it has expired', async () => {
    // Arrange
    await store.claim({
      runId: '20261129T010000000Z-dead00',
      kind: 'readiness',
      startedAt: '2026-11-29T01:00:00.000Z',
      expiresAt: '2026-11-29T01:20:00.000Z',
    });
    const run = auditing();

    // Act
    await runJob(deps(), input(), run.uc);

    // Assert
    expect(run.seen).toHaveLength(1);
    expect(await keys('reports/runs-active/')).toEqual([]);
  }, 30_000);
});

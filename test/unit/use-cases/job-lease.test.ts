import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import type { Notification, RunLease } from '../../../lambdas/core/ports';
import type { LeaseMarker } from '../../../lambdas/core/report/lease';
import { parseConfig } from '../../../lambdas/shared/config';
import {
  RunSkippedError,
  runJob,
  type JobDeps,
  type UseCase,
} from '../../../lambdas/use-cases/job';
import { report } from '../../helpers/report-fixture';

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

/** One clock for every run of a test; waiting moves it on (no real time passes). */
function world(start = '2026-11-30T02:00:00.000Z') {
  let t = Date.parse(start);
  return {
    clock: { now: () => new Date(t) },
    sleep: (ms: number) => {
      t += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A use case that reports what it is told, once `release` is called when `hold` is set. */
function useCase(hold = false, kind: UseCase['kind'] = 'audit') {
  let release: () => void = () => undefined;
  const gate = hold
    ? new Promise<void>((resolve) => {
        release = resolve;
      })
    : Promise.resolve();
  const seen: string[] = [];
  let started: () => void = () => undefined;
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const uc: UseCase = {
    kind,
    history: [kind],
    historyWarning: 'earlier reports could not be read',
    run: async ({ settings }) => {
      seen.push(settings.runId);
      started();
      await gate;
      return report({
        kind,
        runId: settings.runId,
        startedAt: '2026-11-30T02:00:00.000Z',
        finishedAt: '2026-11-30T02:00:05.000Z',
        verdict: 'READY',
      });
    },
  };
  return {
    uc,
    seen,
    running,
    release: () => {
      release();
    },
  };
}

function depsFor(
  store: LocalDirReportStore,
  w: ReturnType<typeof world>,
  sent: Notification[],
  lease: RunLease = store
): JobDeps {
  return {
    store,
    lease,
    clock: w.clock,
    sleep: w.sleep,
    resolveCredentials: () => Promise.reject(new Error('no credentials here')),
    notifier: {
      publish: (n) => {
        sent.push(n);
        return Promise.resolve();
      },
    },
  };
}

const input = (w: ReturnType<typeof world>) => ({
  config,
  toolVersion: 'test',
  deadline: new Date(w.clock.now().getTime() + 14 * 60_000),
});

async function reportsIn(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(join(dir, 'audit'), { recursive: true });
    return entries.filter(
      (e) => e.endsWith('.json') && !e.endsWith('latest.json')
    );
  } catch {
    return [];
  }
}

describe('runJob: the run lease', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'job-lease-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('skips a second run while the first holds the lease: nothing read, written or sent; after the first ends the next proceeds', async () => {
    // Arrange
    const w = world();
    const store = new LocalDirReportStore(dir);
    const sent: Notification[] = [];
    const first = useCase(true);
    const second = useCase();
    const third = useCase();

    // Act
    const firstRun = runJob(depsFor(store, w, sent), input(w), first.uc);
    await first.running;
    w.advance(60_000);
    const skipped = await runJob(
      depsFor(store, w, sent),
      input(w),
      second.uc
    ).catch((err: unknown) => err);
    const markersWhileHeld = await store.markers();
    first.release();
    const firstResult = await firstRun;
    const markersAfter = await store.markers();
    w.advance(60_000);
    const thirdResult = await runJob(
      depsFor(store, w, sent),
      input(w),
      third.uc
    );

    // Assert
    expect(skipped).toBeInstanceOf(RunSkippedError);
    const err = skipped as RunSkippedError;
    expect(err.holder.runId).toBe(first.seen[0]);
    expect(err.message).toMatch(
      /^skipped: another run \S+ \(audit, started at 2026-11-30T02:00:00.000Z\) holds the lease until 2026-11-30T02:19:00.000Z$/
    );
    expect(second.seen).toEqual([]);
    expect(markersWhileHeld.map((m) => m.runId)).toEqual([first.seen[0]]);
    expect(markersAfter).toEqual([]);
    expect(sent.map((n) => n.attributes.kind)).toEqual(['audit', 'audit']);
    expect(await reportsIn(dir)).toHaveLength(2);
    expect(firstResult.report.runId).toBe(first.seen[0]);
    expect(thirdResult.report.runId).toBe(third.seen[0]);
    expect(thirdResult.report.errors).toEqual([]);
    expect(await store.markers()).toEqual([]);
  });

  it('two runs that claim at the same time and both see both: the smaller id proceeds, the other yields (never both, never none)', async () => {
    for (let round = 0; round < 10; round++) {
      // Arrange: both claims are written before either lists.
      const w = world();
      const store = new LocalDirReportStore(
        join(dir, `race-${round.toString()}`)
      );
      const sent: Notification[] = [];
      let claimed = 0;
      let bothClaimed: () => void = () => undefined;
      const barrier = new Promise<void>((resolve) => {
        bothClaimed = resolve;
      });
      const racing: RunLease = {
        timing: store.timing,
        claim: async (m) => {
          await store.claim(m);
          if (++claimed === 2) bothClaimed();
        },
        markers: async () => {
          await barrier;
          return store.markers();
        },
        release: (id) => store.release(id),
      };
      const a = useCase();
      const b = useCase();

      // Act
      const outcomes = await Promise.allSettled([
        runJob(depsFor(store, w, sent, racing), input(w), a.uc),
        runJob(depsFor(store, w, sent, racing), input(w), b.uc),
      ]);

      // Assert
      const done = outcomes.filter((o) => o.status === 'fulfilled');
      const yielded = outcomes.flatMap((o) =>
        o.status === 'rejected' ? [o.reason as RunSkippedError] : []
      );
      expect(done).toHaveLength(1);
      expect(yielded).toHaveLength(1);
      const winner = [...a.seen, ...b.seen];
      expect(winner).toHaveLength(1);
      expect(yielded[0]?.holder.runId).toBe(winner[0]);
      expect(winner[0]! < yielded[0]!.runId).toBe(true);
      expect(sent).toHaveLength(1);
      expect(await store.markers()).toEqual([]);
    }
  });

  it('a run whose claim is written late claims again with a new (larger) id, so it cannot overtake a run that listed meanwhile', async () => {
    // Arrange: run A's first write takes 3 s (more than the store's claimMs).
    const w = world();
    const store = new LocalDirReportStore(dir);
    const sent: Notification[] = [];
    let writes = 0;
    const claims: string[] = [];
    const slowFirst: RunLease = {
      timing: store.timing,
      claim: async (m) => {
        claims.push(m.runId);
        await store.claim(m);
        if (++writes === 1) w.advance(3_000);
      },
      markers: () => store.markers(),
      release: (id) => store.release(id),
    };
    const a = useCase();

    // Act
    await runJob(depsFor(store, w, sent, slowFirst), input(w), a.uc);

    // Assert
    expect(claims).toHaveLength(2);
    expect(claims[1]! > claims[0]!).toBe(true);
    expect(a.seen).toEqual([claims[1]]);
    expect(await store.markers()).toEqual([]);
  });

  it('a run with the smaller id whose marker arrives after a later run listed cannot overtake it: it yields', async () => {
    // Arrange: A starts first, but its marker is written only after B listed and went on.
    const w = world();
    const store = new LocalDirReportStore(dir);
    const sent: Notification[] = [];
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    let aClaims = 0;
    const slowA: RunLease = {
      timing: store.timing,
      claim: async (m) => {
        if (++aClaims === 1) await blocked;
        await store.claim(m);
      },
      markers: () => store.markers(),
      release: (id) => store.release(id),
    };
    const a = useCase();
    const b = useCase(true);

    // Act
    const aRun = runJob(depsFor(store, w, sent, slowA), input(w), a.uc).catch(
      (err: unknown) => err
    );
    w.advance(100);
    const bRun = runJob(depsFor(store, w, sent), input(w), b.uc);
    await b.running;
    w.advance(3_000);
    unblock();
    const aOutcome = await aRun;
    b.release();
    await bRun;

    // Assert
    expect(a.seen).toEqual([]);
    expect(aOutcome).toBeInstanceOf(RunSkippedError);
    expect((aOutcome as RunSkippedError).holder.runId).toBe(b.seen[0]);
    expect(sent).toHaveLength(1);
    expect(await store.markers()).toEqual([]);
  });

  it('a crashed run marker stops others until it expires, then it is ignored and deleted', async () => {
    // Arrange
    const w = world();
    const store = new LocalDirReportStore(dir);
    const sent: Notification[] = [];
    const crashed: LeaseMarker = {
      runId: '20261130T013000000Z-dead00',
      kind: 'readiness',
      startedAt: '2026-11-30T01:30:00.000Z',
      expiresAt: '2026-11-30T02:10:00.000Z',
    };
    await store.claim(crashed);
    const early = useCase();
    const late = useCase();
    const warned: string[] = [];

    // Act
    const skipped = await runJob(
      depsFor(store, w, sent),
      input(w),
      early.uc
    ).catch((err: unknown) => err);
    w.advance(10 * 60_000);
    const result = await runJob(
      { ...depsFor(store, w, sent), warn: (m) => warned.push(m) },
      input(w),
      late.uc
    );

    // Assert
    expect((skipped as RunSkippedError).holder).toEqual(crashed);
    expect(early.seen).toEqual([]);
    expect(late.seen).toEqual([result.report.runId]);
    expect(warned).toContain(
      'a stale run lease marker (a crashed run?) is deleted'
    );
    expect(await store.markers()).toEqual([]);
  });

  it('a readiness run takes no lease: it runs while an audit holds the lease, and holds none back', async () => {
    // Arrange
    const w = world();
    const store = new LocalDirReportStore(dir);
    const sent: Notification[] = [];
    const audit = useCase(true);
    const readiness = useCase(true, 'readiness');

    // Act
    const auditRun = runJob(depsFor(store, w, sent), input(w), audit.uc);
    await audit.running;
    const readinessRun = runJob(
      depsFor(store, w, sent),
      input(w),
      readiness.uc
    );
    await readiness.running;
    const markersWhileBoth = await store.markers();
    audit.release();
    readiness.release();
    await Promise.all([auditRun, readinessRun]);

    // Assert
    expect(markersWhileBoth.map((m) => m.kind)).toEqual(['audit']);
    expect(readiness.seen).toHaveLength(1);
    expect(sent.map((n) => n.attributes.kind).sort()).toEqual([
      'audit',
      'readiness',
    ]);
  });

  it('releases the lease when the run fails', async () => {
    // Arrange
    const w = world();
    const store = new LocalDirReportStore(dir);
    const failing: UseCase = {
      ...useCase().uc,
      run: () => Promise.reject(new Error('boom')),
    };

    // Act
    const outcome = await runJob(
      depsFor(store, w, []),
      input(w),
      failing
    ).catch((err: unknown) => err);

    // Assert
    expect(outcome).toEqual(new Error('boom'));
    expect(await store.markers()).toEqual([]);
  });

  it('a lease that cannot be listed does not stop the run: it goes on, acts on nothing, and says so in the report errors (fail open)', async () => {
    // Arrange
    const w = world();
    const store = new LocalDirReportStore(dir);
    const sent: Notification[] = [];
    const unlistable: RunLease = {
      timing: store.timing,
      claim: (m) => store.claim(m),
      markers: () => Promise.reject(new Error('AccessDenied: s3:ListBucket')),
      release: (id) => store.release(id),
    };
    const a = useCase();
    const held: (string | undefined)[] = [];
    const uc: UseCase = {
      ...a.uc,
      run: (context) => {
        held.push(context.actsHeld);
        return a.uc.run(context);
      },
    };

    // Act
    const result = await runJob(
      depsFor(store, w, sent, unlistable),
      input(w),
      uc
    );

    // Assert
    expect(a.seen).toHaveLength(1);
    expect(result.report.errors).toEqual([
      {
        scope: 'run-lease',
        message:
          'the run lease could not be checked (listing the markers failed: AccessDenied: s3:ListBucket): this run did not rule out another one at the same time, so it sends no start or stop',
      },
    ]);
    expect(held).toEqual([result.report.errors[0]?.message]);
    expect(result.report.verdict).toBe('READY');
    expect(sent).toHaveLength(1);
    expect(await store.markers()).toEqual([]);
  });

  it('ignores files in runs-active/ that are not markers', async () => {
    // Arrange
    const w = world();
    const store = new LocalDirReportStore(dir);
    await mkdir(join(dir, 'runs-active'), { recursive: true });
    await writeFile(
      join(dir, 'runs-active', '20261130T010000000Z-zzzzzz.json'),
      'not json'
    );
    await writeFile(join(dir, 'runs-active', 'notes.txt'), 'hello');
    const a = useCase();

    // Act
    await runJob(depsFor(store, w, []), input(w), a.uc);

    // Assert
    expect(a.seen).toHaveLength(1);
  });
});

import {
  createProgress,
  etaSeconds,
  progressLine,
  type ProgressMode,
} from '../../../lambdas/cli/progress';
import type { ProgressEvent } from '../../../lambdas/use-cases/progress';
import { tell } from '../../../lambdas/use-cases/progress';

const CLEAR = '\r\x1b[K';

/** A display on a fake clock, writing into a string. */
function display(mode: ProgressMode, isTty: boolean) {
  const clock = { ms: 1_000_000 };
  const out = { text: '' };
  const progress = createProgress({
    mode,
    isTty,
    write: (t) => {
      out.text += t;
    },
    now: () => clock.ms,
  });
  return { progress, clock, out };
}

const planned: ProgressEvent = {
  kind: 'planned',
  targets: [
    { target: 'cluster-1', shards: 3 },
    { target: 'harbor-dr', shards: 1 },
  ],
};

const shard = (
  target: string,
  project: string,
  reason?: string
): ProgressEvent => ({
  kind: 'shard',
  target,
  project,
  refs: 4,
  status: reason === undefined ? 'audited' : 'unknown',
  ...(reason !== undefined ? { reason } : {}),
});

describe('etaSeconds', () => {
  it('extrapolates the shards done since the plan to the shards left', () => {
    // 10 of 40 shards in 30 s: 30 more shards at 3 s each.
    expect(etaSeconds(10, 40, 30_000)).toBe(90);
    expect(etaSeconds(1, 3, 2_000)).toBe(4);
  });

  it('has no rate before the first shard, and nothing left once all are done', () => {
    expect(etaSeconds(0, 40, 30_000)).toBeNull();
    expect(etaSeconds(40, 40, 30_000)).toBe(0);
    expect(etaSeconds(0, 0, 0)).toBe(0);
  });
});

describe('progressLine', () => {
  it('shows shards done/total, requests, rate, elapsed time and ETA', () => {
    expect(
      progressLine({
        shardsDone: 10,
        shardsTotal: 40,
        requests: 1234,
        elapsedMs: 40_000,
        sincePlannedMs: 30_000,
        sinceProgressMs: 2_000,
      })
    ).toBe('shards 10/40 | 1234 requests | 30.9/s | 40s elapsed | ETA 1m 30s');
  });

  it('says how long no shard has finished instead of an ETA when a shard hangs', () => {
    const hung = {
      shardsDone: 5,
      shardsTotal: 6,
      requests: 64,
      elapsedMs: 32_000,
      sincePlannedMs: 31_000,
    };

    // 5 shards in the first second, then nothing for 30 s: no ETA holds.
    expect(progressLine({ ...hung, sinceProgressMs: 30_000 })).toBe(
      'shards 5/6 | 64 requests | 2.0/s | 32s elapsed | no shard done for 30s'
    );
    // Below 5 s, or below 3 mean shards (31 s / 5 = 6.2 s each), it is no stall.
    expect(progressLine({ ...hung, sinceProgressMs: 18_000 })).toMatch(
      / \| ETA 6s$/
    );
  });

  it('says planning before the work is known, and no rate in the first second', () => {
    expect(
      progressLine({
        shardsDone: 0,
        shardsTotal: null,
        requests: 1,
        elapsedMs: 400,
        sincePlannedMs: 0,
        sinceProgressMs: 0,
      })
    ).toBe('planning | 1 request | 0s elapsed');
  });
});

describe('createProgress', () => {
  it('is silent when stderr is not a terminal: the run is not even told', () => {
    const { progress, out } = display('normal', false);

    expect(progress.listener).toBeUndefined();
    progress.tick();
    progress.finish();
    expect(out.text).toBe('');
  });

  it('shows nothing with --quiet, even on a terminal', () => {
    const { progress, out } = display('quiet', true);

    expect(progress.listener).toBeUndefined();
    expect(out.text).toBe('');
  });

  it('redraws one line on a terminal, at most 4 times a second, and clears it at the end', () => {
    const { progress, clock, out } = display('normal', true);
    const tellIt = progress.listener!;

    tellIt({ kind: 'request', registry: 'harbor-primary' });
    tellIt(planned);
    clock.ms += 100;
    tellIt({ kind: 'request', registry: 'cluster-1' });
    tellIt(shard('cluster-1', 'library'));
    clock.ms += 200; // 300 ms after the last drawing: due
    tellIt({ kind: 'request', registry: 'cluster-1' });
    clock.ms += 4_700; // 5 s after the plan; 1 of 4 shards done
    progress.tick();
    progress.finish();
    tellIt({ kind: 'request', registry: 'cluster-1' }); // after the end: ignored

    expect(out.text.split(CLEAR)).toEqual([
      '',
      'planning | 1 request | 0s elapsed',
      // The plan is drawn at once; the request and shard 100 ms later are not.
      'shards 0/4 | 1 request | 0s elapsed | ETA —',
      // 1 of 4 shards in 300 ms: 3 more take 900 ms.
      'shards 1/4 | 3 requests | 0s elapsed | ETA 1s',
      'shards 1/4 | 3 requests | 0.6/s | 5s elapsed | ETA 15s',
      '',
    ]);
    expect(out.text).not.toContain('\n');
  });

  it('--verbose: one line per shard and per target, with its requests and the distinct UNKNOWN reasons not said on a shard line', () => {
    const { progress, out } = display('verbose', false);
    const tellIt = progress.listener!;
    const refused = (path: string) =>
      `cluster-1 GET /v2/${path}/tags/list: HTTP 401`;

    tellIt(planned);
    tellIt({ kind: 'request', registry: 'cluster-1' });
    tellIt({ kind: 'request', registry: 'cluster-1' });
    tellIt({ kind: 'request', registry: 'harbor-dr' });
    tellIt(shard('cluster-1', 'library'));
    tellIt(shard('cluster-1', 'team-a', refused('team-a/api')));
    tellIt({
      kind: 'target',
      target: 'cluster-1',
      verdict: 'UNKNOWN',
      shards: [
        { project: 'library', status: 'audited' },
        { project: 'team-a', status: 'unknown', reason: refused('team-a/api') },
        { project: 'team-b', status: 'unknown', reason: refused('team-b/web') },
        {
          project: 'team-c',
          status: 'not-audited',
          reason: 'deadline reached\u001b[2J: not started',
        },
      ],
      errors: [
        { scope: 'cluster-1/team-d', message: refused('team-d/x') },
        { scope: 'cluster-1/team-e', message: refused('team-e/y') },
      ],
    });

    expect(out.text).toBe(
      [
        '  cluster-1 library: audited, 4 refs expected',
        `  cluster-1 team-a: UNKNOWN, 4 refs expected: ${refused('team-a/api')}`,
        'cluster-1: done, 4 shards (3 not audited), 2 requests, audit verdict UNKNOWN',
        // The reasons not said above, once each; an escape from upstream is not sent.
        '  unknown because: cluster-1 GET …: HTTP 401 (2 scopes); deadline reached [2J: not started',
        '',
      ].join('\n')
    );
  });

  it('--verbose on a terminal: the lines above the redrawn progress line', () => {
    const { progress, out } = display('verbose', true);
    const tellIt = progress.listener!;

    tellIt(planned);
    tellIt(shard('harbor-dr', 'library'));
    progress.finish();

    expect(out.text).toBe(
      `${CLEAR}shards 0/4 | 0 requests | 0s elapsed | ETA —` +
        `${CLEAR}  harbor-dr library: audited, 4 refs expected\n` +
        `${CLEAR}shards 1/4 | 0 requests | 0s elapsed | ETA —${CLEAR}`
    );
  });

  it('counts the shards a target never started (the deadline) as done when the target is', () => {
    const { progress, clock, out } = display('normal', true);
    const tellIt = progress.listener!;

    tellIt(planned);
    tellIt({
      kind: 'target',
      target: 'cluster-1',
      verdict: 'UNKNOWN',
      shards: ['a', 'b', 'c'].map((project) => ({
        project,
        status: 'not-audited' as const,
        reason: 'deadline reached: not started',
      })),
      errors: [],
    });
    clock.ms += 1_000;
    progress.tick();

    expect(out.text.split(CLEAR).at(-1)).toMatch(/^shards 3\/4 /);
  });
});

describe('tell', () => {
  it('never lets a failing listener fail the run', () => {
    expect(() => {
      tell(() => {
        throw new Error('display broke');
      }, planned);
    }).not.toThrow();
  });
});

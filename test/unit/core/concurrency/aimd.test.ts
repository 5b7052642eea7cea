import {
  aimdNext,
  aimdSettings,
  aimdStart,
  MIN_ROUND,
  type AimdOptions,
  type AimdState,
} from '../../../../lambdas/core/concurrency/aimd';

/** A registry that serves K requests at a time in `baseMs`; beyond K, requests queue. */
const kneeAt =
  (k: number, baseMs = 25) =>
  (inFlight: number): number =>
    baseMs * Math.max(1, inFlight / k);

/** Feeds `n` requests sent under the current limit, each with the latency the model gives. */
function drive(
  state: AimdState,
  options: AimdOptions,
  latencyAt: (inFlight: number) => number,
  n: number
): { state: AimdState; limits: number[] } {
  const limits: number[] = [];
  let s = state;
  for (let i = 0; i < n; i++) {
    s = aimdNext(
      s,
      { epoch: s.epoch, outcome: 'ok', latencyMs: latencyAt(s.limit) },
      aimdSettings(options)
    );
    limits.push(s.limit);
  }
  return { state: s, limits };
}

describe('AIMD concurrency on latency', () => {
  it('starts small', () => {
    expect(aimdStart({ max: 64 }).limit).toBe(2);
    expect(aimdStart({ max: 1 }).limit).toBe(1);
    expect(aimdStart({ max: 64, initial: 8 }).limit).toBe(8);
  });

  it('grows while the latency stays flat, up to the cap and never beyond it', () => {
    const options = { max: 24 };

    const { state, limits } = drive(
      aimdStart(options),
      options,
      () => 25,
      2_000
    );

    expect(state.limit).toBe(24);
    expect(Math.max(...limits)).toBe(24);
    // Doubling first (2, 4, 8, 16), then the cap.
    expect([...new Set(limits)]).toEqual([2, 4, 8, 16, 24]);
  });

  it('settles near the knee of a registry that slows down beyond 8 in flight', () => {
    const options = { max: 64 };

    const { limits } = drive(aimdStart(options), options, kneeAt(8), 5_000);

    // Past the start, it stays between the knee and latencyTarget (1.5) x the knee.
    const settled = limits.slice(-2_000);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...settled)).toBeLessThanOrEqual(13);
    // Never near the cap: at 64 in flight the latency would be 8x the best.
    expect(Math.max(...limits)).toBeLessThanOrEqual(16);
  });

  it('recovers from a lasting slower route: a round at the floor sets the best latency', () => {
    const options = { max: 64 };
    const fast = drive(aimdStart(options), options, kneeAt(8, 5), 5_000);

    // The same registry, now 30 ms away: every latency is 6x the best seen so far.
    const { limits } = drive(fast.state, options, kneeAt(8, 30), 5_000);

    // It backs off to the floor, then (the best re-read there) finds the knee again; with a
    // best that never aged it stayed at 1 in flight for good.
    expect(Math.min(...limits)).toBe(1);
    const settled = limits.slice(-1_000);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...settled)).toBeLessThanOrEqual(13);
  });

  it('follows the knee when it moves (a registry under other load)', () => {
    const options = { max: 64 };
    const first = drive(aimdStart(options), options, kneeAt(16), 5_000);

    const { limits } = drive(first.state, options, kneeAt(4), 5_000);

    const settled = limits.slice(-1_000);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...settled)).toBeLessThanOrEqual(7);
  });

  it('halves on 429/503 once per epoch: the requests already in flight do not halve it again', () => {
    const options = { max: 64 };
    const grown = drive(aimdStart(options), options, () => 25, 500).state;
    expect(grown.limit).toBe(64);

    const once = aimdNext(
      grown,
      { epoch: grown.epoch, outcome: 'overload' },
      aimdSettings(options)
    );
    const again = aimdNext(
      once,
      { epoch: grown.epoch, outcome: 'overload' },
      aimdSettings(options)
    );

    expect(once.limit).toBe(32);
    expect(once.slowStart).toBe(false);
    expect(again).toBe(once);
    // A request sent under the new limit that is refused too halves it again.
    expect(
      aimdNext(
        once,
        { epoch: once.epoch, outcome: 'overload' },
        aimdSettings(options)
      ).limit
    ).toBe(16);
  });

  it('backs off to the floor under repeated overload, and never below it', () => {
    const options = { max: 64, min: 2 };
    let s = drive(aimdStart(options), options, () => 25, 500).state;

    for (let i = 0; i < 20; i++) {
      s = aimdNext(
        s,
        { epoch: s.epoch, outcome: 'overload' },
        aimdSettings(options)
      );
    }

    expect(s.limit).toBe(2);
  });

  it('halves when the latency blows up (beyond 3x the best)', () => {
    const options = { max: 64 };
    const grown = drive(aimdStart(options), options, () => 20, 500).state;
    expect(grown.limit).toBe(64);

    const { limits } = drive(grown, options, () => 100, 200);

    // 64, then halved at the end of the first round at 5x the best: 32, 16, ...
    expect([...new Set(limits)].slice(0, 3)).toEqual([64, 32, 16]);
  });

  it('judges a round by its median: one slow answer does not shrink it', () => {
    const options = { max: 64, initial: 8 };
    let s = drive(aimdStart(options), options, () => 20, 8).state;
    expect(s.limit).toBe(16);

    s = drive(s, options, () => 20, 15).state;
    s = aimdNext(
      s,
      { epoch: s.epoch, outcome: 'ok', latencyMs: 5_000 },
      aimdSettings(options)
    );

    expect(s.limit).toBe(32);
  });

  it('ignores what requests sent under an earlier limit show', () => {
    const options = { max: 64 };
    const s = aimdStart(options);
    const grown = drive(s, options, () => 25, MIN_ROUND).state;
    expect(grown.limit).toBe(4);

    const late = aimdNext(
      grown,
      { epoch: s.epoch, outcome: 'ok', latencyMs: 1_000 },
      aimdSettings(options)
    );

    expect(late).toBe(grown);
  });

  it('refuses impossible settings', () => {
    expect(() => aimdSettings({ max: 0 })).toThrow(RangeError);
    expect(() => aimdSettings({ max: 8, min: 9 })).toThrow(/min \(9\)/);
    expect(() => aimdSettings({ max: 8, latencyTarget: 1 })).toThrow(
      /latencyTarget/
    );
    expect(() =>
      aimdSettings({ max: 8, latencyTarget: 2, blowUp: 1.5 })
    ).toThrow(/blowUp/);
  });
});

/**
 * An AIMD concurrency controller on latency: how many requests one registry may have in
 * flight. It starts small and grows while the registry answers as fast as it did at its best,
 * and backs off when the registry says it is overloaded (429/503, a timeout) or its latency
 * blows up. Pure: it reads no clock; the HTTP adapter measures each request and passes the
 * latency in (lambdas/adapters/http/gate.ts).
 *
 * Rounds: the controller judges the limit by rounds of `max(limit, MIN_ROUND)` requests sent
 * under it (a request carries the `epoch` it was sent in; one sent before the last change
 * does not count). A round's latency is the median of its requests'; `best` is the lowest
 * round latency seen, except that a round judged at the floor (`min` in flight, the least load
 * the controller can put on the registry) sets it: after a lasting change of route or of the
 * registry's speed, an older, lower best would otherwise keep the limit at its floor for good.
 * (Not a window of recent rounds: at the knee no recent round need be as fast as the best, and
 * the best would creep up with the latency it is meant to hold down.) At the end of a round,
 * with ratio = round latency / best:
 * - ratio <= `latencyTarget`: grow (doubling during the slow start, then +1), up to `max`;
 * - `latencyTarget` < ratio <= `blowUp`: the registry queues: the slow start ends and the
 *   limit halves once (the doubling overshot), then -1 per such round;
 * - ratio > `blowUp`: halve.
 * An overload signal halves at once, once per epoch (the requests already in flight when it
 * halved do not halve it again). Against a registry that slows down beyond K requests in
 * flight (latency ~ n/K x best beyond K), the limit settles between K and latencyTarget x K:
 * the knee, where throughput is at its most and latency has not yet grown past the target.
 */

/** Settings of one controller. */
export interface AimdOptions {
  /** The cap: never more in flight. */
  max: number;
  /** Never fewer. @default 1 */
  min?: number;
  /** The limit at the start. @default min(max, 2) */
  initial?: number;
  /** Grow while a round's latency is at most this multiple of the best. @default 1.5 */
  latencyTarget?: number;
  /** Halve when a round's latency is above this multiple of the best. @default 3 */
  blowUp?: number;
}

/** The controller's state; a new value after each sample. */
export interface AimdState {
  /** Requests that may be in flight now. */
  readonly limit: number;
  /** Changes with the limit; a request carries the epoch it was sent in. */
  readonly epoch: number;
  /** The lowest round latency seen (ms), or the last at the floor; undefined before a round ends. */
  readonly bestMs: number | undefined;
  /** Latencies (ms) of the current round so far. */
  readonly round: readonly number[];
  /** Doubling per round until the registry first queues or refuses. */
  readonly slowStart: boolean;
}

/** What one request showed, with the epoch it was sent in. */
export type AimdSample =
  | { epoch: number; outcome: 'ok'; latencyMs: number }
  /** 429, 503 or a timeout: the registry is overloaded. */
  | { epoch: number; outcome: 'overload' };

/** A round has at least this many requests, so that one slow answer does not decide it. */
export const MIN_ROUND = 8;

const DEFAULTS = { min: 1, latencyTarget: 1.5, blowUp: 3 } as const;

/** Settings with their defaults, checked once (aimdSettings). */
export type AimdSettings = Required<AimdOptions>;

/** The options with their defaults, checked. @throws RangeError on impossible settings */
export function aimdSettings(options: AimdOptions): AimdSettings {
  const max = Math.floor(options.max);
  const min = Math.floor(options.min ?? DEFAULTS.min);
  const latencyTarget = options.latencyTarget ?? DEFAULTS.latencyTarget;
  const blowUp = options.blowUp ?? DEFAULTS.blowUp;
  if (!(min >= 1 && max >= min)) {
    throw new RangeError(
      `concurrency: needs 1 <= min (${String(min)}) <= max (${String(max)})`
    );
  }
  if (!(latencyTarget > 1 && blowUp >= latencyTarget)) {
    throw new RangeError(
      `concurrency: needs 1 < latencyTarget (${String(latencyTarget)}) <= blowUp (${String(blowUp)})`
    );
  }
  const initial = clamp(
    Math.floor(options.initial ?? Math.min(max, 2)),
    min,
    max
  );
  return { max, min, initial, latencyTarget, blowUp };
}

/** The state a controller starts in. */
export function aimdStart(options: AimdOptions): AimdState {
  const s = aimdSettings(options);
  return {
    limit: s.initial,
    epoch: 0,
    bestMs: undefined,
    round: [],
    slowStart: true,
  };
}

/** The state after one request's sample (called per request: the settings come checked). */
export function aimdNext(
  state: AimdState,
  sample: AimdSample,
  s: AimdSettings
): AimdState {
  // Sent under an earlier limit: it says nothing about this one.
  if (sample.epoch !== state.epoch) return state;
  if (sample.outcome === 'overload') {
    return changed(state, Math.floor(state.limit / 2), s, false);
  }
  if (!(sample.latencyMs >= 0) || !Number.isFinite(sample.latencyMs)) {
    return state;
  }
  const round = [...state.round, sample.latencyMs];
  if (round.length < Math.max(state.limit, MIN_ROUND)) {
    return { ...state, round };
  }
  const latency = median(round);
  const bestMs =
    state.limit <= s.min ? latency : Math.min(state.bestMs ?? latency, latency);
  const ratio = bestMs > 0 ? latency / bestMs : latency > 0 ? Infinity : 1;
  const judged = { ...state, bestMs };
  if (ratio <= s.latencyTarget) {
    return changed(
      judged,
      state.slowStart ? state.limit * 2 : state.limit + 1,
      s,
      state.slowStart
    );
  }
  if (ratio <= s.blowUp) {
    return changed(
      judged,
      state.slowStart ? Math.floor(state.limit / 2) : state.limit - 1,
      s,
      false
    );
  }
  return changed(judged, Math.floor(state.limit / 2), s, false);
}

/**
 * A new limit (clamped) starts a new epoch and a new round; the same limit (at the cap or the
 * floor) only a new round: the requests in flight were sent under it and still count.
 */
function changed(
  state: AimdState,
  limit: number,
  s: AimdSettings,
  slowStart: boolean
): AimdState {
  const next = clamp(limit, s.min, s.max);
  if (next === state.limit) return { ...state, round: [], slowStart };
  return {
    limit: next,
    epoch: state.epoch + 1,
    bestMs: state.bestMs,
    round: [],
    slowStart,
  };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

import {
  aimdNext,
  aimdSettings,
  aimdStart,
  type AimdOptions,
  type AimdSettings,
  type AimdState,
} from '../../core/concurrency/aimd';

/** What one request showed: its latency to the response's headers, or an overload. */
export type GateOutcome =
  | { outcome: 'ok'; latencyMs: number }
  /** 429, 503 or a timeout. */
  | { outcome: 'overload' }
  /** Failed otherwise (a reset, the run's deadline): says nothing about the load. */
  | { outcome: 'error' };

/** One request's place in flight; release it once, with what the request showed. */
export interface GatePermit {
  release(outcome: GateOutcome): void;
}

/**
 * Admits at most the AIMD controller's limit of requests to one registry at a time
 * (lambdas/core/concurrency/aimd.ts), in arrival order; the others wait. Each released
 * permit feeds the controller the request's latency, measured by the caller.
 */
export class AdaptiveGate {
  private state: AimdState;
  /** The controller's settings, checked once. */
  private readonly settings: AimdSettings;
  private inFlight = 0;
  /** Requests in flight by the epoch they were sent in (not those sent behind an earlier epoch's). */
  private readonly inFlightByEpoch = new Map<number, number>();
  private readonly waiting: {
    admit: () => void;
    signal: AbortSignal | undefined;
    onAbort: () => void;
  }[] = [];

  constructor(
    options: AimdOptions,
    /** Told each time the limit changes (logs, the bench). */
    private readonly onLimit?: (limit: number) => void
  ) {
    this.settings = aimdSettings(options);
    this.state = aimdStart(options);
  }

  /** Requests that may be in flight now. */
  get limit(): number {
    return this.state.limit;
  }

  /**
   * Resolves when the request may be sent.
   * @throws the signal's reason when it aborts first
   */
  acquire(signal?: AbortSignal): Promise<GatePermit> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.inFlight < this.state.limit && this.waiting.length === 0) {
      return Promise.resolve(this.permit());
    }
    return new Promise<GatePermit>((resolve, reject) => {
      const entry = {
        signal,
        admit: () => {
          signal?.removeEventListener('abort', entry.onAbort);
          resolve(this.permit());
        },
        onAbort: () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal?.reason as Error);
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private permit(): GatePermit {
    // A request sent while some sent under an earlier limit are still in flight meets the
    // queue they made (after a decrease, the registry still holds the old limit's requests):
    // it says nothing about this limit, so it carries no epoch the controller counts.
    const current = this.state.epoch;
    const clean = [...this.inFlightByEpoch.keys()].every((e) => e === current);
    // An overload is another matter: sent under this limit, a 429 says the limit is too high
    // whatever else is in flight. Ignored, it let a request beyond the knee be refused, freed
    // its place at once, and the next one take it, tens of times per service time.
    const epoch = clean ? current : -1;
    this.inFlight++;
    if (clean) {
      this.inFlightByEpoch.set(
        epoch,
        (this.inFlightByEpoch.get(epoch) ?? 0) + 1
      );
    }
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        this.inFlight--;
        if (clean) {
          const left = (this.inFlightByEpoch.get(epoch) ?? 1) - 1;
          if (left === 0) this.inFlightByEpoch.delete(epoch);
          else this.inFlightByEpoch.set(epoch, left);
        }
        if (outcome.outcome !== 'error') {
          const before = this.state.limit;
          this.state = aimdNext(
            this.state,
            outcome.outcome === 'ok'
              ? { epoch, outcome: 'ok', latencyMs: outcome.latencyMs }
              : { epoch: current, outcome: 'overload' },
            this.settings
          );
          if (this.state.limit !== before) this.onLimit?.(this.state.limit);
        }
        this.pump();
      },
    };
  }

  private pump(): void {
    while (this.inFlight < this.state.limit) {
      const next = this.waiting.shift();
      if (!next) return;
      next.admit();
    }
  }
}

/**
 * The lab's clock: real time plus an offset, shared by every emulated Harbor of a lab, so a
 * scenario can make a push "ten minutes old" by pushing and then advancing the clock.
 */
export class LabClock {
  private offsetMs: number;
  private readonly listeners = new Set<(from: Date, to: Date) => void>();

  /** @param startOffsetMs where the clock starts, relative to real time (negative: the past) */
  constructor(startOffsetMs = 0) {
    this.offsetMs = startOffsetMs;
  }

  /** The lab's current time. */
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves the clock forward and tells listeners (cron schedulers) which interval passed. */
  advance(ms: number): Date {
    const from = this.now();
    this.offsetMs += ms;
    const to = this.now();
    for (const l of this.listeners) l(from, to);
    return to;
  }

  /** Subscribes to clock advances; returns the unsubscribe function. */
  onAdvance(listener: (from: Date, to: Date) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Harbor's timestamp rendering (RFC 3339 with milliseconds, UTC). */
export function isoTime(d: Date): string {
  return d.toISOString();
}

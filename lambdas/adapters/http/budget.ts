import { IncompleteListingError } from '../../core/errors';

/** The default share of a run's memory that listings in flight may hold at once. */
const DEFAULT_LISTING_BUDGET_BYTES = 256 * 1024 * 1024;

/**
 * The bytes of listing responses that one run may hold at once, shared by every client of
 * the run. Each listing opens a lease, its pages draw on it as their bodies arrive (chunk by
 * chunk, so an oversized answer is cut before it is buffered) and the whole lease is given
 * back when the listing ends: eight listings of 57 MiB cannot take the process to 889 MiB
 * when the budget is 256 MiB. A listing that would overdraw fails as incomplete (the scope
 * is then UNKNOWN), it never waits: the leases that hold the budget may be waiting for it too.
 *
 * Counts raw body bytes; the rows parsed from them take a small multiple of that.
 */
export class MemoryBudget {
  private used = 0;
  private peak = 0;

  constructor(readonly limitBytes: number = DEFAULT_LISTING_BUDGET_BYTES) {
    if (!Number.isFinite(limitBytes) || limitBytes <= 0) {
      throw new RangeError(
        'a memory budget must be a positive number of bytes'
      );
    }
  }

  /** Bytes held right now. */
  get inUse(): number {
    return this.used;
  }

  /** The most bytes ever held at once (for measurements). */
  get peakBytes(): number {
    return this.peak;
  }

  /**
   * A lease for one listing.
   * @param service the upstream's name, for the error
   * @param path the listing's first path, for the error
   */
  lease(service: string, path: string): BudgetLease {
    let held = 0;
    let released = false;
    return {
      take: (bytes) => {
        if (released) throw new Error('this budget lease was released');
        if (this.used + bytes > this.limitBytes) {
          throw new IncompleteListingError(
            service,
            path,
            `the run's listing memory budget (${mib(this.limitBytes)}) is spent: ${mib(this.used)} held by listings in flight, ${mib(held)} by this one`
          );
        }
        held += bytes;
        this.used += bytes;
        this.peak = Math.max(this.peak, this.used);
      },
      give: (bytes) => {
        const n = Math.min(bytes, held);
        held -= n;
        this.used -= n;
      },
      release: () => {
        if (released) return;
        released = true;
        this.used -= held;
        held = 0;
      },
    };
  }
}

/** One listing's draw on a {@link MemoryBudget}. */
export interface BudgetLease {
  /** Draws `bytes`; throws IncompleteListingError when the run's budget would be overdrawn. */
  take(bytes: number): void;
  /** Gives back bytes that are no longer held (a body that failed midway and is retried). */
  give(bytes: number): void;
  /** Gives back everything this lease holds; idempotent. */
  release(): void;
}

/**
 * Runs a listing under a lease of `budget` (when there is one), released whatever happens.
 */
export async function withLease<T>(
  budget: MemoryBudget | undefined,
  service: string,
  path: string,
  run: (lease: BudgetLease | undefined) => Promise<T>
): Promise<T> {
  if (!budget) return run(undefined);
  const lease = budget.lease(service, path);
  try {
    return await run(lease);
  } finally {
    lease.release();
  }
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * The run lease: at most one audit (it may re-trigger replication) proceeds at a time, with
 * the report store as the only shared thing (no other service). Readiness takes none
 * ({@link takesLease}).
 *
 * The protocol (use-cases/job.ts takes it, a RunLease port keeps the markers):
 * 1. a run makes its id from its own clock (run ids sort chronologically, {@link makeRunId})
 *    and writes its marker `<prefix>/runs-active/<runId>.json`;
 * 2. the claim must have been written within {@link LeaseTiming.claimMs} of the id's time, by
 *    the run's own clock (otherwise it deletes it and claims again with a new id);
 * 3. it waits until {@link settleMs} after its id's time, then lists the markers;
 * 4. markers whose `expiresAt` has passed are stale (a crashed run): ignored, deleted;
 * 5. among the live markers the smallest run id proceeds; every other run deletes its marker
 *    and stops without auditing.
 *
 * Why it holds (the store lists every object whose write completed before the listing
 * started, as S3 and a local directory do): let A and B both proceed, A's id the smaller.
 * B did not see A's marker, so A's write completed after B listed: after B's id time +
 * settle. A's write completed within claimMs of A's id time. With the clocks of A and B
 * apart by at most skewMs, A's id time + claimMs > B's id time + claimMs + skewMs, that is
 * A's id time > B's id time + skewMs: A's id would be the larger one. A contradiction.
 * Never do both yield: a run yields only to a live marker with a smaller id, and ids are
 * unique (a time and a random suffix), so the smallest live one yields to nobody.
 */
import { z } from 'zod';
import type { ReportKind } from './schema';

/** The folder of the markers, below the store's prefix. */
export const LEASE_FOLDER = 'runs-active';

/**
 * Added to a run's deadline for its marker's expiry: the reports are written and sent after
 * the work deadline (at most a minute, {@link workDeadline}), and clocks differ a little.
 */
export const LEASE_MARGIN_MS = 5 * 60_000;

/** How many times a run claims again when its claim was written too late. */
export const LEASE_CLAIM_ATTEMPTS = 3;

/** The times a lease store's protocol relies on (see the module's proof). */
export interface LeaseTiming {
  /** A claim written later than this after the run's id time is withdrawn and made again. */
  claimMs: number;
  /** How far apart the clocks of the runs sharing the store may be. */
  skewMs: number;
}

/**
 * Whether a run of this kind takes the lease: audits do (they may re-trigger, and two would
 * start one policy twice). A readiness report never acts and is asked for before a failover,
 * when refusing it would cost the most: it takes none, and runs beside an audit.
 */
export function takesLease(kind: ReportKind): boolean {
  return kind === 'audit';
}

/** How long after its id's time a run lists the markers. */
export function settleMs(timing: LeaseTiming): number {
  return timing.claimMs + timing.skewMs;
}

const runIdSchema = z.string().regex(/^\d{8}T[0-9A-Za-z_-]+$/, {
  error: 'must be a run id (yyyymmddThhmmss...)',
});

/** What a run writes while it holds, or asks for, the lease. */
export const leaseMarkerSchema = z.object({
  runId: runIdSchema,
  kind: z.enum(['audit', 'readiness']),
  startedAt: z.iso.datetime(),
  /** After this (by the reader's clock) the run is taken for crashed. */
  expiresAt: z.iso.datetime(),
});

export type LeaseMarker = z.infer<typeof leaseMarkerSchema>;

/** A run's marker: it expires a margin after the run's deadline, by the run's own clock. */
export function leaseMarker(
  runId: string,
  kind: ReportKind,
  startedAt: Date,
  deadline: Date
): LeaseMarker {
  const end = Math.max(deadline.getTime(), startedAt.getTime());
  return {
    runId,
    kind,
    startedAt: startedAt.toISOString(),
    expiresAt: new Date(end + LEASE_MARGIN_MS).toISOString(),
  };
}

/** The marker's key (`<prefix>/runs-active/<runId>.json`); `prefix` '' for none. */
export function leaseKey(runId: string, prefix: string): string {
  return `${leaseFolder(prefix)}${runId}.json`;
}

/** The folder of the markers, with its trailing slash. */
export function leaseFolder(prefix: string): string {
  return prefix === '' ? `${LEASE_FOLDER}/` : `${prefix}/${LEASE_FOLDER}/`;
}

/** The run id of a marker's key, or null when the key is not a marker. */
export function runIdOfLeaseKey(key: string): string | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (!name.endsWith('.json')) return null;
  const id = name.slice(0, -'.json'.length);
  return runIdSchema.safeParse(id).success ? id : null;
}

/** The marker in a stored object, or null when it is not one (it is then ignored). */
export function parseLeaseMarker(value: unknown): LeaseMarker | null {
  const parsed = leaseMarkerSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Whether a claim was written too late after its id's time to count (see the proof). */
export function claimTooLate(
  startedAt: Date,
  written: Date,
  timing: LeaseTiming
): boolean {
  return written.getTime() - startedAt.getTime() > timing.claimMs;
}

/** Who holds the lease, as a run sees the markers. */
export type LeaseDecision =
  | { proceed: true; stale: LeaseMarker[] }
  | { proceed: false; holder: LeaseMarker; stale: LeaseMarker[] };

/**
 * Whether run `own` proceeds, given the markers it listed, at `now` (its clock): stale
 * markers (expired) are ignored and returned for deletion; among the live ones and its own
 * (counted even when the listing missed it), the smallest run id proceeds.
 */
export function decideLease(
  own: LeaseMarker,
  markers: readonly LeaseMarker[],
  now: Date
): LeaseDecision {
  const stale: LeaseMarker[] = [];
  let holder = own;
  for (const marker of markers) {
    if (marker.runId === own.runId) continue;
    if (Date.parse(marker.expiresAt) <= now.getTime()) {
      stale.push(marker);
      continue;
    }
    if (marker.runId < holder.runId) holder = marker;
  }
  return holder === own
    ? { proceed: true, stale }
    : { proceed: false, holder, stale };
}

/** What a run that yields says (logs, the CLI, the Lambda's result). */
export function skippedMessage(holder: LeaseMarker): string {
  return `skipped: another run ${holder.runId} (${holder.kind}, started at ${holder.startedAt}) holds the lease until ${holder.expiresAt}`;
}

/**
 * The run lease: at most one audit (it may re-trigger replication) proceeds at a time, with
 * the report store as the only shared thing (no other service). Readiness takes none
 * ({@link takesLease}).
 *
 * The protocol (use-cases/job.ts takes it, a RunLease port keeps the markers):
 * 1. a run makes a claim id from its own clock (ids sort chronologically, {@link makeRunId})
 *    and writes its marker `<prefix>/runs-active/<claimId>.json`;
 * 2. the claim must have been written within {@link LeaseTiming.claimMs} of the claim id's
 *    time, by the run's own clock (otherwise it deletes it and claims again with a new id);
 * 3. it waits until {@link settleMs} after its claim id's time, then lists the markers;
 * 4. markers whose `expiresAt` has passed are stale (a crashed run): ignored, deleted;
 * 5. among the live markers the smallest claim id proceeds; every other run deletes its
 *    marker and stops without auditing.
 *
 * The claim id orders claims; the marker also names the run (`runId`: the id its report and
 * its execution carry). A run that makes its id as it claims (the single-Lambda audit, the
 * CLI) claims with that id ({@link claimIdOf}: no `claimId`); a distributed run's id was made
 * by its plan, long before its merge claims, so the merge claims with a new claim id and
 * names the plan's run id.
 *
 * Why it holds (the store lists every object whose write completed before the listing
 * started, as S3 and a local directory do): let A and B both proceed, A's claim id the
 * smaller. B did not see A's marker, so A's write completed after B listed: after B's claim
 * id time + settle. A's write completed within claimMs of A's claim id time. With the clocks
 * of A and B apart by at most skewMs, A's time + claimMs > B's time + claimMs + skewMs, that
 * is A's time > B's time + skewMs: A's claim id would be the larger one. A contradiction.
 * Never do both yield: a run yields only to a live marker with a smaller claim id, and claim
 * ids are unique (a time and a random suffix), so the smallest live one yields to nobody.
 *
 * A peek ({@link liveHolder}: listing without claiming, the distributed plan's) proves
 * nothing of the kind: it only spares work that the run's own claim would refuse anyway.
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
  /** The run's id: its report's and its execution's. */
  runId: runIdSchema,
  /** The id the claim is ordered and stored by, when it is not `runId` ({@link claimIdOf}). */
  claimId: runIdSchema.optional(),
  kind: z.enum(['audit', 'readiness']),
  startedAt: z.iso.datetime(),
  /** After this (by the reader's clock) the run is taken for crashed. */
  expiresAt: z.iso.datetime(),
});

export type LeaseMarker = z.infer<typeof leaseMarkerSchema>;

/** The id a marker's claim is ordered and stored by. */
export function claimIdOf(marker: LeaseMarker): string {
  return marker.claimId ?? marker.runId;
}

/**
 * A run's marker: it expires a margin after the run's deadline, by the run's own clock.
 * `runId` is the run's, when it was made before the claim (else the claim id is the run's).
 */
export function leaseMarker(
  claimId: string,
  kind: ReportKind,
  startedAt: Date,
  deadline: Date,
  runId: string = claimId
): LeaseMarker {
  const end = Math.max(deadline.getTime(), startedAt.getTime());
  return {
    runId,
    ...(runId !== claimId ? { claimId } : {}),
    kind,
    startedAt: startedAt.toISOString(),
    expiresAt: new Date(end + LEASE_MARGIN_MS).toISOString(),
  };
}

/** The marker's key (`<prefix>/runs-active/<claimId>.json`); `prefix` '' for none. */
export function leaseKey(claimId: string, prefix: string): string {
  return `${leaseFolder(prefix)}${claimId}.json`;
}

/** The folder of the markers, with its trailing slash. */
export function leaseFolder(prefix: string): string {
  return prefix === '' ? `${LEASE_FOLDER}/` : `${prefix}/${LEASE_FOLDER}/`;
}

/** The claim id of a marker's key, or null when the key is not a marker. */
export function claimIdOfLeaseKey(key: string): string | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (!name.endsWith('.json')) return null;
  const id = name.slice(0, -'.json'.length);
  return runIdSchema.safeParse(id).success ? id : null;
}

/**
 * The marker in a stored object, or null when it is not one (it is then ignored): an object
 * that does not parse, or whose claim id is not its key's (`claimId`, from the key).
 */
export function parseLeaseMarker(
  value: unknown,
  claimId?: string
): LeaseMarker | null {
  const parsed = leaseMarkerSchema.safeParse(value);
  if (!parsed.success) return null;
  return claimId === undefined || claimIdOf(parsed.data) === claimId
    ? parsed.data
    : null;
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
 * (counted even when the listing missed it), the smallest claim id proceeds.
 */
export function decideLease(
  own: LeaseMarker,
  markers: readonly LeaseMarker[],
  now: Date
): LeaseDecision {
  const stale: LeaseMarker[] = [];
  let holder = own;
  const ownId = claimIdOf(own);
  for (const marker of markers) {
    if (claimIdOf(marker) === ownId) continue;
    if (Date.parse(marker.expiresAt) <= now.getTime()) {
      stale.push(marker);
      continue;
    }
    if (claimIdOf(marker) < claimIdOf(holder)) holder = marker;
  }
  return holder === own
    ? { proceed: true, stale }
    : { proceed: false, holder, stale };
}

/**
 * The live marker (not expired at `now`) with the smallest claim id, that of another run
 * than `runId`; null when there is none. A peek: the run has not claimed, so this proves
 * nothing (see the module's comment), it only tells a run that its own claim would yield
 * now (or race a run already claiming), so that it may stop before doing any work.
 */
export function liveHolder(
  markers: readonly LeaseMarker[],
  now: Date,
  runId?: string
): LeaseMarker | null {
  let holder: LeaseMarker | null = null;
  for (const marker of markers) {
    if (marker.runId === runId) continue;
    if (Date.parse(marker.expiresAt) <= now.getTime()) continue;
    if (holder === null || claimIdOf(marker) < claimIdOf(holder)) {
      holder = marker;
    }
  }
  return holder;
}

/** What a run that yields says (logs, the CLI, the Lambda's result). */
export function skippedMessage(holder: LeaseMarker): string {
  return `skipped: another run ${holder.runId} (${holder.kind}, started at ${holder.startedAt}) holds the lease until ${holder.expiresAt}`;
}

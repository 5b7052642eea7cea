/**
 * The run's progress on stderr: the use case emits events (use-cases/progress.ts), this draws
 * them. On a terminal, one line redrawn in place (shards done/total, requests, rate, time,
 * ETA), at most every `intervalMs`; elsewhere nothing, so that logs and pipes stay clean.
 * `--verbose` adds one line per shard and per target as it finishes (on a terminal or not);
 * `--quiet` shows nothing (errors and the final result only).
 */
import {
  distinctReasons,
  formatSeconds,
  plainText,
  plural,
  topReasons,
} from '../core/report/format';
import type { ProgressEvent, ProgressListener } from '../use-cases/progress';

/** `--quiet`, neither, or `--verbose`. */
export type ProgressMode = 'quiet' | 'normal' | 'verbose';

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  mode: ProgressMode;
  /** Whether stderr is a terminal: the redrawn line is drawn only then. */
  isTty: boolean;
  /** Writes to stderr. */
  write: (text: string) => void;
  /** Milliseconds, any origin (Date.now; a fake in tests). */
  now: () => number;
  /** Least time between two redraws. @default 250 (4 per second) */
  intervalMs?: number;
}

/** A run's progress display. */
export interface Progress {
  /** What the run tells; undefined when nothing would be shown (the run is not even told). */
  listener: ProgressListener | undefined;
  /** Redraws when due: a timer calls it, so that time passes on screen while a registry hangs. */
  tick(): void;
  /** Clears the line (the final result follows); later events are ignored. */
  finish(): void;
}

/** What the line shows. */
export interface ProgressCounts {
  shardsDone: number;
  /** Null until the audit has planned its work. */
  shardsTotal: number | null;
  requests: number;
  /** Since the run started. */
  elapsedMs: number;
  /** Since the work was planned (shards are observed from then on). */
  sincePlannedMs: number;
  /** Since a shard was last done (or the work planned): a stall shows here. */
  sinceProgressMs: number;
}

/** No shard done for this long, and for 3 times the mean shard: stalled, no ETA. */
const STALL_MS = 5_000;

/** `shards 12/40 | 1234 requests | 56.2/s | 42s elapsed | ETA 1m 20s` */

/** Erases the terminal line the cursor is on (carriage return, then erase to its end). */
const CLEAR_LINE = '\r\x1b[K';

/**
 * Seconds left at the rate shards have finished since the work was planned; null before the
 * first shard is done (no rate yet).
 */
export function etaSeconds(
  done: number,
  total: number,
  sincePlannedMs: number
): number | null {
  if (done >= total) return 0;
  if (done <= 0 || sincePlannedMs <= 0) return null;
  return ((total - done) * sincePlannedMs) / done / 1000;
}

export function progressLine(c: ProgressCounts): string {
  const seconds = c.elapsedMs / 1000;
  const meanShardMs =
    c.shardsDone > 0 ? c.sincePlannedMs / c.shardsDone : c.sincePlannedMs;
  // A shard that hangs makes every extrapolation a lie: say how long nothing has finished.
  const stalled =
    c.shardsTotal !== null &&
    c.shardsDone < c.shardsTotal &&
    c.sinceProgressMs >= Math.max(STALL_MS, 3 * meanShardMs);
  const parts = [
    c.shardsTotal === null
      ? 'planning'
      : `shards ${c.shardsDone}/${c.shardsTotal}`,
    plural(c.requests, 'request'),
    seconds >= 1 ? `${(c.requests / seconds).toFixed(1)}/s` : '',
    `${formatSeconds(seconds)} elapsed`,
    c.shardsTotal === null
      ? ''
      : stalled
        ? `no shard done for ${formatSeconds(c.sinceProgressMs / 1000)}`
        : `ETA ${formatSeconds(etaSeconds(c.shardsDone, c.shardsTotal, c.sincePlannedMs))}`,
  ];
  return parts.filter((p) => p !== '').join(' | ');
}

/** One verbose line per finished shard or target; undefined for other events. */
function verboseLine(
  event: ProgressEvent,
  requestsOf: (registry: string) => number
): string | undefined {
  if (event.kind === 'shard') {
    const status = event.status === 'audited' ? 'audited' : 'UNKNOWN';
    const why = event.reason !== undefined ? `: ${event.reason}` : '';
    return plainText(
      `  ${event.target} ${event.project}: ${status}, ${plural(event.refs, 'ref')} expected${why}`
    );
  }
  if (event.kind !== 'target') return undefined;
  const unseen = event.shards.filter((s) => s.status !== 'audited');
  // Shards that ran said their reasons on their own lines; those never started did not.
  const reasons = distinctReasons([
    ...event.errors,
    ...unseen
      .filter((s) => s.status === 'not-audited')
      .map((s) => ({
        scope: `${event.target}/${s.project}`,
        message: s.reason ?? s.status,
      })),
  ]);
  const lines = [
    `${event.target}: done, ${plural(event.shards.length, 'shard')}${unseen.length > 0 ? ` (${unseen.length} not audited)` : ''}, ${plural(requestsOf(event.target), 'request')}, audit verdict ${event.verdict}`,
  ];
  if (reasons.length > 0) {
    lines.push(`  unknown because: ${topReasons(reasons)}`);
  }
  return lines.map(plainText).join('\n');
}

/** The progress display of one run (see the module's comment). */
export function createProgress(options: ProgressOptions): Progress {
  const { mode, isTty, write, now } = options;
  const intervalMs = options.intervalMs ?? 250;
  const drawsLine = isTty && mode !== 'quiet';
  const verbose = mode === 'verbose';
  if (!drawsLine && !verbose) {
    return {
      listener: undefined,
      tick: () => undefined,
      finish: () => undefined,
    };
  }
  const startedAt = now();
  let plannedAt: number | undefined;
  let progressAt: number | undefined;
  const totals = new Map<string, number>();
  const done = new Map<string, number>();
  const requests = new Map<string, number>();
  let requestCount = 0;
  let lastDraw: number | undefined;
  let drawn = false;
  let finished = false;

  const counts = (): ProgressCounts => {
    const at = now();
    let shardsDone = 0;
    for (const n of done.values()) shardsDone += n;
    let shardsTotal = 0;
    for (const n of totals.values()) shardsTotal += n;
    return {
      shardsDone,
      shardsTotal: plannedAt === undefined ? null : shardsTotal,
      requests: requestCount,
      elapsedMs: at - startedAt,
      sincePlannedMs: plannedAt === undefined ? 0 : at - plannedAt,
      sinceProgressMs: progressAt === undefined ? 0 : at - progressAt,
    };
  };
  const draw = (force: boolean): void => {
    if (!drawsLine || finished) return;
    const at = now();
    if (!force && lastDraw !== undefined && at - lastDraw < intervalMs) return;
    write(`${CLEAR_LINE}${progressLine(counts())}`);
    lastDraw = at;
    drawn = true;
  };
  const say = (text: string): void => {
    write(`${drawn ? CLEAR_LINE : ''}${text}\n`);
    drawn = false;
    draw(true);
  };

  const listener: ProgressListener = (event) => {
    if (finished) return;
    switch (event.kind) {
      case 'request':
        requestCount += 1;
        requests.set(event.registry, (requests.get(event.registry) ?? 0) + 1);
        break;
      case 'planned':
        plannedAt = now();
        progressAt = plannedAt;
        for (const t of event.targets) totals.set(t.target, t.shards);
        break;
      case 'shard':
        done.set(event.target, (done.get(event.target) ?? 0) + 1);
        progressAt = now();
        break;
      case 'target':
        // Shards never started (the deadline) are done too: settled as not audited.
        done.set(event.target, event.shards.length);
        progressAt = now();
        totals.set(
          event.target,
          Math.max(totals.get(event.target) ?? 0, event.shards.length)
        );
        break;
    }
    const line = verbose
      ? verboseLine(event, (r) => requests.get(r) ?? 0)
      : undefined;
    if (line !== undefined) say(line);
    else draw(event.kind === 'planned');
  };
  return {
    listener,
    tick: () => {
      draw(false);
    },
    finish: () => {
      if (drawn) write(CLEAR_LINE);
      drawn = false;
      finished = true;
    },
  };
}

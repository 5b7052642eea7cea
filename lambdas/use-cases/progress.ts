/**
 * What a run tells as it goes: the use case emits these events, the CLI draws its progress
 * from them (lambdas/cli/progress.ts). Nothing in a run depends on who listens, or whether.
 */
import type { ScopeError, ShardStatus, Verdict } from '../core/report/schema';

/** One event of a run. */
export type ProgressEvent =
  /** The audit knows its work: shards (destination projects) per target. */
  | { kind: 'planned'; targets: { target: string; shards: number }[] }
  /** A shard was observed and diffed (shards never started are told by `target`). */
  | {
      kind: 'shard';
      target: string;
      project: string;
      /** Refs expected in it. */
      refs: number;
      status: ShardStatus['status'];
      reason?: string;
    }
  /** A target is done: every shard, with what left it unseen. */
  | {
      kind: 'target';
      target: string;
      /** The audit's verdict (readiness adds its checklist afterwards). */
      verdict: Verdict;
      shards: readonly ShardStatus[];
      errors: readonly ScopeError[];
    }
  /** One request was sent to a registry (by its configured name). */
  | { kind: 'request'; registry: string };

import { mapWithConcurrency, type StopWhen } from './limit';

/** Told each event, synchronously; must not throw (see {@link tell}). */
export type ProgressListener = (event: ProgressEvent) => void;

/** Tells `listener`, if any; a failing listener never fails the run. */
export function tell(
  listener: ProgressListener | undefined,
  event: ProgressEvent
): void {
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // Progress is a courtesy: a broken display must not cost the audit.
  }
}

/**
 * {@link mapWithConcurrency} over a target's shards, telling `listener` as each shard's work
 * is done (shards never started, cut by the deadline, are told by the target's event).
 */
export function mapShardsTelling(
  listener: ProgressListener | undefined,
  target: string
) {
  return <
    T extends { project: string; expected: readonly unknown[] },
    R extends { status: ShardStatus },
  >(
    items: readonly T[],
    limit: number,
    fn: (item: T) => Promise<R>,
    stop?: StopWhen<T, R>
  ): Promise<R[]> =>
    mapWithConcurrency(
      items,
      limit,
      listener ? telling(listener, target, fn) : fn,
      stop
    );
}

function telling<
  T extends { project: string; expected: readonly unknown[] },
  R extends { status: ShardStatus },
>(
  listener: ProgressListener,
  target: string,
  fn: (item: T) => Promise<R>
): (item: T) => Promise<R> {
  return async (item) => {
    const result = await fn(item);
    tell(listener, {
      kind: 'shard',
      target,
      project: item.project,
      refs: item.expected.length,
      status: result.status.status,
      ...(result.status.reason !== undefined
        ? { reason: result.status.reason }
        : {}),
    });
    return result;
  };
}

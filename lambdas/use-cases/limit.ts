/** Stops a {@link mapWithConcurrency} from starting new work. */
export interface StopWhen<T, R> {
  /** The run's deadline: once aborted, no item is started any more. */
  signal: AbortSignal | undefined;
  /** The result of an item that was never started (e.g. unknown: not audited). */
  skipped: (item: T, index: number) => R;
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the input order.
 * The HTTP pools queue without bound; memory and the Lambda's time are the real limits, so
 * fan-out is bounded here, where the work is planned. With `stop`, items not yet started
 * when its signal aborts are not started: their result is `stop.skipped(item)`.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  stop?: StopWhen<T, R>
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      results[index] =
        stop?.signal?.aborted === true
          ? stop.skipped(item, index)
          : await fn(item, index);
    }
  };
  const workers = Array.from(
    { length: Math.max(1, Math.min(limit, items.length)) },
    worker
  );
  await Promise.all(workers);
  return results;
}

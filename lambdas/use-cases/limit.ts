/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the input order.
 * The HTTP pools queue without bound; memory and the Lambda's time are the real limits, so
 * fan-out is bounded here, where the work is planned.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  const workers = Array.from(
    { length: Math.max(1, Math.min(limit, items.length)) },
    worker
  );
  await Promise.all(workers);
  return results;
}

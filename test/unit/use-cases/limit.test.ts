import { mapWithConcurrency } from '../../../lambdas/use-cases/limit';

describe('mapWithConcurrency', () => {
  it('keeps the input order with a bounded number in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapWithConcurrency([1, 2, 3, 4, 5], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return n * 10;
    });

    expect(out).toEqual([10, 20, 30, 40, 50]);
    expect(most).toBe(2);
  });

  // Issue 11 problem 7: the run's deadline stops the starting of new work.
  it('starts nothing once the signal aborts: those items get the skipped result', async () => {
    const deadline = new AbortController();
    const started: number[] = [];

    const out = await mapWithConcurrency(
      [1, 2, 3, 4],
      1,
      (n) => {
        started.push(n);
        if (n === 2) deadline.abort();
        return Promise.resolve(`done ${n.toString()}`);
      },
      { signal: deadline.signal, skipped: (n) => `skipped ${n.toString()}` }
    );

    expect(started).toEqual([1, 2]);
    expect(out).toEqual(['done 1', 'done 2', 'skipped 3', 'skipped 4']);
  });
});

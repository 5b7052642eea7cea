import { AdaptiveGate } from '../../../lambdas/adapters/http/gate';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import type { HttpClient } from '../../../lambdas/adapters/http/pool';
import { UpstreamTimeoutError } from '../../../lambdas/core/errors';
import { startHttpFixture } from '../../helpers/http-fixture';
import type { HttpFixture } from '../../helpers/http-fixture';

const tick = () => new Promise((r) => setImmediate(r));

describe('the adaptive gate', () => {
  it('admits up to its limit, the others in arrival order as places free up', async () => {
    const gate = new AdaptiveGate({ max: 8, initial: 2 });
    const admitted: number[] = [];
    const permits = [1, 2, 3, 4].map((i) =>
      gate.acquire().then((p) => {
        admitted.push(i);
        return p;
      })
    );
    await tick();
    expect(admitted).toEqual([1, 2]);

    (await permits[1])?.release({ outcome: 'error' });
    await tick();
    expect(admitted).toEqual([1, 2, 3]);

    // Released twice: one place only.
    (await permits[1])?.release({ outcome: 'error' });
    await tick();
    expect(admitted).toEqual([1, 2, 3]);
  });

  it('a request waiting for a place ends when its signal aborts, and takes none', async () => {
    const gate = new AdaptiveGate({ max: 8, initial: 1 });
    const first = await gate.acquire();
    const abort = new AbortController();
    const waiting = gate.acquire(abort.signal);

    abort.abort(new Error('deadline'));

    await expect(waiting).rejects.toThrow('deadline');
    first.release({ outcome: 'error' });
    const next = await gate.acquire();
    next.release({ outcome: 'error' });
  });

  it('halves its limit on an overload', async () => {
    const limits: number[] = [];
    const gate = new AdaptiveGate({ max: 8, initial: 8 }, (l) =>
      limits.push(l)
    );

    (await gate.acquire()).release({ outcome: 'overload' });

    expect(gate.limit).toBe(4);
    expect(limits).toEqual([4]);
  });

  it('halves on an overload of a request sent under the current limit while older ones are still in flight', async () => {
    // Six requests of the first limit are in service when the limit grows; the next request
    // is refused at once (a registry that serves six).
    const gate = new AdaptiveGate({ max: 8, initial: 7 });
    const old = await Promise.all(
      Array.from({ length: 6 }, () => gate.acquire())
    );
    // A round of quick answers in the 7th place grows the limit (a new epoch).
    for (let i = 0; i < 8; i++) {
      const p = await gate.acquire();
      p.release({ outcome: 'ok', latencyMs: 40 });
    }
    expect(gate.limit).toBe(8);

    const beyondKnee = await gate.acquire();
    beyondKnee.release({ outcome: 'overload' });

    expect(gate.limit).toBe(4);
    for (const p of old) p.release({ outcome: 'ok', latencyMs: 40 });
  });
});

describe('the adaptive pool and the run deadline', () => {
  let server: HttpFixture;
  let client: HttpClient;

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('a request queued behind the limit when the deadline comes fails as not sent (deadline)', async () => {
    server = await startHttpFixture(() => undefined); // never answers
    const deadline = new AbortController();
    client = createHttpClient({
      service: 'cluster1',
      baseUrl: server.url,
      adaptive: { max: 8, initial: 1 },
      signal: deadline.signal,
    });
    const inFlight = client.request({ method: 'HEAD', path: '/a' });
    const queued = client.request({ method: 'HEAD', path: '/b' });
    inFlight.catch(() => undefined);
    queued.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));

    deadline.abort();

    const err = await queued.then(
      () => undefined,
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect(err).toMatchObject({ timeout: 'deadline' });
    // Only the first was sent: the second waited for a place.
    expect(server.requests.map((r) => r.url)).toEqual(['/a']);
  });
});

import { MockAgent } from 'undici';
import { MemoryBudget, withLease } from '../../../lambdas/adapters/http/budget';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import { OciRegistryClient } from '../../../lambdas/adapters/registry/oci-client';
import { IncompleteListingError } from '../../../lambdas/core/errors';

const KiB = 1024;

describe('MemoryBudget', () => {
  it('lets leases draw up to the limit together, and no further', () => {
    const budget = new MemoryBudget(100);
    const a = budget.lease('reg', '/a');
    const b = budget.lease('reg', '/b');
    a.take(60);
    b.take(40);
    expect(budget.inUse).toBe(100);
    expect(() => {
      b.take(1);
    }).toThrow(IncompleteListingError);
    expect(() => {
      b.take(1);
    }).toThrow(/memory budget \(0\.0 MiB\) is spent/);
    a.release();
    expect(budget.inUse).toBe(40);
    b.take(60);
    expect(budget.inUse).toBe(100);
    expect(budget.peakBytes).toBe(100);
  });

  it('gives back what a lease holds exactly once', () => {
    const budget = new MemoryBudget(100);
    const a = budget.lease('reg', '/a');
    a.take(30);
    a.give(10);
    expect(budget.inUse).toBe(20);
    a.give(1000);
    expect(budget.inUse).toBe(0);
    a.take(5);
    a.release();
    a.release();
    expect(budget.inUse).toBe(0);
  });

  it('releases a listing whatever happens', async () => {
    const budget = new MemoryBudget(100);
    await expect(
      withLease(budget, 'reg', '/a', (lease) => {
        lease?.take(50);
        return Promise.reject(new Error('boom'));
      })
    ).rejects.toThrow('boom');
    expect(budget.inUse).toBe(0);
  });

  it('bounds concurrent listings of one run: bodies draw as they arrive', async () => {
    // Eight listings of 300 KiB each at once, within a 1 MiB budget.
    const tags = Array.from({ length: 300 * 16 }, (_, i) =>
      `tag-${i.toString().padStart(6, '0')}`.padEnd(60, 'x')
    );
    const body = JSON.stringify({ name: 'r', tags });
    expect(body.length).toBeGreaterThan(280 * KiB);
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('https://registry.example.com')
      .intercept({ path: /tags\/list/, method: 'GET' })
      .reply(200, body, { headers: { 'content-type': 'application/json' } })
      .persist();
    const budget = new MemoryBudget(1024 * KiB);
    const http = createHttpClient({
      service: 'reg',
      baseUrl: 'https://registry.example.com',
      dispatcherFor: (o) => agent.get(o),
      retry: { maxRetries: 0 },
    });
    const api = new OciRegistryClient({ http, budget });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => api.listTags(`team/r${i.toString()}`))
    );
    const done = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r) => r.status === 'rejected');
    expect(done.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(f.reason).toBeInstanceOf(IncompleteListingError);
    }
    expect(budget.peakBytes).toBeLessThanOrEqual(1024 * KiB);
    expect(budget.inUse).toBe(0);
    await http.close();
  });
});

import { getEventListeners } from 'node:events';
import { MockAgent } from 'undici';
import { createHttpClient } from '../../../lambdas/adapters/http/pool';
import { requestScope } from '../../../lambdas/adapters/http/request-scope';

describe('requestScope: a request holds its timer and deadline listeners only while it runs', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('aborts with a TimeoutError when its own limit fires, and says so', () => {
    jest.useFakeTimers();
    const deadline = new AbortController();
    const scope = requestScope(1_000, [deadline.signal]);
    jest.advanceTimersByTime(999);
    expect(scope.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(scope.signal.aborted).toBe(true);
    expect(scope.timedOut()).toBe(true);
    expect((scope.signal.reason as DOMException).name).toBe('TimeoutError');
    scope.release();
  });

  it('aborts with the deadline reason when a run deadline fires, not as its own timeout', () => {
    const deadline = new AbortController();
    const scope = requestScope(60_000, [
      new AbortController().signal,
      deadline.signal,
    ]);
    const reason = new Error('run deadline');
    deadline.abort(reason);
    expect(scope.signal.aborted).toBe(true);
    expect(scope.signal.reason).toBe(reason);
    expect(scope.timedOut()).toBe(false);
    scope.release();
  });

  it('starts aborted when a deadline already passed', () => {
    const deadline = AbortSignal.abort(new Error('gone'));
    const scope = requestScope(60_000, [deadline]);
    expect(scope.signal.aborted).toBe(true);
    scope.release();
  });

  it('leaves no timer and no listener once released', () => {
    jest.useFakeTimers();
    const deadline = new AbortController();
    const scope = requestScope(60_000, [deadline.signal]);
    expect(jest.getTimerCount()).toBe(1);
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(1);
    scope.release();
    expect(jest.getTimerCount()).toBe(0);
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(0);
    deadline.abort();
    expect(scope.signal.aborted).toBe(false);
  });

  it('a client that answered many requests under a run deadline holds nothing of them on it', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('https://registry.example')
      .intercept({ path: /\/v2\/.*/, method: 'HEAD' })
      .reply(200, '')
      .persist();
    const run = new AbortController();
    const client = createHttpClient({
      service: 'registry',
      baseUrl: 'https://registry.example',
      signal: run.signal,
      dispatcherFor: () => agent,
    });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.request({
          method: 'HEAD',
          path: `/v2/app/manifests/t${i.toString()}`,
          signal: run.signal,
        })
      )
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    await client.close(); // closes the agent too
  });
});

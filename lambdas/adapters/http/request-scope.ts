/**
 * The abort signal of one logical request: its own time limit and the run's deadlines.
 *
 * Not `AbortSignal.any([AbortSignal.timeout(ms), ...deadlines])`: the timeout's timer stays
 * armed until it fires, and `any` adds a weak reference to every long-lived deadline signal
 * per request. A 100,000-tag audit (a request per tag, `npm run bench`) then kept ~40,000
 * timers, abort signals and 140,000 weak references alive, a fifth of its live heap. Here
 * the timer and the listeners go as soon as the request ends.
 */
export interface RequestScope {
  readonly signal: AbortSignal;
  /** Whether the request's own limit fired (not a run deadline). */
  timedOut(): boolean;
  /** Disarms the timer and detaches from the deadlines; call once the request has ended. */
  release(): void;
}

export function requestScope(
  timeoutMs: number,
  deadlines: readonly AbortSignal[]
): RequestScope {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(
      new DOMException(
        `the request took longer than ${timeoutMs.toString()} ms`,
        'TimeoutError'
      )
    );
  }, timeoutMs);
  // A pending limit never keeps the process alive (as AbortSignal.timeout's does not).
  timer.unref();
  const onDeadline = (event: Event): void => {
    controller.abort((event.target as AbortSignal).reason);
  };
  for (const deadline of deadlines) {
    if (deadline.aborted) {
      controller.abort(deadline.reason);
      break;
    }
    deadline.addEventListener('abort', onDeadline, { once: true });
  }
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    release() {
      clearTimeout(timer);
      for (const deadline of deadlines)
        deadline.removeEventListener('abort', onDeadline);
    },
  };
}

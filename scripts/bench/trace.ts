import { subscribe } from 'node:diagnostics_channel';

/** The requests of one kind an audit made, on a time line relative to the audit's start. */
export interface PhaseTrace {
  phase: string;
  requests: number;
  /** Seconds from the audit's start to the first request sent. */
  firstStart: number;
  /** Seconds from the audit's start to the last response headers. */
  lastEnd: number;
  /** Mean seconds from sending to response headers. */
  meanLatency: number;
}

/** What undici's diagnostics channels saw during an audit. */
export interface AuditTrace {
  phases: PhaseTrace[];
  /** TCP connections opened, per upstream. */
  connections: Record<string, number>;
}

interface UndiciRequest {
  origin?: unknown;
  method?: unknown;
  path?: unknown;
}

function phaseOf(upstream: string, method: string, path: string): string {
  if (path.startsWith('/api/')) {
    const what = /\/artifacts(\?|$)/.test(path.split('?')[0] ?? '')
      ? 'artifacts'
      : /\/repositories(\?|$)/.test(path.split('?')[0] ?? '')
        ? 'repositories'
        : 'other';
    return `${upstream} Harbor API ${what}`;
  }
  if (path.startsWith('/v2/_catalog')) return `${upstream} /v2/_catalog`;
  if (path.includes('/tags/list')) return `${upstream} tags/list`;
  if (path.includes('/manifests/')) return `${upstream} manifest ${method}`;
  return `${upstream} ${method} other`;
}

/**
 * Records every request undici sends (diagnostics channels, no change to the code under
 * test), named by upstream and kind, so that the audit's time can be split into phases.
 * `upstreams` maps an origin (`http://127.0.0.1:1234`) to a name.
 */
export function traceUndici(upstreams: ReadonlyMap<string, string>): {
  start(): void;
  stop(): AuditTrace;
} {
  let t0 = 0;
  const sent = new WeakMap<object, { phase: string; at: number }>();
  const phases = new Map<
    string,
    { requests: number; first: number; last: number; latency: number }
  >();
  const connections: Record<string, number> = {};
  const nameOf = (origin: unknown): string => {
    const text = origin instanceof URL ? origin.origin : String(origin);
    return upstreams.get(text.replace(/\/+$/, '')) ?? text;
  };
  const onCreate = (message: unknown): void => {
    const request = (message as { request: UndiciRequest }).request;
    const method = typeof request.method === 'string' ? request.method : '?';
    const path = typeof request.path === 'string' ? request.path : '';
    sent.set(request, {
      phase: phaseOf(nameOf(request.origin), method, path),
      at: performance.now(),
    });
  };
  const onHeaders = (message: unknown): void => {
    const request = (message as { request: object }).request;
    const s = sent.get(request);
    if (!s) return;
    const now = performance.now();
    const p = phases.get(s.phase) ?? {
      requests: 0,
      first: s.at,
      last: now,
      latency: 0,
    };
    p.requests++;
    p.first = Math.min(p.first, s.at);
    p.last = Math.max(p.last, now);
    p.latency += now - s.at;
    phases.set(s.phase, p);
  };
  const onConnected = (message: unknown): void => {
    const params = (
      message as { connectParams?: { protocol?: unknown; host?: unknown } }
    ).connectParams;
    const name = nameOf(`${String(params?.protocol)}//${String(params?.host)}`);
    connections[name] = (connections[name] ?? 0) + 1;
  };
  return {
    start() {
      t0 = performance.now();
      subscribe('undici:request:create', onCreate);
      subscribe('undici:request:headers', onHeaders);
      subscribe('undici:client:connected', onConnected);
    },
    stop() {
      const s = (ms: number) => Math.round(ms) / 1000;
      return {
        phases: [...phases]
          .map(([phase, p]) => ({
            phase,
            requests: p.requests,
            firstStart: s(p.first - t0),
            lastEnd: s(p.last - t0),
            meanLatency: s(p.latency / p.requests),
          }))
          .sort((a, b) => a.firstStart - b.firstStart),
        connections,
      };
    },
  };
}

import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/principal';
import { badRequest, notFound } from './harbor-error';

/** What a route handler gets. */
export interface Ctx {
  req: IncomingMessage;
  url: URL;
  /** Path parameters, URL-decoded once (like go-swagger). */
  params: Record<string, string>;
  principal: Principal;
  /** The request body parsed as JSON (undefined when empty). */
  body(): Promise<unknown>;
}

/** What a route handler answers: JSON `body`, or `text` (text/plain), plus headers. */
export interface Reply {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

/** A tiny router over raw (still-escaped) path segments, so `a%2Fb` stays one segment. */
export class Router {
  private readonly routes: Route[] = [];

  /** Registers a route; `pattern` segments starting with ':' are parameters. */
  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({
      method,
      segments: pattern.split('/').filter((s) => s !== ''),
      handler,
    });
    return this;
  }

  get(p: string, h: Handler): this {
    return this.add('GET', p, h);
  }
  post(p: string, h: Handler): this {
    return this.add('POST', p, h);
  }
  put(p: string, h: Handler): this {
    return this.add('PUT', p, h);
  }
  delete(p: string, h: Handler): this {
    return this.add('DELETE', p, h);
  }

  /** Finds the handler for a method and raw path; throws NOT_FOUND / 405-like errors. */
  match(
    method: string,
    rawPath: string
  ): { handler: Handler; params: Record<string, string> } {
    const segs = rawPath.split('/').filter((s) => s !== '');
    let pathMatched = false;
    for (const r of this.routes) {
      const params = matchSegments(r.segments, segs);
      if (!params) continue;
      pathMatched = true;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET'))
        return { handler: r.handler, params };
    }
    if (pathMatched) throw badRequest(`method ${method} is not allowed`);
    throw notFound('path not found');
  }
}

function matchSegments(
  pattern: string[],
  segs: string[]
): Record<string, string> | undefined {
  if (pattern.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const s = segs[i] ?? '';
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(s);
      } catch {
        return undefined;
      }
    } else if (p !== s) return undefined;
  }
  return params;
}

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';

/** Real binaries these tests drive. */
export const SKOPEO = '/usr/bin/skopeo';
export const DOCKER_REGISTRY = '/usr/bin/docker-registry';

/** Fails (never skips) with a clear message when a binary the test needs is absent. */
export function requireBinary(path: string, aptPackage: string): void {
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: this test needs the real binary (apt-get install -y ${aptPackage})`
    );
  }
}

/**
 * Runs skopeo asynchronously (an in-process registry or token server must keep serving while
 * skopeo talks to it, so execFileSync would deadlock).
 */
export function skopeo(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      SKOPEO,
      args,
      { encoding: 'buffer', timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(`skopeo ${args.join(' ')} failed: ${stderr.toString()}`, {
              cause: err,
            })
          );
        } else {
          resolve(stdout);
        }
      }
    );
  });
}

/** A raw HTTP exchange without client defaults (fetch would add `Accept: *\/*`). */
export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with exactly the given headers, no keep-alive. */
export function raw(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: Buffer
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The first error code of a distribution error body. */
export function errorCode(reply: RawReply): string | undefined {
  try {
    const parsed = JSON.parse(reply.body.toString('utf8')) as {
      errors?: { code?: string }[];
    };
    return parsed.errors?.[0]?.code;
  } catch {
    return undefined;
  }
}

/** Single header value. */
export function h(reply: RawReply, name: string): string | undefined {
  const v = reply.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

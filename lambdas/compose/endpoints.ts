import { readFileSync } from 'node:fs';
import { MemoryBudget } from '../adapters/http/budget';
import { createHttpClient } from '../adapters/http/pool';
import type { HttpClient } from '../adapters/http/pool';
import type {
  Credentials,
  CredentialsResolver,
} from '../adapters/secrets/credentials';
import {
  AuthError,
  ConfigError,
  errorMessage,
  HarborDrError,
} from '../core/errors';
import { isInlinePem } from '../shared/ca-bundle';
import type { PrimaryConfig, TargetConfig } from '../shared/config';

/**
 * One configured registry, reached once per run: every client of it (audit, replication,
 * readiness) shares this pool and these credentials.
 */
export interface Endpoint<C extends PrimaryConfig | TargetConfig> {
  config: C;
  http: HttpClient;
  /** Absent: the registry is read anonymously (or its credentials could not be read). */
  credentials: Credentials | undefined;
  /**
   * Why the registry cannot be used at all: its credentials could not be read. Every request
   * on `http` then fails with this reason (an AuthError) and none is sent, not even
   * anonymously; the run goes on and reports the registry's scopes UNKNOWN.
   */
  unavailable?: string;
  /** The PEM bundle of extra CAs, read once (the TLS probe trusts it too). */
  caBundle: string | undefined;
  /** The run's memory budget for listings in flight, shared by every endpoint. */
  budget: MemoryBudget;
}

/** The cap of an adaptive registry that sets no `maxConcurrency`. */
export const ADAPTIVE_DEFAULT_MAX = 32;

/** How many requests one registry may have in flight, and whether the number adapts. */
export interface RegistryConcurrency {
  /** The cap (the pool's connections); fixed unless `adaptive`. */
  max: number;
  adaptive: boolean;
}

/**
 * A registry's concurrency: its `maxConcurrency`, else the run's (`--concurrency`); an
 * adaptive registry without one may grow up to {@link ADAPTIVE_DEFAULT_MAX} (or the run's,
 * if higher): it starts small and finds the link's limit itself.
 */
export function concurrencyOf(
  config: Pick<
    PrimaryConfig | TargetConfig,
    'maxConcurrency' | 'adaptiveConcurrency'
  >,
  runConcurrency: number
): RegistryConcurrency {
  const adaptive = config.adaptiveConcurrency === true;
  const max =
    config.maxConcurrency ??
    (adaptive
      ? Math.max(runConcurrency, ADAPTIVE_DEFAULT_MAX)
      : runConcurrency);
  return { max, adaptive };
}

/** Opens the endpoints of a run; close() releases every pool it opened. */
export interface Endpoints {
  open<C extends PrimaryConfig | TargetConfig>(config: C): Promise<Endpoint<C>>;
  close(): Promise<void>;
}

/**
 * @param concurrency calls in flight per upstream that sets no `maxConcurrency` (see
 *   {@link concurrencyOf}): the size of its pool
 * @param signal the run's deadline: it aborts every request of every pool
 * @param listingBudgetBytes bytes that the run's listings in flight may hold at once
 */
export function endpoints(
  resolveCredentials: CredentialsResolver,
  concurrency: number,
  signal?: AbortSignal,
  listingBudgetBytes?: number
): Endpoints {
  const pools: HttpClient[] = [];
  const budget = new MemoryBudget(listingBudgetBytes);
  return {
    open: async (config) => {
      // Credentials first: a missing secret is named before an unreadable CA bundle.
      let credentials: Credentials | undefined;
      let unavailable: string | undefined;
      if (config.credentials) {
        try {
          credentials = await resolveCredentials(
            config.credentials,
            config.name
          );
        } catch (err) {
          unavailable = `its credentials could not be read: ${describeCredentialFailure(err)}`;
        }
      }
      const caBundle = config.caBundle
        ? readCaBundle(config.caBundle, config.name)
        : undefined;
      if (unavailable !== undefined) {
        return {
          config,
          http: refusingHttp(config, unavailable),
          credentials: undefined,
          caBundle,
          unavailable,
          budget,
        };
      }
      const limits = concurrencyOf(config, concurrency);
      const http = createHttpClient({
        service: config.name,
        baseUrl: config.url,
        connections: limits.max,
        ...(limits.adaptive ? { adaptive: { max: limits.max } } : {}),
        insecure: !config.verifyTls,
        ...(caBundle ? { caBundle } : {}),
        ...(signal ? { signal } : {}),
      });
      pools.push(http);
      return { config, http, credentials, caBundle, budget };
    },
    close: async () => {
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}

/** The same endpoints, telling `onRequest` of every request their clients send. */
export function countingRequests(
  inner: Endpoints,
  onRequest: (registry: string) => void
): Endpoints {
  return {
    open: async (config) => {
      const endpoint = await inner.open(config);
      // An unusable registry's client sends nothing: nothing to count.
      if (endpoint.unavailable !== undefined) return endpoint;
      const { http } = endpoint;
      return {
        ...endpoint,
        http: {
          service: http.service,
          origin: http.origin,
          request: (req) => {
            onRequest(config.name);
            return http.request(req);
          },
          close: () => http.close(),
        },
      };
    },
    close: () => inner.close(),
  };
}

/** The options every Harbor and registry client of an endpoint is built with. */
export function clientOptions(
  endpoint: Endpoint<PrimaryConfig | TargetConfig>,
  credentials: Credentials | undefined = endpoint.credentials
): {
  http: HttpClient;
  baseUrl: string;
  credentials?: Credentials;
  budget: MemoryBudget;
  tokenRealms?: readonly string[];
} {
  const { config } = endpoint;
  return {
    http: endpoint.http,
    baseUrl: config.url,
    ...(credentials ? { credentials } : {}),
    budget: endpoint.budget,
    ...('tokenRealms' in config && config.tokenRealms
      ? { tokenRealms: config.tokenRealms }
      : {}),
  };
}

function readCaBundle(path: string, owner: string): string {
  if (isInlinePem(path)) return path;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      owner,
      [`caBundle: cannot read ${path}: ${errorMessage(err)}`],
      err
    );
  }
}

/**
 * Why a credential could not be resolved, on one line: the resolver's errors name the
 * variable, file, field or secret id and never a value.
 */
export function describeCredentialFailure(err: unknown): string {
  if (err instanceof HarborDrError) {
    // A ConfigError lists its problems on lines of their own: one line, `;` between them.
    return err.message
      .replace(/:\s*\n\s*-\s*/, ': ')
      .replace(/\s*\n\s*(?:-\s*)?/g, '; ');
  }
  // Anything else may quote what it failed on: its kind only.
  return `unexpected ${err instanceof Error ? err.name : typeof err}`;
}

/** An HTTP client that sends nothing: every request fails with why the registry is unusable. */
function refusingHttp(
  config: PrimaryConfig | TargetConfig,
  reason: string
): HttpClient {
  return {
    service: config.name,
    origin: new URL(config.url).origin,
    request: () => Promise.reject(new AuthError(config.name, reason)),
    close: () => Promise.resolve(),
  };
}

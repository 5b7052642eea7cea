import type {
  HarborApi,
  HarborReplicationControl,
  ReplicationEndpoint,
} from '../core/ports';
import type { ReadinessDeps, ReadinessTarget } from '../use-cases/readiness';
import { HarborClient } from '../adapters/harbor/harbor-client';
import { HarborMetadataClient } from '../adapters/harbor/metadata-client';
import { HarborReplicationClient } from '../adapters/harbor/replication-client';
import type {
  Credentials,
  CredentialsResolver,
} from '../adapters/secrets/credentials';
import { readPeerCertificate } from '../adapters/tls/peer-certificate';
import { ConfigError } from '../core/errors';
import type {
  HarborDrConfig,
  PrimaryConfig,
  TargetConfig,
} from '../shared/config';
import { TARGET_DRIVERS } from './drivers';
import {
  clientOptions,
  concurrencyOf,
  countingRequests,
  describeCredentialFailure,
  endpoints,
} from './endpoints';
import type { Endpoint } from './endpoints';

/**
 * The clients of one run, built from the config: the audit's, and on the same endpoints what
 * readiness adds (metadata, reachability, TLS probes). close() releases every pool.
 */
export interface Clients {
  primary: HarborApi;
  primaryMetadata: ReadinessDeps['primaryMetadata'];
  /** Each selected target: the audit's view, and what readiness checks. */
  targets: ReadinessTarget[];
  /** Executions of the primary (read; start/stop with the operator credential) and of Harbor targets. */
  replication: {
    primary: ReplicationEndpoint;
    targets: Map<string, ReplicationEndpoint>;
  };
  close(): Promise<void>;
}

/** Options of the composition. */
export interface ComposeOptions {
  /** Calls in flight per upstream. @default 8 */
  concurrency?: number;
  /** Only these targets (by name). @default every configured target */
  onlyTargets?: readonly string[];
  /** The run's deadline: every HTTP request of the run is aborted when it fires. */
  signal?: AbortSignal;
  /** Told of each request sent, by the registry's configured name (progress). */
  onRequest?: (registry: string) => void;
}

/**
 * Builds the adapters of a run from the configuration: each registry reached once (one
 * keep-alive pool, credentials resolved once, CA bundle read once), each target's clients
 * built by the driver of its kind.
 *
 * A credential that cannot be read fails only its registry: every call to it fails with the
 * reason (nothing is sent) and a target is marked `unavailable`, so that the run goes on and
 * reports that target UNKNOWN (the primary's: the whole run UNKNOWN, still reported). The
 * operator credential is resolved only when a start or stop is sent.
 * @throws ConfigError for unknown target names or unreadable CA bundles
 */
export async function composeClients(
  config: HarborDrConfig,
  resolveCredentials: CredentialsResolver,
  options: ComposeOptions = {}
): Promise<Clients> {
  const concurrency = options.concurrency ?? 8;
  const selected = selectTargets(config.targets, options.onlyTargets);
  const opened = endpoints(resolveCredentials, concurrency, options.signal);
  const pools = options.onRequest
    ? countingRequests(opened, options.onRequest)
    : opened;
  try {
    const primary = await pools.open(config.primary);
    const operatorRef = config.primary.operatorCredentials;
    const replication: Clients['replication'] = {
      primary: {
        read: new HarborReplicationClient(clientOptions(primary)),
        control: operatorRef
          ? operatorControl(primary, () =>
              resolveCredentials(
                operatorRef,
                `${config.primary.name} (operator)`
              )
            )
          : new HarborReplicationClient(clientOptions(primary)),
      },
      targets: new Map(),
    };
    const targets: ReadinessTarget[] = [];
    for (const t of selected) {
      const endpoint = await pools.open(t);
      const driver = TARGET_DRIVERS[t.kind];
      const built = driver.build(endpoint, concurrencyOf(t, concurrency).max);
      if (built.replication) replication.targets.set(t.name, built.replication);
      targets.push({
        name: t.name,
        kind: t.kind,
        url: t.url,
        traits: driver.traits,
        observer: built.observer,
        verifyTls: t.verifyTls,
        ...(endpoint.unavailable !== undefined
          ? { unavailable: endpoint.unavailable }
          : {}),
        ...(built.harbor ? { harbor: built.harbor } : {}),
        ...(built.metadata ? { metadata: built.metadata } : {}),
        ...(built.registry ? { registry: built.registry } : {}),
        ...tlsProbe(endpoint, options.signal),
      });
    }
    return {
      primary: new HarborClient(clientOptions(primary)),
      primaryMetadata: new HarborMetadataClient(clientOptions(primary)),
      targets,
      replication,
      close: () => pools.close(),
    };
  } catch (err) {
    await pools.close();
    throw err;
  }
}

/**
 * Starts and stops with the operator credential, resolved at the first start or stop (a run
 * that starts nothing never reads it) and once per run. When it cannot be read, each start
 * or stop answers `permission-denied` with the reason: nothing was sent, nothing started.
 */
function operatorControl(
  primary: Endpoint<PrimaryConfig>,
  resolve: () => Promise<Credentials>
): HarborReplicationControl {
  let control:
    Promise<HarborReplicationControl | { denied: string }> | undefined;
  const get = () =>
    (control ??= resolve().then(
      (credentials) =>
        new HarborReplicationClient(clientOptions(primary, credentials)),
      (err: unknown) => ({
        denied: `not sent: the operator credential could not be read: ${describeCredentialFailure(err)}`,
      })
    ));
  return {
    startExecution: async (policyId) => {
      const c = await get();
      return 'denied' in c
        ? { outcome: 'permission-denied', detail: c.denied }
        : c.startExecution(policyId);
    },
    stopExecution: async (executionId) => {
      const c = await get();
      return 'denied' in c
        ? { outcome: 'permission-denied', detail: c.denied }
        : c.stopExecution(executionId);
    },
  };
}

/**
 * https endpoints: the certificate they present, trusted with the endpoint's CA bundle,
 * within the run's deadline.
 */
function tlsProbe(
  endpoint: Endpoint<TargetConfig>,
  signal: AbortSignal | undefined
): Pick<ReadinessTarget, 'probeTls'> {
  const { url } = endpoint.config;
  if (!/^https:/i.test(url)) return {};
  const { caBundle } = endpoint;
  return {
    probeTls: () =>
      readPeerCertificate(url, {
        ...(caBundle ? { caBundle } : {}),
        ...(signal ? { signal } : {}),
      }),
  };
}

function selectTargets(
  targets: readonly TargetConfig[],
  only: readonly string[] | undefined
): TargetConfig[] {
  if (!only || only.length === 0) return [...targets];
  const unknown = only.filter((n) => !targets.some((t) => t.name === n));
  if (unknown.length > 0) {
    throw new ConfigError(
      'targets',
      unknown.map((n) => `"${n}": is not a configured target`)
    );
  }
  return targets.filter((t) => only.includes(t.name));
}

import type { HarborApi, ReplicationEndpoint } from '../core/ports';
import type { ReadinessDeps, ReadinessTarget } from '../use-cases/readiness';
import { HarborClient } from '../adapters/harbor/harbor-client';
import { HarborMetadataClient } from '../adapters/harbor/metadata-client';
import { HarborReplicationClient } from '../adapters/harbor/replication-client';
import type { CredentialsResolver } from '../adapters/secrets/credentials';
import { readPeerCertificate } from '../adapters/tls/peer-certificate';
import { ConfigError } from '../core/errors';
import type { HarborDrConfig, TargetConfig } from '../shared/config';
import { TARGET_DRIVERS } from './drivers';
import { clientOptions, endpoints } from './endpoints';
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
}

/**
 * Builds the adapters of a run from the configuration: each registry reached once (one
 * keep-alive pool, credentials resolved once, CA bundle read once), each target's clients
 * built by the driver of its kind.
 * @throws ConfigError for unknown target names, unreadable CA bundles or credentials
 */
export async function composeClients(
  config: HarborDrConfig,
  resolveCredentials: CredentialsResolver,
  options: ComposeOptions = {}
): Promise<Clients> {
  const concurrency = options.concurrency ?? 8;
  const selected = selectTargets(config.targets, options.onlyTargets);
  const pools = endpoints(resolveCredentials, concurrency);
  try {
    const primary = await pools.open(config.primary);
    const operatorCredentials = config.primary.operatorCredentials
      ? await resolveCredentials(
          config.primary.operatorCredentials,
          `${config.primary.name} (operator)`
        )
      : primary.credentials;
    const replication: Clients['replication'] = {
      primary: {
        read: new HarborReplicationClient(clientOptions(primary)),
        control: new HarborReplicationClient(
          clientOptions(primary, operatorCredentials)
        ),
      },
      targets: new Map(),
    };
    const targets: ReadinessTarget[] = [];
    for (const t of selected) {
      const endpoint = await pools.open(t);
      const driver = TARGET_DRIVERS[t.kind];
      const built = driver.build(endpoint, concurrency);
      if (built.replication) replication.targets.set(t.name, built.replication);
      targets.push({
        name: t.name,
        kind: t.kind,
        url: t.url,
        traits: driver.traits,
        observer: built.observer,
        verifyTls: t.verifyTls,
        ...(built.harbor ? { harbor: built.harbor } : {}),
        ...(built.metadata ? { metadata: built.metadata } : {}),
        ...(built.registry ? { registry: built.registry } : {}),
        ...tlsProbe(endpoint),
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

/** https endpoints: the certificate they present, trusted with the endpoint's CA bundle. */
function tlsProbe(
  endpoint: Endpoint<TargetConfig>
): Pick<ReadinessTarget, 'probeTls'> {
  const { url } = endpoint.config;
  if (!/^https:/i.test(url)) return {};
  const { caBundle } = endpoint;
  return {
    probeTls: () => readPeerCertificate(url, caBundle ? { caBundle } : {}),
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

import { readFileSync } from 'node:fs';
import type { AuditTarget } from '../use-cases/audit';
import type {
  HarborApi,
  ReplicationEndpoint,
  TargetObserver,
} from '../core/ports';
import { HarborClient } from '../adapters/harbor/harbor-client';
import { HarborReplicationClient } from '../adapters/harbor/replication-client';
import { createHttpClient } from '../adapters/http/pool';
import type { HttpClient } from '../adapters/http/pool';
import { observeHarborTarget } from '../adapters/observe/observe-harbor';
import { observeRegistryTarget } from '../adapters/observe/observe-registry';
import { verifyInStorage } from '../adapters/observe/verify-storage';
import type { StorageVerification } from '../adapters/observe/verify-storage';
import { OciRegistryClient } from '../adapters/registry/oci-client';
import type { CredentialsResolver } from '../adapters/secrets/credentials';
import { ConfigError, errorMessage } from '../core/errors';
import type {
  HarborDrConfig,
  PrimaryConfig,
  TargetConfig,
} from '../shared/config';

/** The clients of one run, built from the config; close() releases every pool. */
export interface Clients {
  primary: HarborApi;
  targets: AuditTarget[];
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
 * Builds the adapters of a run from the configuration: one keep-alive client per registry,
 * credentials resolved from their references, TLS verification as configured.
 * @throws ConfigError for unknown target names, unreadable CA bundles or credentials
 */
export async function composeClients(
  config: HarborDrConfig,
  resolveCredentials: CredentialsResolver,
  options: ComposeOptions = {}
): Promise<Clients> {
  const concurrency = options.concurrency ?? 8;
  const selected = selectTargets(config.targets, options.onlyTargets);
  const https: HttpClient[] = [];
  const httpFor = (r: PrimaryConfig | TargetConfig): HttpClient => {
    const client = createHttpClient({
      service: r.name,
      baseUrl: r.url,
      connections: concurrency,
      insecure: !r.verifyTls,
      ...(r.caBundle ? { caBundle: readCaBundle(r.caBundle, r.name) } : {}),
    });
    https.push(client);
    return client;
  };
  const credentialsFor = async (r: PrimaryConfig | TargetConfig) =>
    r.credentials ? await resolveCredentials(r.credentials, r.name) : undefined;

  const primaryCredentials = await credentialsFor(config.primary);
  const primaryHttp = httpFor(config.primary);
  const primary = new HarborClient({
    http: primaryHttp,
    baseUrl: config.primary.url,
    ...(primaryCredentials ? { credentials: primaryCredentials } : {}),
  });
  const replicationClient = (
    http: HttpClient,
    baseUrl: string,
    credentials: Awaited<ReturnType<typeof credentialsFor>>
  ) =>
    new HarborReplicationClient({
      http,
      baseUrl,
      ...(credentials ? { credentials } : {}),
    });
  const operatorCredentials = config.primary.operatorCredentials
    ? await resolveCredentials(
        config.primary.operatorCredentials,
        `${config.primary.name} (operator)`
      )
    : primaryCredentials;
  const replication: Clients['replication'] = {
    primary: {
      read: replicationClient(
        primaryHttp,
        config.primary.url,
        primaryCredentials
      ),
      control: replicationClient(
        primaryHttp,
        config.primary.url,
        operatorCredentials
      ),
    },
    targets: new Map(),
  };
  const targets: AuditTarget[] = [];
  for (const t of selected) {
    const credentials = await credentialsFor(t);
    const http = httpFor(t);
    if (t.kind === 'harbor') {
      const harbor = new HarborClient({
        http,
        baseUrl: t.url,
        ...(credentials ? { credentials } : {}),
      });
      // Harbor's /v2/ accepts the same Basic credentials (harbor-semantics §10.4).
      const storage =
        t.verify.manifests === 'none'
          ? undefined
          : new OciRegistryClient({
              http,
              ...(credentials ? { credentials } : {}),
            });
      targets.push({
        name: t.name,
        kind: t.kind,
        url: t.url,
        harbor,
        observer: harborObserver(harbor, concurrency, storage, t.verify),
      });
      // Pull policies live on the target: read and started with its own credentials.
      const targetReplication = replicationClient(http, t.url, credentials);
      replication.targets.set(t.name, {
        read: targetReplication,
        control: targetReplication,
      });
    } else {
      const registry = new OciRegistryClient({
        http,
        ...(credentials ? { credentials } : {}),
      });
      targets.push({
        name: t.name,
        kind: t.kind,
        url: t.url,
        observer: registryObserver(registry, concurrency),
      });
    }
  }
  return {
    primary,
    targets,
    replication,
    close: async () => {
      await Promise.all(https.map((h) => h.close()));
    },
  };
}

function harborObserver(
  api: HarborClient,
  concurrency: number,
  storage: OciRegistryClient | undefined,
  verification: StorageVerification
): TargetObserver {
  return {
    listNamespace: async (project) =>
      (await api.getProject(project)) === null
        ? []
        : api.listRepositories(project),
    observe: async (repositories) => {
      const observed = await observeHarborTarget(api, repositories, {
        concurrency,
      });
      return storage
        ? verifyInStorage(observed, storage, verification, concurrency)
        : observed;
    },
  };
}

function registryObserver(
  api: OciRegistryClient,
  concurrency: number
): TargetObserver {
  // One catalog sweep per run serves every shard of the target.
  let catalog: Promise<string[] | null> | undefined;
  return {
    listNamespace: async (project) => {
      catalog ??= api.listCatalog();
      const all = await catalog;
      return all === null
        ? null
        : all.filter((r) => r === project || r.startsWith(`${project}/`));
    },
    observe: (repositories, expected) =>
      observeRegistryTarget(api, repositories, expected, { concurrency }),
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

function readCaBundle(path: string, owner: string): string {
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

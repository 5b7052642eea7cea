import { readFileSync } from 'node:fs';
import type { AuditTarget } from '../use-cases/audit';
import { ConfigError, errorMessage } from '../core/errors';
import type { HarborReadApi, ReadinessTarget } from '../use-cases/readiness';
import { HarborMetadataClient } from '../adapters/harbor/metadata-client';
import { createHttpClient } from '../adapters/http/pool';
import type { HttpClient } from '../adapters/http/pool';
import { OciRegistryClient } from '../adapters/registry/oci-client';
import type { CredentialsResolver } from '../adapters/secrets/credentials';
import { readPeerCertificate } from '../adapters/tls/peer-certificate';
import type {
  HarborDrConfig,
  PrimaryConfig,
  TargetConfig,
} from '../shared/config';

/** What readiness needs beyond the audit's clients; close() releases its pools. */
export interface ReadinessClients {
  primaryMetadata: HarborReadApi;
  /** The audit's targets, each with its metadata client, registry client and TLS probe. */
  targets: ReadinessTarget[];
  close(): Promise<void>;
}

/**
 * Adds the readiness adapters to the audit's targets: a metadata client per Harbor (the
 * primary's too), a distribution client per plain registry (reachability), a certificate
 * probe per https endpoint. Separate pools, so that the audit's composition stays untouched.
 * @throws ConfigError for unreadable CA bundles or credentials
 */
export async function composeReadiness(
  config: HarborDrConfig,
  auditTargets: readonly AuditTarget[],
  resolveCredentials: CredentialsResolver,
  concurrency: number
): Promise<ReadinessClients> {
  const pools: HttpClient[] = [];
  const setup = async (r: PrimaryConfig | TargetConfig) => {
    const caBundle = r.caBundle ? readCaBundle(r.caBundle, r.name) : undefined;
    const http = createHttpClient({
      service: r.name,
      baseUrl: r.url,
      connections: concurrency,
      insecure: !r.verifyTls,
      ...(caBundle ? { caBundle } : {}),
    });
    pools.push(http);
    const credentials = r.credentials
      ? await resolveCredentials(r.credentials, r.name)
      : undefined;
    return { http, credentials, caBundle };
  };
  const primary = await setup(config.primary);
  const primaryMetadata = new HarborMetadataClient({
    http: primary.http,
    baseUrl: config.primary.url,
    ...(primary.credentials ? { credentials: primary.credentials } : {}),
  });
  const targets: ReadinessTarget[] = [];
  for (const audit of auditTargets) {
    const t = config.targets.find((x) => x.name === audit.name);
    if (!t) continue;
    const { http, credentials, caBundle } = await setup(t);
    targets.push({
      ...audit,
      verifyTls: t.verifyTls,
      ...(t.kind === 'harbor'
        ? {
            metadata: new HarborMetadataClient({
              http,
              baseUrl: t.url,
              ...(credentials ? { credentials } : {}),
            }),
          }
        : {
            registry: new OciRegistryClient({
              http,
              ...(credentials ? { credentials } : {}),
            }),
          }),
      ...(/^https:/i.test(t.url)
        ? {
            probeTls: () =>
              readPeerCertificate(t.url, caBundle ? { caBundle } : {}),
          }
        : {}),
    });
  }
  return {
    primaryMetadata,
    targets,
    close: async () => {
      await Promise.all(pools.map((p) => p.close()));
    },
  };
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

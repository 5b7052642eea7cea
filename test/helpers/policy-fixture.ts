import type {
  RegistryEndpoint,
  ReplicationPolicy,
} from '../../lambdas/core/model';

/** A registry endpoint as Harbor stores it. */
export function endpoint(
  overrides: Partial<RegistryEndpoint> = {}
): RegistryEndpoint {
  return {
    id: 1,
    name: 'cluster1',
    type: 'docker-registry',
    url: 'https://registry.cluster1.example.com',
    insecure: false,
    ...overrides,
  };
}

/** An enabled push policy from the local Harbor to `endpoint()`, to be overridden per test. */
export function policy(
  overrides: Partial<ReplicationPolicy> = {}
): ReplicationPolicy {
  return {
    id: 1,
    name: 'to-cluster1',
    enabled: true,
    srcRegistry: null,
    destRegistry: endpoint(),
    destNamespace: '',
    destNamespaceReplaceCount: -1,
    trigger: { type: 'event_based' },
    filters: [],
    override: true,
    deletion: false,
    singleActiveReplication: false,
    ...overrides,
  };
}

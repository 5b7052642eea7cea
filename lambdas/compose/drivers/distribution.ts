import { observeRegistryTarget } from '../../adapters/observe/observe-registry';
import { OciRegistryClient } from '../../adapters/registry/oci-client';
import type { TargetObserver } from '../../core/ports';
import type { TargetDriver } from '../drivers';
import { clientOptions } from '../endpoints';

/** A plain OCI registry (CNCF Distribution): observed through /v2/, no push times. */
export const distributionDriver: TargetDriver = {
  traits: {
    registryType: 'docker-registry',
    firstSeenDelays: true,
    harborApi: false,
    indexChildren: 'served',
  },
  build: (endpoint, concurrency) => ({
    observer: registryObserver(
      new OciRegistryClient(clientOptions(endpoint)),
      concurrency
    ),
    // Its own client: reachability is checked apart from what the audit learnt of the registry.
    registry: new OciRegistryClient(clientOptions(endpoint)),
  }),
};

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

import { HarborClient } from '../../adapters/harbor/harbor-client';
import { HarborMetadataClient } from '../../adapters/harbor/metadata-client';
import { HarborReplicationClient } from '../../adapters/harbor/replication-client';
import { observeHarborTarget } from '../../adapters/observe/observe-harbor';
import { verifyInStorage } from '../../adapters/observe/verify-storage';
import type { StorageVerification } from '../../adapters/observe/verify-storage';
import { OciRegistryClient } from '../../adapters/registry/oci-client';
import type { TargetObserver } from '../../core/ports';
import type { TargetDriver } from '../drivers';
import { clientOptions } from '../endpoints';

/** A Harbor target: observed through its API, with its own policies and metadata. */
export const harborDriver: TargetDriver = {
  traits: {
    registryType: 'harbor',
    firstSeenDelays: false,
    harborApi: true,
    indexChildren: 'references',
  },
  build: (endpoint, concurrency) => {
    const options = clientOptions(endpoint);
    const harbor = new HarborClient(options);
    // Harbor's /v2/ accepts the same Basic credentials (harbor-semantics §10.4).
    const storage =
      endpoint.config.verify.manifests === 'none'
        ? undefined
        : new OciRegistryClient(options);
    // Pull policies live on the target: read and started with its own credentials.
    const replication = new HarborReplicationClient(options);
    return {
      observer: harborObserver(
        harbor,
        concurrency,
        storage,
        endpoint.config.verify
      ),
      harbor,
      replication: { read: replication, control: replication },
      metadata: new HarborMetadataClient(options),
    };
  },
};

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

import type {
  Accessory,
  HarborArtifact,
  PolicyFilter,
  ReplicationPolicy,
} from '../../../lambdas/core/model';

/** A sha256 digest built from a short readable seed (`d('a')`). */
export function d(seed: string): string {
  return `sha256:${seed.padEnd(64, '0')}`;
}

/** An image artifact; tags get push times only when given as [name, time]. */
export function art(
  repository: string,
  seed: string,
  tags: (string | [string, string])[] = [],
  extra: Partial<HarborArtifact> = {}
): HarborArtifact {
  return {
    repository,
    digest: d(seed),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    type: 'IMAGE',
    pushTime: '2026-11-01T00:00:00Z',
    tags: tags.map((t) =>
      typeof t === 'string' ? { name: t } : { name: t[0], pushTime: t[1] }
    ),
    labels: [],
    childDigests: [],
    accessories: [],
    ...extra,
  };
}

export function acc(
  seed: string,
  subjectSeed: string,
  extra: Partial<Accessory> = {}
): Accessory {
  return {
    digest: d(seed),
    type: 'signature.cosign',
    subjectDigest: d(subjectSeed),
    ...extra,
  };
}

export function nameFilter(value: string): PolicyFilter {
  return { type: 'name', value, decoration: 'matches' };
}

export function tagFilter(
  value: string,
  decoration: PolicyFilter['decoration'] = 'matches'
): PolicyFilter {
  return { type: 'tag', value, decoration };
}

export function labelFilter(
  value: string[],
  decoration: PolicyFilter['decoration'] = 'matches'
): PolicyFilter {
  return { type: 'label', value, decoration };
}

/** A push-mode policy to a registry of the given type. */
export function policy(
  overrides: Partial<ReplicationPolicy> & { destType?: string } = {}
): ReplicationPolicy {
  const { destType = 'harbor', ...rest } = overrides;
  return {
    id: 1,
    name: 'p1',
    enabled: true,
    srcRegistry: null,
    destRegistry: {
      id: 7,
      name: 'dr',
      type: destType,
      url: 'https://dr.example.com',
      insecure: false,
    },
    destNamespace: '',
    destNamespaceReplaceCount: -1,
    trigger: { type: 'event_based' },
    filters: [],
    override: true,
    deletion: false,
    singleActiveReplication: false,
    ...rest,
  };
}

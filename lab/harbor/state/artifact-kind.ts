import type { AccessoryType } from './types';

const CONFIG_TYPES: Record<string, string> = {
  'application/vnd.oci.image.config.v1+json': 'IMAGE',
  'application/vnd.docker.container.image.v1+json': 'IMAGE',
  'application/vnd.cncf.helm.config.v1+json': 'CHART',
  'application/vnd.cnab.config.v1+json': 'CNAB',
  'application/vnd.wasm.config.v1+json': 'WASM',
  'application/vnd.goharbor.harbor.sbom.v1': 'SBOM',
};

/** Harbor's artifact `type`: known config types, else the upper-cased `<TYPE>` of a custom one. */
export function artifactTypeOf(
  isIndex: boolean,
  configMediaType: string | undefined
): string {
  if (isIndex) return 'IMAGE';
  if (configMediaType === undefined) return 'UNKNOWN';
  const known = CONFIG_TYPES[configMediaType];
  if (known !== undefined) return known;
  const m = /^application\/vnd\.[^.]+\.([^.]+)\.config\.[^.+]+\+json$/.exec(
    configMediaType
  );
  return m?.[1] !== undefined ? m[1].toUpperCase() : 'UNKNOWN';
}

/** The accessory type Harbor assigns to an OCI 1.1 referrer, from its artifactType/config type. */
export function accessoryTypeOf(
  artifactType: string | undefined
): AccessoryType {
  if (artifactType === undefined) return 'subject.accessory';
  if (artifactType.includes('cosign')) return 'signature.cosign';
  if (artifactType.startsWith('application/vnd.cncf.notary'))
    return 'signature.notation';
  if (artifactType.includes('harbor.sbom') || artifactType.includes('sbom'))
    return 'sbom.harbor';
  return 'subject.accessory';
}

const COSIGN_TAG_RE = /^sha256-([a-f0-9]{64})\.sig$/;

/** The subject digest named by a cosign legacy signature tag `sha256-<hex>.sig`, if it is one. */
export function cosignTagSubject(tag: string | undefined): string | undefined {
  const m = tag === undefined ? null : COSIGN_TAG_RE.exec(tag);
  return m?.[1] === undefined ? undefined : `sha256:${m[1]}`;
}

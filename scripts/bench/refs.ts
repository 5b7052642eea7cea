/** One registry ref of the data set and the digest it must have. */
export interface ExpectedTag {
  repository: string;
  tag: string;
  digest: string;
}

/**
 * The Accept list of a manifest HEAD: all four manifest types, else the registry answers 404
 * for OCI content or converts Docker content (shared/docs/local-components.md §1.4).
 */
export const FULL_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** Tab-separated `repository tag digest` lines, the format the skopeo script reads too. */
export function formatRefs(refs: readonly ExpectedTag[]): string {
  return refs.map((r) => `${r.repository}\t${r.tag}\t${r.digest}\n`).join('');
}

/** Parses {@link formatRefs} output. */
export function readRefs(text: string): ExpectedTag[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [repository = '', tag = '', digest = ''] = line.split('\t');
      if (!repository || !tag || !digest.startsWith('sha256:'))
        throw new Error(`bad refs line: ${line}`);
      return { repository, tag, digest };
    });
}

/** The REF of `harbor-dr explain`: `project/repo:tag` or `project/repo@sha256:…` on the primary. */
import { digestSchema } from '../report/schema';
import { RefError } from '../errors';
import type { ExplainRef } from './schema';

export { RefError };

/**
 * Parses a ref as the user typed it.
 * @throws RefError naming what is wrong (no project, no tag or digest, a bad digest)
 */
export function parseRef(input: string): ExplainRef {
  const problem = (why: string): never => {
    throw new RefError(
      `REF ${JSON.stringify(input)}: ${why} (expected project/repository:tag or project/repository@sha256:…)`
    );
  };
  const text = input.trim();
  const at = text.indexOf('@');
  let repository: string;
  let reference: string;
  let byDigest: boolean;
  if (at !== -1) {
    repository = text.slice(0, at);
    reference = text.slice(at + 1);
    byDigest = true;
    if (!digestSchema.safeParse(reference).success)
      problem(`${JSON.stringify(reference)} is not a digest`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1 || colon < text.lastIndexOf('/'))
      return problem('it names no tag or digest');
    repository = text.slice(0, colon);
    reference = text.slice(colon + 1);
    byDigest = false;
    if (!/^[\w][\w.-]{0,127}$/.test(reference))
      problem(`${JSON.stringify(reference)} is not a tag`);
  }
  if (!repository.includes('/') || repository.startsWith('/'))
    problem('the repository must include its project (project/repository)');
  if (repository.endsWith('/') || repository.includes('//'))
    problem(`${JSON.stringify(repository)} is not a repository name`);
  return { input, repository, reference, byDigest };
}

/** The ref as typed back: `repo:tag` or `repo@digest`. */
export function refText(
  ref: Pick<ExplainRef, 'repository' | 'reference' | 'byDigest'>
): string {
  return `${ref.repository}${ref.byDigest ? '@' : ':'}${ref.reference}`;
}

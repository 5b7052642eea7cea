/**
 * What a deletion-replicating policy can delete on its target (harbor-semantics §5.6): the
 * diff never calls `orphaned` what Harbor cannot have deleted.
 */

/** Registry adapters that implement tag deletion (`DeleteTag`). */
const TAG_DELETING_TYPES: ReadonlySet<string> = new Set([
  'harbor',
  'aws-ecr',
  'azure-acr',
  'google-gcr',
  'volcengine-cr',
]);

/** Whether Harbor's adapter for `registryType` can delete a tag (docker-registry cannot). */
export function canDeleteTags(registryType: string): boolean {
  return TAG_DELETING_TYPES.has(registryType);
}

/**
 * Why a ref that the primary lost is not Harbor's to delete, or null when it is:
 * - an untagged ref: garbage collection removes untagged artifacts without a deletion event,
 *   so the copy stays on the target by design;
 * - a tag whose artifact the primary still holds (a tag deletion) on a target whose adapter
 *   cannot delete tags: Harbor's tag-deletion task fails and the tag stays.
 */
export function notHarborsToDelete(input: {
  byDigest: boolean;
  policy: string;
  registryType: string;
  /** Whether the primary still holds the observed digest in a source repository. */
  digestOnPrimary: boolean;
}): string | null {
  if (input.byDigest) {
    return `untagged and gone from the primary: garbage collection removes untagged artifacts without a deletion event, so Harbor leaves the copy on the target (not a failure of policy ${input.policy})`;
  }
  if (input.digestOnPrimary && !canDeleteTags(input.registryType)) {
    return `tag deleted on the primary: the ${input.registryType} adapter cannot delete tags, so Harbor's tag deletion fails and the tag stays on the target (not a failure of policy ${input.policy} to replicate it)`;
  }
  return null;
}

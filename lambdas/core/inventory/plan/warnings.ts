/** What the auditor cannot fix in a policy but the user must know (PlanWarning). */
import type { ReplicationPolicy } from '../../model';
import type { PlanWarning, PlanWarningCode } from './types';

/** Registry adapters that implement tag deletion (`DeleteTag`). */
const TAG_DELETING_TYPES = new Set([
  'harbor',
  'aws-ecr',
  'azure-acr',
  'google-gcr',
  'volcengine-cr',
]);

/** The warnings of one push-mode policy bound to `target`. */
export function warningsFor(
  policy: ReplicationPolicy,
  target: string,
  registryType: string
): PlanWarning[] {
  const out: PlanWarning[] = [];
  const w = (code: PlanWarningCode, message: string) => {
    out.push({ code, target, policy: policy.name, message });
  };
  if (!policy.enabled) {
    w(
      'disabled-policy',
      'the policy is disabled: Harbor replicates nothing for it until it is enabled; its refs are still expected because the configuration lists it'
    );
  }
  const labels = policy.filters.some(
    (f) => f.type === 'label' && Array.isArray(f.value) && f.value.length > 0
  );
  if (policy.trigger.type === 'event_based' && labels) {
    w(
      'event-label-filter',
      'event-based rule with a label filter: a push event carries the labels present at push time, so labels added later never trigger replication (goharbor/harbor#11565)'
    );
  }
  if (policy.deletion && !TAG_DELETING_TYPES.has(registryType)) {
    w(
      'deletion-unsupported',
      `deletion is on but the ${registryType} adapter cannot delete tags: tag deletions fail ("the tag deletion isn't supported"), artifact deletions remove the manifest by digest`
    );
  }
  if (policy.deletion && policy.trigger.type !== 'event_based') {
    w(
      'deletion-without-events',
      `deletion is on but the trigger is ${policy.trigger.type}: Harbor replicates deletions only from events, so deleted content stays on the target`
    );
  }
  return out;
}

/**
 * Findings of refs whose policy cannot run (a filter or flattening error fails Harbor's
 * execution, plan/policy-errors.ts): they never arrive through that policy, so they are
 * missing ("policy cannot run: ..."), counted in counts, exposure and coverage.
 */
import type { ExpectedRef } from '../model';
import type { Finding } from '../report/schema';
import { expectedEvidence } from './evidence';
import { compareText } from './order';
import { cannotRunDetail } from './plan/policy-errors';

/**
 * The finding of an expected ref, given what the diff found as if its policy ran: unchanged
 * for a runnable policy; otherwise missing, unless the target holds it anyway (an earlier
 * copy: synced, naming the reason) or it could not be seen (unknown, naming the reason).
 */
export function cannotRunFinding(ref: ExpectedRef, finding: Finding): Finding {
  if (ref.cannotRun === undefined) return finding;
  const why = cannotRunDetail(ref.cannotRun);
  const cannotRun = ref.cannotRun;
  if (finding.state === 'unknown') {
    return {
      ...finding,
      detail: `${finding.detail ?? 'unknown'}; ${why}`,
      cannotRun,
    };
  }
  if (finding.state === 'synced') {
    return {
      ...finding,
      detail: `on the target (an earlier copy), but ${why}`,
      cannotRun,
    };
  }
  return {
    state: 'missing',
    ...expectedEvidence(ref),
    cannotRun,
    ...(finding.observedDigest === undefined
      ? {}
      : { observedDigest: finding.observedDigest }),
    detail: why,
  };
}

/**
 * Findings of refs of a policy that cannot run whose source repository has no destination
 * (the plan's `unplaceable`): never observed; missing, or unknown when the source was not
 * fully listed.
 */
export function unplaceableFindings(refs: readonly ExpectedRef[]): Finding[] {
  return refs
    .map((ref): Finding => {
      const cannotRun = ref.cannotRun ?? 'no destination';
      const why = cannotRunDetail(cannotRun);
      return ref.unknownReason === undefined
        ? { state: 'missing', ...expectedEvidence(ref), detail: why, cannotRun }
        : {
            state: 'unknown',
            ...expectedEvidence(ref),
            detail: `source not fully listed: ${ref.unknownReason}; ${why}`,
            cannotRun,
          };
    })
    .sort(
      (a, b) =>
        compareText(a.repository, b.repository) ||
        compareText(a.reference, b.reference)
    );
}

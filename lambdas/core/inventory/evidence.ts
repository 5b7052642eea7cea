/** The evidence a finding carries: the expected side (the plan's ref) and the observed side. */
import type { ExpectedRef, ObservedRef } from '../model';
import type { Finding } from '../report/schema';

/** The expected side of a finding: source ref and digest, destination, policy. */
export function expectedEvidence(ref: ExpectedRef): Omit<Finding, 'state'> {
  return {
    target: ref.target,
    repository: ref.repository,
    reference: ref.reference,
    expectedDigest: ref.digest,
    source: ref.source,
    policy: ref.policy,
  };
}

/** The observed side of a finding. */
export function observedEvidence(o: ObservedRef): Partial<Finding> {
  return {
    observedDigest: o.digest,
    ...(o.pushTime === undefined ? {} : { observedPushTime: o.pushTime }),
  };
}

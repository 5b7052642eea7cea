import { canonicalUrl } from '../harbor/urls';
import type { ReplicationPolicy } from '../model';

/** A configured target, as discovery needs it. */
export interface DiscoveryTarget {
  name: string;
  url: string;
}

/** One policy that promises replicas on one target. */
export interface PolicyAssignment {
  policy: ReplicationPolicy;
  target: string;
  /** push: a rule on the primary; pull: a rule on a Harbor target whose source is the primary. */
  mode: 'push' | 'pull';
  /** Harbor's adapter type of the destination (`harbor`, `docker-registry`, ...). */
  destinationType: string;
}

/** Which policies are audited, and why others are not. */
export interface PolicySelection {
  assignments: PolicyAssignment[];
  warnings: string[];
  /** Problems that leave part of the expected set unknown (a named policy that is absent...). */
  errors: string[];
}

/**
 * Chooses the policies to audit (harbor-semantics §5.8): with `auto`, every enabled push
 * policy of the primary whose destination endpoint is a configured target, plus every enabled
 * pull policy on a Harbor target whose source endpoint is the primary; with a list, exactly
 * the policies of those names (disabled ones included, with a warning: the operator expects
 * their replicas).
 */
export function selectPolicies(input: {
  primaryUrl: string;
  targets: readonly DiscoveryTarget[];
  selector: 'auto' | readonly string[];
  primaryPolicies: readonly ReplicationPolicy[];
  /** Policies of each Harbor target (for pull mode), by target name. */
  targetPolicies: ReadonlyMap<string, readonly ReplicationPolicy[]>;
}): PolicySelection {
  const byUrl = new Map(input.targets.map((t) => [canonicalUrl(t.url), t]));
  const primaryUrl = canonicalUrl(input.primaryUrl);
  const candidates: PolicyAssignment[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];

  for (const policy of input.primaryPolicies) {
    if (policy.srcRegistry !== null || policy.destRegistry === null) continue;
    const target = byUrl.get(canonicalUrl(policy.destRegistry.url));
    if (!target) continue;
    candidates.push({
      policy,
      target: target.name,
      mode: 'push',
      destinationType: policy.destRegistry.type,
    });
  }
  for (const [targetName, policies] of input.targetPolicies) {
    for (const policy of policies) {
      if (policy.destRegistry !== null || policy.srcRegistry === null) continue;
      if (canonicalUrl(policy.srcRegistry.url) !== primaryUrl) continue;
      candidates.push({
        policy,
        target: targetName,
        mode: 'pull',
        destinationType: 'harbor',
      });
    }
  }

  if (input.selector === 'auto') {
    for (const c of candidates) {
      if (c.policy.enabled) continue;
      warnings.push(
        `policy "${c.policy.name}" (${c.mode} to ${c.target}) is disabled: not audited`
      );
    }
    return {
      assignments: candidates.filter((c) => c.policy.enabled),
      warnings,
      errors,
    };
  }

  const assignments: PolicyAssignment[] = [];
  for (const name of input.selector) {
    const matches = candidates.filter((c) => c.policy.name === name);
    if (matches.length === 0) {
      const exists = input.primaryPolicies.some((p) => p.name === name);
      errors.push(
        exists
          ? `policy "${name}" does not replicate to any configured target`
          : `policy "${name}" was not found on the primary or on a Harbor target`
      );
      continue;
    }
    for (const m of matches) {
      if (!m.policy.enabled) {
        warnings.push(
          `policy "${name}" is disabled: its replicas on ${m.target} are not being maintained`
        );
      }
      assignments.push(m);
    }
  }
  return { assignments, warnings, errors };
}

/** A pull policy on a Harbor target behaves as a push from the primary to that target. */
export function asPushEquivalent(
  assignment: PolicyAssignment,
  targetUrl: string
): ReplicationPolicy {
  if (assignment.mode === 'push') return assignment.policy;
  return {
    ...assignment.policy,
    srcRegistry: null,
    destRegistry: {
      id: -1,
      name: assignment.target,
      type: 'harbor',
      url: targetUrl,
      insecure: false,
    },
  };
}

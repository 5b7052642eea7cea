/** What starting a policy again would do for the ref on one target, and whether the audit would. */
import { ruleOf } from '../findings';
import { decideRetriggers, retriggerKey } from '../replication/retrigger';
import type { Finding } from '../report/schema';
import type { ExplainFacts, PolicyRuns } from './explain';
import type {
  DestinationExplanation,
  PolicyDecision,
  RetriggerAnswer,
} from './schema';

/** What starting the policy would do for the ref on this target, and whether the audit would. */
export function retriggerAnswer(
  facts: ExplainFacts,
  p: PolicyDecision,
  destinations: readonly DestinationExplanation[],
  runs: readonly PolicyRuns[]
): RetriggerAnswer {
  const base = {
    policyName: p.policy.name,
    policyId: p.policy.id,
    mode: p.policy.mode,
  };
  const no = (reason: string): RetriggerAnswer => ({
    ...base,
    wouldStart: false,
    reason,
  });
  if (!p.matched) return no(`it would not cover the ref: ${p.reason}`);
  if (!p.policy.enabled)
    return no('the policy is disabled: Harbor refuses a start (412)');
  if (p.cannotRun !== undefined)
    return no(
      `Harbor cannot run the policy (${p.cannotRun}): a start fails again`
    );
  const dst = p.destination;
  const here = dst
    ? destinations.find(
        (d) => d.repository === dst.repository && d.reference === dst.reference
      )
    : undefined;
  const finding = here?.findings[0];
  if (finding === undefined)
    return no(
      'the ref was not observed on the target: nothing is known to copy'
    );
  const rule = ruleOf(finding.state);
  const copies =
    rule.retrigger === 'copies' ||
    (rule.retrigger === 'copies-if-override' && p.policy.override);
  if (!copies) return no(whyNot(finding, p));
  const run = runs.find((r) => r.policyId === p.policy.id);
  const [decision] = decideRetriggers(
    [
      {
        key: retriggerKey(p.target ?? '', p.policy.mode, p.policy.id),
        target: p.target ?? '',
        mode: p.policy.mode,
        policyId: p.policy.id,
        policyName: p.policy.name,
        enabled: p.policy.enabled,
        missing: ruleOf(finding.state).retrigger === 'copies' ? 1 : 0,
        mismatched: ruleOf(finding.state).retrigger === 'copies' ? 0 : 1,
        inProgress: (run?.inProgress ?? 0) > 0,
        executionsKnown: run !== undefined && run.error === undefined,
        harborManualStarts: (run?.executions ?? [])
          .filter((e) => e.trigger === 'manual' && e.startTime !== undefined)
          .map((e) => Date.parse(e.startTime ?? '')),
      },
    ],
    [],
    { ...facts.retrigger, enabled: true },
    facts.now
  );
  const what =
    finding.state === 'digest-mismatch'
      ? `a start of ${p.policy.name} overwrites the tag (override is on)`
      : `a start of ${p.policy.name} copies the ref (${finding.state})`;
  const audit =
    decision?.action === 'skip'
      ? `; the audit's act step would not start it now: ${decision.reason}`
      : facts.retrigger.enabled
        ? `; the next audit starts it (retrigger.enabled${facts.retrigger.dryRun ? ', but dryRun is on' : ''})`
        : '; retrigger.enabled is off: `harbor-dr audit --retrigger` would start it';
  return {
    ...base,
    wouldStart: decision?.action !== 'skip',
    reason: `${what}${audit}`,
  };
}

function whyNot(finding: Finding, p: PolicyDecision): string {
  switch (finding.state) {
    case 'synced':
      return 'nothing to copy: the target holds the ref with the expected digest';
    case 'digest-mismatch':
      return 'override is off: Harbor skips a tag that exists with another digest, a start would not change it';
    case 'index-children-missing':
      return 'Harbor does not copy index children again under an index that exists';
    case 'collision':
      return 'several sources put different digests here: a start copies them in turn';
    case 'unknown':
      return `the target's state is unknown (${finding.detail ?? 'not seen'}): nothing is known to copy`;
    case 'orphaned':
    case 'unexpected':
      return `a start copies, it never deletes: ${finding.state} stays (${p.policy.deletion ? 'deletions replicate on delete events only' : 'the policy does not replicate deletions'})`;
    default:
      return `a start does not change a ${finding.state} ref`;
  }
}

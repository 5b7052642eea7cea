/**
 * Every policy's decision for one primary ref: each filter step, the destination after
 * namespace replacement and flattening, and whether Harbor can run the policy. The matching is
 * the plan's own (core/harbor/filters, core/inventory/plan): nothing here re-implements it.
 */
import { pathTypeOf, replaceNamespace } from '../harbor/flatten';
import { asPushEquivalent, type PolicyAssignment } from '../inventory/discover';
import { planExpected } from '../inventory/plan';
import { projectOf } from '../inventory/plan/shards';
import type {
  PlanResult,
  PlanTarget,
  TargetPlan,
} from '../inventory/plan/types';
import type {
  ExpectedRef,
  HarborArtifact,
  ProjectInventory,
  ReplicationPolicy,
} from '../model';
import type { Matching } from '../report/schema';
import { refText } from './ref';
import { artifactOf, filterSteps } from './filter-steps';
import type { ExplainRef, PolicyDecision } from './schema';

export { artifactOf } from './filter-steps';

/** What the primary holds in the ref's repository, or why that could not be read. */
export type SourceRepository =
  { artifacts: HarborArtifact[] } | { error: string };

/** One policy as discovery bound it, and whether the audit audits it. */
export interface BoundPolicy {
  assignment: PolicyAssignment;
  inScope: boolean;
}

/** What the decisions are computed from (all read by the use case). */
export interface DecideInput {
  ref: ExplainRef;
  source: SourceRepository;
  matching: Matching;
  bindings: readonly BoundPolicy[];
  /** Push policies of the primary whose destination is no configured target. */
  unbound: readonly ReplicationPolicy[];
  targets: readonly PlanTarget[];
  /** Each configured target's URL (to say where an unbound policy goes instead). */
  targetUrls: ReadonlyMap<string, string>;
}

/** The decisions, and the audit's plan for the ref's repository (in-scope policies only). */
export interface Decided {
  decisions: PolicyDecision[];
  /** What the audit expects from the ref's repository, per target. */
  plan: PlanResult;
  /** The expected refs of the ref itself, per target. */
  expected: Map<string, ExpectedRef[]>;
}

/** The inventory the plan reads: the ref's repository only. */
function inventoryOf(
  ref: ExplainRef,
  source: SourceRepository
): ProjectInventory[] {
  const project = projectOf(ref.repository);
  if ('error' in source) {
    return [
      {
        project,
        complete: false,
        artifacts: [],
        error: { scope: `primary/${ref.repository}`, message: source.error },
      },
    ];
  }
  return [{ project, complete: true, artifacts: source.artifacts }];
}

/** Whether an expected ref of the plan is the ref asked about. */
function isRefOf(ref: ExplainRef, r: ExpectedRef): boolean {
  if (r.source.repository !== ref.repository) return false;
  if (ref.byDigest)
    return r.digest === ref.reference || r.childDigests.includes(ref.reference);
  return !r.byDigest && r.source.reference === ref.reference;
}

/**
 * Decides every policy for the ref and plans the audit's view of its repository.
 *
 * Primary course:
 * 1. per bound policy: the filter steps (each name filter on the repository, the tag and label
 *    filters cumulatively on its artifacts), then the plan of that policy alone on the
 *    repository: the destination and whether Harbor can run it;
 * 2. per unbound policy: the filter steps, and that no configured target receives it;
 * 3. the plan of every in-scope policy together: what the audit expects of the ref per target.
 */
export function decidePolicies(input: DecideInput): Decided {
  const inventories = inventoryOf(input.ref, input.source);
  const targets = new Map(input.targets.map((t) => [t.name, t]));
  const decisions: PolicyDecision[] = [];
  for (const b of input.bindings) {
    const target = targets.get(b.assignment.target);
    if (target === undefined) continue;
    const policy = asPushEquivalent(
      b.assignment,
      input.targetUrls.get(target.name) ?? ''
    );
    const plan = planExpected({
      bindings: [{ policy, target: target.name }],
      targets: [target],
      inventories,
      matching: input.matching,
    }).targets[0];
    decisions.push(
      decisionOf(input, b.assignment.policy, b.assignment.mode, {
        target,
        plan,
        policy,
        inScope: b.inScope,
      })
    );
  }
  for (const policy of input.unbound) {
    decisions.push(decisionOf(input, policy, 'push', undefined));
  }

  const inScope = input.bindings
    .filter((b) => b.inScope && targets.has(b.assignment.target))
    .map((b) => ({
      policy: asPushEquivalent(
        b.assignment,
        input.targetUrls.get(b.assignment.target) ?? ''
      ),
      target: b.assignment.target,
    }));
  const plan = planExpected({
    bindings: inScope,
    targets: input.targets,
    inventories,
    matching: input.matching,
  });
  const expected = new Map<string, ExpectedRef[]>();
  for (const t of plan.targets) {
    expected.set(
      t.target,
      [...t.expected, ...t.unplaceable].filter((r) => isRefOf(input.ref, r))
    );
  }
  return { decisions, plan, expected };
}

function decisionOf(
  input: DecideInput,
  original: ReplicationPolicy,
  mode: 'push' | 'pull',
  bound:
    | {
        target: PlanTarget;
        plan: TargetPlan | undefined;
        policy: ReplicationPolicy;
        inScope: boolean;
      }
    | undefined
): PolicyDecision {
  const policy = bound?.policy ?? original;
  const { doublestar } = input.matching;
  const steps = filterSteps(input, policy);
  const base = {
    policy: {
      id: original.id,
      name: original.name,
      mode,
      enabled: original.enabled,
      trigger: original.trigger.type,
      ...(original.trigger.cron ? { cron: original.trigger.cron } : {}),
      destNamespace: original.destNamespace,
      replaceCount: original.destNamespaceReplaceCount,
      override: original.override,
      deletion: original.deletion,
    },
    doublestar,
    filters: steps,
  };
  const rejected = steps.find((s) => s.outcome === 'rejected');
  const filterError = steps.find((s) => s.outcome === 'error');
  const stepsSay = rejected
    ? `rejected by the ${rejected.type} filter ${JSON.stringify(rejected.value)} (${rejected.decoration}, doublestar ${doublestar}): ${rejected.detail}`
    : undefined;

  if (bound === undefined) {
    const url = original.destRegistry?.url ?? '(no destination)';
    return {
      ...base,
      target: null,
      inScope: false,
      matched: false,
      reason: `replicates to ${url}, which is no configured target: not audited${stepsSay ? `; ${stepsSay}` : ''}`,
      warnings: [],
    };
  }
  const { target, plan } = bound;
  const registryType = policy.destRegistry?.type ?? target.traits.registryType;
  const mine = [...(plan?.expected ?? []), ...(plan?.unplaceable ?? [])].filter(
    (r) => isRefOf(input.ref, r)
  );
  const warnings = (plan?.warnings ?? []).map((w) => w.message);
  const flattening = (plan?.policyErrors ?? []).find(
    (e) =>
      e.kind === 'flattening' &&
      (e.repository === undefined || e.repository === input.ref.repository)
  );
  const first = mine[0];
  const cannotRun =
    first?.cannotRun ?? (filterError ? filterError.detail : undefined);
  const placed =
    first !== undefined && !(plan?.unplaceable ?? []).includes(first);
  let destination: PolicyDecision['destination'];
  let destinationError: string | undefined;
  if (placed) {
    destination = { repository: first.repository, reference: first.reference };
  } else if (flattening) {
    destinationError = flattening.message;
  } else {
    // Not selected (or not on the primary): where its repository would land all the same.
    const dst = replaceNamespace(
      input.ref.repository,
      policy.destNamespace,
      policy.destNamespaceReplaceCount,
      pathTypeOf(registryType)
    );
    if (dst.ok)
      destination = {
        repository: dst.repository,
        reference: input.ref.reference,
      };
    else destinationError = dst.error;
  }

  const matched = mine.length > 0;
  let reason: string;
  if ('error' in input.source) {
    reason = `unknown: the primary's repository could not be read (${input.source.error})`;
  } else if (!matched && filterError) {
    reason = `Harbor cannot run the policy (${filterError.detail}): its executions fail and copy nothing`;
  } else if (!matched && stepsSay) {
    reason = stepsSay;
  } else if (!matched && !artifactOf(input.ref, input.source.artifacts)) {
    reason = `the primary does not hold ${refText(input.ref)}${steps.some((s) => s.type === 'name' && s.outcome === 'rejected') ? '' : `; its repository is in the policy's reach (a copy on ${target.name} would be at ${destination ? `${destination.repository}:${destination.reference}` : 'no valid destination'})`}`;
  } else if (!matched) {
    const proxy = (plan?.warnings ?? []).find(
      (w) => w.code === 'proxy-cache-destination'
    );
    reason = proxy
      ? proxy.message
      : 'not selected by the policy (no filter rejected it: see the warnings)';
  } else if (cannotRun !== undefined) {
    reason = `selected, but Harbor cannot run the policy: ${cannotRun}`;
  } else if (!original.enabled) {
    reason = `selected, but the policy is disabled: Harbor runs none of its executions, so ${target.name} is not maintained`;
  } else {
    reason = `selected: ${triggerText(original)} to ${target.name}`;
  }
  return {
    ...base,
    target: target.name,
    inScope: bound.inScope,
    matched,
    reason,
    ...(destination ? { destination } : {}),
    ...(destinationError !== undefined ? { destinationError } : {}),
    ...(cannotRun !== undefined ? { cannotRun } : {}),
    warnings,
  };
}

/** How the policy's executions start, in words. */
function triggerText(policy: ReplicationPolicy): string {
  switch (policy.trigger.type) {
    case 'manual':
      return 'replicated when someone starts the policy (manual trigger)';
    case 'scheduled':
      return `replicated on the schedule ${policy.trigger.cron ?? '(no cron)'}`;
    case 'event_based':
      return 'replicated on each push (event-based trigger)';
  }
}

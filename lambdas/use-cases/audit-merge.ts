/**
 * The merge step of an audit, callable on its own: the shards' partial results and the plan
 * become the report (counts, RPO exposure, delays, verdicts, replication health and the act
 * step), whether the shards ran in this process or each in its own Lambda. A shard without a
 * result is UNKNOWN for its scope, with the reason: never dropped, never green.
 */
import { countFindings } from '../core/inventory/counts';
import { diffContextFor } from '../core/inventory/diff';
import { unplaceableFindings } from '../core/inventory/cannot-run';
import type { TargetPlan } from '../core/inventory/plan/types';
import type { ExpectedRef } from '../core/model';
import { REPORT_SCHEMA_VERSION } from '../core/report/schema';
import type {
  Finding,
  PolicyReport,
  Report,
  ScopeError,
  ShardStatus,
  TargetReport,
} from '../core/report/schema';
import {
  delayDistribution,
  estimateExposure,
  exposureFields,
  unseenScopesOf,
} from '../core/inventory/rpo';
import { firstSeenDelays, previousObservation } from '../core/inventory/trend';
import { auditVerdict, worstVerdict } from '../core/readiness/verdict';
import type { AuditDeps, AuditInput, AuditPlan, AuditTarget } from './audit';
import { expectedByShard, failedShard, isFailure } from './audit-shards';
import type { ShardOutcome, ShardPartial } from './audit-shards';
import { tell } from './progress';
import { assessReplication } from './replication';

/** Why a shard with no partial result is UNKNOWN. */
/** Why a configured target the plan did not include was not audited. */
export const NOT_PLANNED =
  "not in this run's plan (the configuration changed between the plan and the merge?): nothing was audited";
export const NO_PARTIAL =
  'no partial result: the shard never ran, or its result could not be read';
/** How the reason of a shard whose function failed after its retries starts. */
export const SHARD_FAILED = 'the shard failed after its retries';

/**
 * Assembles the report of an audit from its plan and its shards' outcomes.
 *
 * Primary course:
 * 1. per target: the plan's scope errors, each shard's partial (a missing or failed one:
 *    every expected ref of it unknown, with the reason), the refs that cannot be placed;
 * 2. counts, exposure, delays and the verdict of each target;
 * 3. replication health and the act step (re-trigger), once every target's findings are known;
 * 4. the report, with the run id and start time of the plan.
 */
export async function mergeAudit(
  deps: AuditDeps,
  input: AuditInput,
  plan: AuditPlan,
  outcomes: ReadonlyMap<string, ShardOutcome>
): Promise<Report> {
  const targets = deps.targets.map((target) =>
    assessTarget(deps, input, plan, target, outcomes)
  );
  if (deps.replication && input.replication) {
    await assessReplication(
      {
        deps: deps.replication,
        settings: input.replication,
        clock: deps.clock,
        deadline: input.deadline,
        ...(input.signal ? { signal: input.signal } : {}),
        concurrency: input.concurrency,
        assignments: plan.planned.assignments,
        plan: plan.planned.plan,
        targets: deps.targets,
      },
      targets
    );
  }
  const { planned } = plan;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: plan.runId,
    kind: 'audit',
    startedAt: plan.startedAt,
    finishedAt: deps.clock.now().toISOString(),
    tool: { name: 'harbor-dr-auditor', version: input.toolVersion },
    primary: { name: input.primary.name, url: input.primary.url },
    verdict: worstVerdict(targets.map((t) => t.verdict)),
    policies: policyReports(planned),
    targets,
    errors: [...planned.errors, ...unconfiguredTargets(plan, deps.targets)],
    ...(planned.plan.matching ? { matching: planned.plan.matching } : {}),
  };
}

/** A target of the plan that the merge's config no longer has: its refs were not reported. */
function unconfiguredTargets(
  plan: AuditPlan,
  targets: readonly AuditTarget[]
): ScopeError[] {
  return plan.planned.plan.targets
    .filter((p) => !targets.some((t) => t.name === p.target))
    .map((p) => ({
      scope: p.target,
      message: `planned, but not in the configuration the merge read (changed during the run?): its results are not in this report`,
    }));
}

/** The partial of each shard of a target: its own, or UNKNOWN with why there is none. */
function partialsOf(
  plan: AuditPlan,
  targetPlan: TargetPlan,
  outcomes: ReadonlyMap<string, ShardOutcome>
): ShardPartial[] {
  const context = diffContextFor(plan.planned.plan, targetPlan.target);
  const shards = plan.shards.filter((s) => s.target === targetPlan.target);
  // One pass over the target's expected refs, only when some shard has no partial.
  let expected: ReadonlyMap<string, ExpectedRef[]> | undefined;
  return shards.map((shard) => {
    const outcome = outcomes.get(shard.id);
    if (outcome && !isFailure(outcome)) return outcome;
    const reason = outcome ? `${SHARD_FAILED}: ${outcome.failed}` : NO_PARTIAL;
    expected ??= expectedByShard(targetPlan, shards);
    return failedShard(shard, expected.get(shard.id) ?? [], context, reason);
  });
}

/**
 * One status per destination project, as the report has always carried them: the parts of
 * a project split into ranges are audited when all are, else unknown (or not audited) with
 * their reasons.
 */
function projectStatuses(partials: readonly ShardPartial[]): ShardStatus[] {
  const byProject = new Map<string, ShardStatus[]>();
  for (const p of partials) {
    const list = byProject.get(p.status.project);
    if (list) list.push(p.status);
    else byProject.set(p.status.project, [p.status]);
  }
  return [...byProject].map(([project, parts]): ShardStatus => {
    if (parts.length === 1 && parts[0]) return parts[0];
    const unseen = parts.filter((s) => s.status !== 'audited');
    if (unseen.length === 0) return { project, status: 'audited' };
    const reasons = [
      ...new Set(unseen.flatMap((s) => (s.reason ? [s.reason] : []))),
    ];
    return {
      project,
      status: unseen.some((s) => s.status === 'unknown')
        ? 'unknown'
        : 'not-audited',
      ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    };
  });
}

function assessTarget(
  deps: AuditDeps,
  input: AuditInput,
  auditPlan: AuditPlan,
  target: AuditTarget,
  outcomes: ReadonlyMap<string, ShardOutcome>
): TargetReport {
  const { planned } = auditPlan;
  const plan = planned.plan.targets.find((p) => p.target === target.name);
  const errors: ScopeError[] = [];
  // A run-level failure (no policies, no primary) leaves every target unseen.
  for (const e of planned.errors) {
    if (['primary', 'policies', target.name].includes(e.scope)) errors.push(e);
  }
  if (target.unavailable !== undefined) {
    errors.push({ scope: target.name, message: target.unavailable });
  }
  const findings: Finding[] = [];
  let shards: ShardStatus[] = [];
  // The merge's config may not be the plan's (a deploy during a distributed run): a target
  // the plan never saw was not audited, and says so rather than reading as in sync.
  if (!plan && errors.length === 0) {
    errors.push({ scope: target.name, message: NOT_PLANNED });
  }
  if (plan) {
    errors.push(...scopeErrorsOf(plan));
    const partials = partialsOf(auditPlan, plan, outcomes);
    shards = projectStatuses(partials);
    for (const p of partials) {
      // One by one: a spread of a shard's findings overflows the stack past ~100,000.
      for (const f of p.findings) findings.push(f);
    }
    // Refs of a policy that cannot run and that have no destination name: missing.
    for (const f of unplaceableFindings(plan.unplaceable)) findings.push(f);
  }

  const counts = countFindings(findings);
  const now = deps.clock.now();
  const unseenScopes = unseenScopesOf({ errors, shards });
  // Unseen refs or scopes leave the exposure unknown (null), never a false 0.
  const exposure = estimateExposure(findings, now, unseenScopes);
  // Plain registries keep no push times: delays come from first-seen times across runs.
  const firstSeen = target.traits.firstSeenDelays;
  const delays = delayDistribution(
    firstSeen
      ? firstSeenDelays(
          findings,
          previousObservation(input.history, target.name),
          now
        )
      : replicationDelays(findings)
  );
  const objectiveSeconds = input.rpoObjectiveMinutes * 60;
  const verdict = auditVerdict({
    counts,
    unseenScopes,
    // What the seen refs prove: a breach they show is NOT_READY even when others are unseen
    // (which alone makes the verdict UNKNOWN).
    exposureSeconds: exposure.seconds ?? exposure.atLeastSeconds,
    objectiveSeconds,
    policyErrors: plan?.policyErrors.length ?? 0,
  });
  tell(input.onProgress, {
    kind: 'target',
    target: target.name,
    verdict,
    shards,
    errors,
  });
  return {
    name: target.name,
    kind: target.kind,
    url: target.url,
    verdict,
    counts,
    findings: findings.filter((f) => f.state !== 'synced'),
    shards,
    rpo: {
      objectiveSeconds,
      // The estimate, and when it is unknown the bound that decided a NOT_READY above.
      ...exposureFields(exposure),
      p50DelaySeconds: delays.p50,
      p95DelaySeconds: delays.p95,
      maxDelaySeconds: delays.max,
      delayBasis: firstSeen ? 'first-seen' : 'push-time',
    },
    replication: { executions: [], failedTasks: [], retriggered: [] },
    drift: [],
    errors,
  };
}

function scopeErrorsOf(plan: TargetPlan): ScopeError[] {
  return plan.unknownScopes.map((u) => ({
    scope: `${plan.target}/${u.destinationPrefix || '*'}`,
    message: `policy ${u.policy}: ${u.reason}`,
  }));
}

/** Seconds between the source push and the replica's push, for refs that arrived. */
function replicationDelays(findings: readonly Finding[]): number[] {
  const delays: number[] = [];
  for (const f of findings) {
    if (f.state !== 'synced' || !f.observedPushTime || !f.source?.pushTime)
      continue;
    const delay =
      (Date.parse(f.observedPushTime) - Date.parse(f.source.pushTime)) / 1000;
    if (Number.isFinite(delay)) delays.push(Math.max(0, delay));
  }
  return delays;
}

function policyReports(planned: AuditPlan['planned']): PolicyReport[] {
  const byPolicy = new Map<string, PolicyReport>();
  for (const a of planned.assignments) {
    const key = `${a.mode}:${a.target}:${a.policy.id}`;
    const targetPlan = planned.plan.targets.find((t) => t.target === a.target);
    const expected = [
      ...(targetPlan?.expected ?? []),
      ...(targetPlan?.unplaceable ?? []),
    ].filter((r) => r.policy.id === a.policy.id).length;
    byPolicy.set(key, {
      id: a.policy.id,
      name: a.policy.name,
      targets: [a.target],
      expected,
      warnings: (targetPlan?.warnings ?? [])
        .filter((w) => w.policy === a.policy.name)
        .map((w) => w.message),
      errors: (targetPlan?.policyErrors ?? [])
        .filter((e) => e.policy.id === a.policy.id)
        .map((e) =>
          e.repository ? `${e.repository}: ${e.message}` : e.message
        ),
    });
  }
  return [...byPolicy.values()];
}

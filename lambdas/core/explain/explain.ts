/**
 * The Explanation of one primary ref: the policy decisions (decide.ts), then per target what it
 * holds at each destination, the finding the audit's diff gives it, the latest tasks that
 * touched it and what a re-trigger would do. Pure: the use case reads, this module explains.
 */
import { ruleOf } from '../findings';
import { unplaceableFindings } from '../inventory/cannot-run';
import { diffContextFor, diffShard } from '../inventory/diff';
import type { ExpectedRef, UnobservedRepository } from '../model';
import type {
  ObservedRepository,
  ReplicationExecution,
  ReplicationTask,
} from '../ports';
import { decideRetriggers, retriggerKey } from '../replication/retrigger';
import type { RetriggerSettings } from '../replication/retrigger';
import type { Finding, Matching } from '../report/schema';
import { artifactOf } from './decide';
import type { Decided, SourceRepository } from './decide';
import type {
  DestinationExplanation,
  ExplainRef,
  Explanation,
  Holding,
  PolicyDecision,
  RetriggerAnswer,
  TargetExplanation,
  TaskEvidence,
} from './schema';
import { logLinesFor } from './tasks';

/** A destination to observe on a target: where in-scope policies put (or would put) the ref. */
export interface DestinationToObserve {
  target: string;
  repository: string;
  reference: string;
  /** The audit's expected ref there (absent when nothing in scope selects the ref). */
  expected?: ExpectedRef;
  /** No destination name (a flattening error): never observed. */
  unplaceable: boolean;
  policies: string[];
}

/**
 * Where to look on each target: every destination of an in-scope policy of that target, the
 * ones that select the ref and the ones that would put it there if they did (a copy there is
 * then unexpected or orphaned).
 */
export function destinationsToObserve(
  decided: Decided
): DestinationToObserve[] {
  const out: DestinationToObserve[] = [];
  const add = (d: DestinationToObserve): void => {
    const same = out.find(
      (x) =>
        x.target === d.target &&
        x.repository === d.repository &&
        x.reference === d.reference
    );
    if (same) {
      for (const p of d.policies)
        if (!same.policies.includes(p)) same.policies.push(p);
      if (!same.expected && d.expected) same.expected = d.expected;
      return;
    }
    out.push(d);
  };
  for (const [target, refs] of decided.expected) {
    const unplaceable = new Set(
      decided.plan.targets.find((t) => t.target === target)?.unplaceable ?? []
    );
    for (const r of refs) {
      add({
        target,
        repository: r.repository,
        reference: r.reference,
        expected: r,
        unplaceable: unplaceable.has(r),
        policies: [r.policy.name],
      });
    }
  }
  for (const d of decided.decisions) {
    if (!d.inScope || d.target === null || !d.destination) continue;
    if (d.matched) continue;
    add({
      target: d.target,
      repository: d.destination.repository,
      reference: d.destination.reference,
      unplaceable: false,
      policies: [],
    });
  }
  return out;
}

/** A policy's executions as read for the ref (newest first), or why they could not be. */
export interface PolicyRuns {
  target: string;
  policyId: number;
  mode: 'push' | 'pull';
  executions?: ReplicationExecution[];
  /** Executions InProgress now. */
  inProgress?: number;
  /** Tasks of those executions that touched the ref's repositories, with their logs. */
  tasks: {
    execution: ReplicationExecution;
    task: ReplicationTask;
    log: string | { error: string };
  }[];
  error?: string;
}

/** Everything an explanation is built from. */
export interface ExplainFacts {
  ref: ExplainRef;
  primary: { name: string; url: string };
  source: SourceRepository;
  matching: Matching;
  decided: Decided;
  targets: readonly { name: string; kind: string; unavailable?: string }[];
  /** What each target holds in each observed destination repository. */
  observed: ReadonlyMap<
    string,
    readonly (ObservedRepository | UnobservedRepository)[]
  >;
  runs: readonly PolicyRuns[];
  /** The config's `retrigger` section. */
  retrigger: RetriggerSettings;
  now: Date;
  /** Run-level problems (the primary's credentials, its policies). */
  notes: string[];
}

/** Builds the explanation (pure). */
export function buildExplanation(facts: ExplainFacts): Explanation {
  const { ref, source } = facts;
  const held =
    'error' in source ? undefined : artifactOf(ref, source.artifacts);
  const primary: Explanation['primary'] = {
    ...facts.primary,
    holds: 'error' in source ? null : held !== undefined,
    ...('error' in source ? { error: source.error } : {}),
    ...(held
      ? {
          digest: ref.byDigest ? ref.reference : held.digest,
          tags: held.tags.map((t) => t.name),
          ...(held.pushTime ? { pushTime: held.pushTime } : {}),
        }
      : {}),
  };
  const destinations = destinationsToObserve(facts.decided);
  const targets = facts.targets.map((t) =>
    explainTarget(
      facts,
      t,
      destinations.filter((d) => d.target === t.name)
    )
  );
  return {
    ref,
    primary,
    matching: {
      doublestar: facts.matching.doublestar,
      note: facts.matching.note,
    },
    policies: facts.decided.decisions,
    targets,
    notes: [
      ...facts.notes,
      "explain reads the ref's repository only: a collision with another source repository flattened onto the same destination shows in the audit, not here",
    ],
  };
}

function explainTarget(
  facts: ExplainFacts,
  target: { name: string; kind: string; unavailable?: string },
  destinations: readonly DestinationToObserve[]
): TargetExplanation {
  const plan = facts.decided.plan;
  const context = diffContextFor(plan, target.name);
  const targetPlan = plan.targets.find((t) => t.target === target.name);
  const observed = facts.observed.get(target.name) ?? [];
  const explained: DestinationExplanation[] = destinations.map((d) => {
    const expectedHere = (targetPlan?.expected ?? []).filter(
      (r) => r.repository === d.repository
    );
    let findings: Finding[];
    let holding: Holding;
    if (d.unplaceable && d.expected) {
      findings = unplaceableFindings([d.expected]);
      holding = {
        observed: false,
        reason:
          'no destination name (the flattening fails): nothing to look at',
      };
    } else {
      const repo = observed.find((o) => o.repository === d.repository);
      const observation = repo
        ? [repo]
        : [
            {
              repository: d.repository,
              reason: target.unavailable ?? 'not observed',
            },
          ];
      findings = diffShard(expectedHere, observation, context).filter(
        (f) => f.repository === d.repository && f.reference === d.reference
      );
      holding = holdingOf(repo, d, target.unavailable);
    }
    return {
      repository: d.repository,
      reference: d.reference,
      ...(d.expected ? { expectedDigest: d.expected.digest } : {}),
      policies: d.policies,
      holding,
      findings,
    };
  });
  const decisions = facts.decided.decisions.filter(
    (p) => p.target === target.name
  );
  const runs = facts.runs.filter((r) => r.target === target.name);
  const covering = decisions.filter((p) => p.inScope && p.matched);
  const notCovered =
    covering.length > 0
      ? undefined
      : decisions.length === 0
        ? 'no policy replicates to this target'
        : `no policy in scope selects the ref: ${decisions.map((p) => `${p.policy.name}: ${p.reason}`).join('; ')}`;
  return {
    name: target.name,
    kind: target.kind,
    ...(notCovered ? { notCovered } : {}),
    destinations: explained,
    tasks: runs.flatMap((r) => tasksOf(facts, r, decisions)),
    taskErrors: runs.flatMap((r) =>
      r.error !== undefined
        ? [
            `${decisions.find((p) => p.policy.id === r.policyId)?.policy.name ?? r.policyId.toString()}: executions could not be read: ${r.error}`,
          ]
        : []
    ),
    retrigger: decisions.map((p) => retriggerAnswer(facts, p, explained, runs)),
  };
}

function holdingOf(
  repo: ObservedRepository | UnobservedRepository | undefined,
  d: DestinationToObserve,
  unavailable: string | undefined
): Holding {
  if (repo === undefined)
    return { observed: false, reason: unavailable ?? 'not observed' };
  if ('reason' in repo) return { observed: false, reason: repo.reason };
  const digest = d.expected?.digest;
  const byDigest = d.expected?.byDigest ?? d.reference.includes(':');
  const tag = byDigest
    ? undefined
    : repo.refs.find((r) => !r.byDigest && r.reference === d.reference);
  const present =
    digest === undefined
      ? undefined
      : repo.refs.some(
          (r) => r.digest === digest || (r.childDigests ?? []).includes(digest)
        );
  const pushTime = (tag ?? repo.refs.find((r) => r.digest === digest))
    ?.pushTime;
  return {
    observed: true,
    repositoryExists: repo.exists,
    ...(byDigest ? {} : { tagDigest: tag?.digest ?? null }),
    ...(present === undefined ? {} : { digestPresent: present }),
    ...(pushTime ? { pushTime } : {}),
  };
}

function tasksOf(
  facts: ExplainFacts,
  runs: PolicyRuns,
  decisions: readonly PolicyDecision[]
): TaskEvidence[] {
  const name =
    decisions.find((p) => p.policy.id === runs.policyId)?.policy.name ??
    runs.policyId.toString();
  // A tag shows in the log as `repo:[tag]` or `repo:tag`; a digest by itself.
  const refNeedles = facts.ref.byDigest
    ? [facts.ref.reference]
    : [
        `:${facts.ref.reference}]`,
        `:[${facts.ref.reference}]`,
        `:${facts.ref.reference}(`,
        `:${facts.ref.reference} `,
      ];
  const repositoryNeedles = [
    facts.ref.repository,
    ...decisions.flatMap((p) =>
      p.destination ? [p.destination.repository] : []
    ),
  ];
  return runs.tasks.map(({ execution, task, log }) => {
    const lines =
      typeof log === 'string'
        ? logLinesFor(log, refNeedles, repositoryNeedles)
        : {
            lines: [`(the log could not be read: ${log.error})`],
            naming: 'none' as const,
          };
    return {
      policyName: name,
      executionId: execution.id,
      executionStatus: execution.status,
      executionTrigger: execution.trigger,
      ...(execution.startTime ? { executionStart: execution.startTime } : {}),
      taskId: task.id,
      status: task.status,
      operation: task.operation,
      srcResource: task.srcResource,
      dstResource: task.dstResource,
      ...(task.startTime ? { startTime: task.startTime } : {}),
      log: lines.lines,
      logNames: lines.naming,
    };
  });
}

/** What starting the policy would do for the ref on this target, and whether the audit would. */
function retriggerAnswer(
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

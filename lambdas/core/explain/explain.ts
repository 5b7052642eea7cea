/**
 * The Explanation of one primary ref: the policy decisions (decide.ts), then per target what it
 * holds at each destination, the finding the audit's diff gives it, the latest tasks that
 * touched it and what a re-trigger would do. Pure: the use case reads, this module explains.
 */
import { unplaceableFindings } from '../inventory/cannot-run';
import { diffContextFor, diffShard } from '../inventory/diff';
import type { ExpectedRef, UnobservedRepository } from '../model';
import type {
  ObservedRepository,
  ReplicationExecution,
  ReplicationTask,
} from '../ports';
import type { RetriggerSettings } from '../replication/retrigger';
import type { Finding, Matching } from '../report/schema';
import { retriggerAnswer } from './retrigger';
import { artifactOf } from './decide';
import type { Decided, SourceRepository } from './decide';
import type {
  DestinationExplanation,
  ExplainRef,
  Explanation,
  Holding,
  PolicyDecision,
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
  const held =
    'error' in facts.source
      ? undefined
      : artifactOf(facts.ref, facts.source.artifacts);
  const tagNeedles = (tag: string) => [
    `:${tag}]`,
    `:[${tag}]`,
    `:${tag}(`,
    `:${tag} `,
  ];
  // A digest ref shows in the log by its digest, or by the tags it is copied under.
  const refNeedles = facts.ref.byDigest
    ? [
        facts.ref.reference,
        ...(held?.tags ?? []).flatMap((t) => tagNeedles(t.name)),
      ]
    : tagNeedles(facts.ref.reference);
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

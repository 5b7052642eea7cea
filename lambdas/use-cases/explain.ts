/**
 * `harbor-dr explain REF`: reads only what one ref needs (the primary's policies, the ref's
 * repository, each target's destination repositories, the policies' latest executions and the
 * tasks that touched the ref) and explains it with core/explain. Never a full audit.
 */
import { errorMessage } from '../core/errors';
import { decidePolicies } from '../core/explain/decide';
import { projectOf } from '../core/inventory/plan/shards';
import type {
  BoundPolicy,
  Decided,
  DecideInput,
  SourceRepository,
} from '../core/explain/decide';
import {
  buildExplanation,
  destinationsToObserve,
} from '../core/explain/explain';
import type { PolicyRuns } from '../core/explain/explain';
import type { ExplainRef, Explanation } from '../core/explain/schema';
import { taskTouches } from '../core/explain/tasks';
import { canonicalUrl } from '../core/harbor/urls';
import { selectPolicies } from '../core/inventory/discover';
import type { PolicyAssignment } from '../core/inventory/discover';
import type { PlanTarget } from '../core/inventory/plan/types';
import type { ReplicationPolicy, UnobservedRepository } from '../core/model';
import type {
  Clock,
  HarborApi,
  ObservedRepository,
  ReplicationEndpoint,
} from '../core/ports';
import type { RetriggerSettings } from '../core/replication/retrigger';
import type { DoublestarSetting } from '../core/inventory/plan/matching';
import { readMatching, type AuditTarget } from './audit';
import { mapWithConcurrency } from './limit';

/** Executions of a policy read for its latest tasks on the ref. */
const EXECUTIONS_READ = 5;
/** Tasks (with their logs) kept per policy. */
const TASKS_KEPT = 3;

/** The ports explain reads. */
export interface ExplainDeps {
  primary: HarborApi;
  targets: readonly AuditTarget[];
  replication: {
    primary: ReplicationEndpoint;
    targets: ReadonlyMap<string, ReplicationEndpoint>;
  };
  clock: Clock;
}

/** What to explain, with the config's settings that decide it. */
export interface ExplainInput {
  ref: ExplainRef;
  primary: { name: string; url: string };
  /** The config's `policies`: which policies the audit audits. */
  policies: 'auto' | readonly string[];
  /** The config's `primary.doublestar`. @default auto */
  doublestar?: DoublestarSetting;
  /** The config's `retrigger` section. */
  retrigger: RetriggerSettings;
  concurrency: number;
  /**
   * URLs of configured targets left out by `--target`: their policies are not listed as
   * reaching no configured target. @default none
   */
  otherTargetUrls?: readonly string[];
}

/**
 * Explains one primary ref on every target.
 *
 * Primary course:
 * 1. the primary's identity and policies, each Harbor target's (pull) policies, the release
 *    that decides the doublestar;
 * 2. bind every policy to its target (disabled ones too) and mark those the audit audits;
 * 3. the ref's repository on the primary (its project, repository list, artifacts);
 * 4. decide every policy (core/explain/decide) and, on Harbor targets, whether a destination
 *    project is a proxy cache (then decide again);
 * 5. observe each target's destination repositories;
 * 6. each bound policy's latest executions and the tasks that touched the ref, with logs;
 * 7. build the explanation (core/explain/explain).
 * Upstream failures never throw: they are UNKNOWN in the answer, with the reason.
 */
export async function explainRef(
  deps: ExplainDeps,
  input: ExplainInput
): Promise<Explanation> {
  const notes: string[] = [];
  const { ref } = input;
  let primaryPolicies: ReplicationPolicy[] = [];
  let source: SourceRepository;
  try {
    const identity = await deps.primary.whoAmI();
    if (identity.kind === 'anonymous')
      throw new Error(
        'the credentials were rejected (Harbor treats them as anonymous)'
      );
    primaryPolicies = await deps.primary.listPolicies();
    source = await readSource(deps.primary, ref.repository);
  } catch (err) {
    const why = `the primary could not be read: ${errorMessage(err)}`;
    notes.push(why);
    source = { error: why };
  }
  const matching = await readMatching(deps.primary, input.doublestar ?? 'auto');

  const targetPolicies = new Map<string, ReplicationPolicy[]>();
  for (const t of deps.targets) {
    if (!t.harbor || t.unavailable !== undefined) continue;
    try {
      targetPolicies.set(t.name, await t.harbor.listPolicies());
    } catch (err) {
      notes.push(
        `${t.name}: its own (pull-mode) policies could not be read: ${errorMessage(err)}`
      );
    }
  }
  const { bindings, unbound } = bind(
    input,
    deps.targets,
    primaryPolicies,
    targetPolicies
  );

  const targetUrls = new Map(deps.targets.map((t) => [t.name, t.url]));
  const planTargets: PlanTarget[] = deps.targets.map((t) => ({
    name: t.name,
    kind: t.kind,
    traits: t.traits,
  }));
  const decideInput: DecideInput = {
    ref,
    source,
    matching,
    bindings,
    unbound,
    targets: planTargets,
    targetUrls,
  };
  let decided = decidePolicies(decideInput);
  const proxy = await proxyCacheProjects(deps.targets, decided, notes);
  if (proxy.size > 0) {
    decided = decidePolicies({
      ...decideInput,
      targets: planTargets.map((t) => ({
        ...t,
        proxyCacheProjects: proxy.get(t.name) ?? [],
      })),
    });
  }

  const observed = await observeDestinations(deps.targets, decided, input);
  const runs = await readRuns(deps, decided, input);
  return buildExplanation({
    ref,
    primary: input.primary,
    source,
    matching,
    decided,
    targets: deps.targets.map((t) => ({
      name: t.name,
      kind: t.kind,
      ...(t.unavailable !== undefined ? { unavailable: t.unavailable } : {}),
    })),
    observed,
    runs,
    retrigger: input.retrigger,
    now: deps.clock.now(),
    notes,
  });
}

/** The ref's repository on the primary: its artifacts, none when it (or its project) is absent. */
async function readSource(
  primary: HarborApi,
  repository: string
): Promise<SourceRepository> {
  const project = await primary.getProject(projectOf(repository));
  if (project === null) return { artifacts: [] };
  const repositories = await primary.listRepositories(project.name);
  if (!repositories.includes(repository)) return { artifacts: [] };
  return { artifacts: await primary.listArtifacts(repository) };
}

/**
 * Every policy bound to its configured target (disabled ones too), each marked whether the
 * audit audits it; and the primary's push policies that reach no configured target.
 */
function bind(
  input: ExplainInput,
  targets: readonly AuditTarget[],
  primaryPolicies: readonly ReplicationPolicy[],
  targetPolicies: ReadonlyMap<string, readonly ReplicationPolicy[]>
): { bindings: BoundPolicy[]; unbound: ReplicationPolicy[] } {
  const names = [
    ...new Set([
      ...primaryPolicies.map((p) => p.name),
      ...[...targetPolicies.values()].flat().map((p) => p.name),
    ]),
  ];
  const discovery = {
    primaryUrl: input.primary.url,
    targets,
    primaryPolicies,
    targetPolicies,
  };
  const all = selectPolicies({ ...discovery, selector: names }).assignments;
  const audited = selectPolicies({
    ...discovery,
    selector: input.policies,
  }).assignments;
  const key = (a: PolicyAssignment) =>
    `${a.mode}|${a.target}|${a.policy.id.toString()}`;
  const inScope = new Set(audited.map(key));
  const others = new Set((input.otherTargetUrls ?? []).map(canonicalUrl));
  const unique = new Map(all.map((a) => [key(a), a]));
  return {
    bindings: [...unique.values()].map((assignment) => ({
      assignment,
      inScope: inScope.has(key(assignment)),
    })),
    unbound: primaryPolicies.filter(
      (p) =>
        p.srcRegistry === null &&
        p.destRegistry !== null &&
        !others.has(canonicalUrl(p.destRegistry.url)) &&
        !all.some((a) => a.mode === 'push' && a.policy.id === p.id)
    ),
  };
}

/** Destination projects on Harbor targets that are proxy caches (Harbor never replicates there). */
async function proxyCacheProjects(
  targets: readonly AuditTarget[],
  decided: Decided,
  notes: string[]
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const t of targets) {
    if (!t.harbor || t.unavailable !== undefined) continue;
    const projects = new Set(
      decided.decisions
        .filter((d) => d.target === t.name && d.destination)
        .map((d) => projectOf(d.destination?.repository ?? ''))
    );
    for (const name of projects) {
      try {
        const p = await t.harbor.getProject(name);
        if (p !== null && p.registryId > 0)
          out.set(t.name, [...(out.get(t.name) ?? []), name]);
      } catch (err) {
        notes.push(
          `${t.name}: whether project ${name} is a proxy cache could not be read: ${errorMessage(err)}`
        );
      }
    }
  }
  return out;
}

async function observeDestinations(
  targets: readonly AuditTarget[],
  decided: Decided,
  input: ExplainInput
): Promise<Map<string, (ObservedRepository | UnobservedRepository)[]>> {
  const destinations = destinationsToObserve(decided).filter(
    (d) => !d.unplaceable
  );
  const out = new Map<string, (ObservedRepository | UnobservedRepository)[]>();
  for (const t of targets) {
    if (t.unavailable !== undefined) continue;
    const repositories = [
      ...new Set(
        destinations.filter((d) => d.target === t.name).map((d) => d.repository)
      ),
    ];
    const plan = decided.plan.targets.find((p) => p.target === t.name);
    out.set(
      t.name,
      await mapWithConcurrency(
        repositories,
        Math.max(1, Math.floor(input.concurrency / 4)),
        async (repository) => {
          const expected = (plan?.expected ?? []).filter(
            (r) => r.repository === repository
          );
          try {
            const [one] = await t.observer.observe([repository], expected);
            return one ?? { repository, exists: false, refs: [] };
          } catch (err) {
            return { repository, reason: errorMessage(err) };
          }
        }
      )
    );
  }
  return out;
}

/** Each bound policy's latest executions and the tasks among them that touched the ref. */
async function readRuns(
  deps: ExplainDeps,
  decided: Decided,
  input: ExplainInput
): Promise<PolicyRuns[]> {
  const bound = decided.decisions.filter((d) => d.target !== null);
  return mapWithConcurrency(
    bound,
    Math.max(1, Math.floor(input.concurrency / 2)),
    async (d): Promise<PolicyRuns> => {
      const target = d.target ?? '';
      const base = {
        target,
        policyId: d.policy.id,
        mode: d.policy.mode,
        tasks: [],
      };
      const endpoint =
        d.policy.mode === 'push'
          ? deps.replication.primary
          : deps.replication.targets.get(target);
      if (!endpoint)
        return { ...base, error: `no Harbor API is configured for ${target}` };
      try {
        const [executions, inProgress] = await Promise.all([
          endpoint.read.listExecutions(d.policy.id, {
            limit: EXECUTIONS_READ,
          }),
          endpoint.read.listExecutions(d.policy.id, { status: 'InProgress' }),
        ]);
        const destinations = d.destination ? [d.destination.repository] : [];
        const tasks: PolicyRuns['tasks'] = [];
        for (const execution of executions) {
          const touching = (await endpoint.read.listTasks(execution.id)).filter(
            (task) => taskTouches(task, input.ref.repository, destinations)
          );
          if (touching.length === 0) continue;
          for (const task of touching.slice(0, TASKS_KEPT)) {
            let log: string | { error: string };
            try {
              log = await endpoint.read.getTaskLog(execution.id, task.id);
            } catch (err) {
              log = { error: errorMessage(err) };
            }
            tasks.push({ execution, task, log });
          }
          break;
        }
        return {
          ...base,
          executions,
          inProgress: inProgress.length,
          tasks,
        };
      } catch (err) {
        return { ...base, error: errorMessage(err) };
      }
    }
  );
}

import type { ExpectedRef } from '../../model';
import { compareText } from '../order';
import type { PlanResult, TargetPlan } from './types';

/** The destination project (first path component) of a repository. */
export function projectOf(repository: string): string {
  return repository.split('/')[0] ?? '';
}

/**
 * One unit of independent work: a target's destination project, or the repositories of it
 * in [from, to) (code-unit order) when the project was split. Every repository name falls in
 * exactly one shard of its project, so what the target holds and nobody expects is seen once.
 */
export interface ShardRef {
  /** Unique in the run, stable across its steps (`0000`, `0001`, ...). */
  id: string;
  target: string;
  project: string;
  /** First repository of the range (inclusive); absent: from the project's start. */
  from?: string;
  /** First repository after the range (exclusive); absent: to the project's end. */
  to?: string;
}

/** Whether a repository belongs to a shard (its project and range). */
export function inShard(repository: string, shard: ShardRef): boolean {
  return (
    projectOf(repository) === shard.project &&
    (shard.from === undefined || compareText(repository, shard.from) >= 0) &&
    (shard.to === undefined || compareText(repository, shard.to) < 0)
  );
}

/** The expected refs of each shard of a target, in one pass over its plan. */
export function expectedByShard(
  plan: TargetPlan,
  shards: readonly ShardRef[]
): Map<string, ExpectedRef[]> {
  const out = new Map<string, ExpectedRef[]>();
  const byProject = new Map<string, ShardRef[]>();
  for (const shard of shards) {
    out.set(shard.id, []);
    const list = byProject.get(shard.project);
    if (list) list.push(shard);
    else byProject.set(shard.project, [shard]);
  }
  for (const r of plan.expected) {
    const shard = byProject
      .get(projectOf(r.repository))
      ?.find((s) => inShard(r.repository, s));
    if (shard) out.get(shard.id)?.push(r);
  }
  return out;
}

/**
 * The shards of a plan, target by target in the plan's order: one per destination project
 * that expects refs (code-unit order), then one per project that only a deletion rule
 * reaches (the rules' order). A project
 * expecting more than `maxRefsPerShard` refs is split into ranges of whole repositories of
 * at most that many refs each (a repository larger than that is one shard by itself).
 * @param maxRefsPerShard @default no split: one shard per project
 */
export function shardRefsOf(
  plan: PlanResult,
  maxRefsPerShard: number = Number.POSITIVE_INFINITY
): ShardRef[] {
  const out: ShardRef[] = [];
  for (const target of plan.targets) {
    const byProject = new Map<string, Map<string, number>>();
    for (const r of target.expected) {
      const p = projectOf(r.repository);
      let repos = byProject.get(p);
      if (!repos) byProject.set(p, (repos = new Map<string, number>()));
      repos.set(r.repository, (repos.get(r.repository) ?? 0) + 1);
    }
    const projects = [...byProject].sort(([a], [b]) => compareText(a, b));
    // Then the destination projects of deletion rules that expect nothing (orphans only).
    for (const rule of target.deletionRules) {
      for (const { destination } of rule.sources) {
        const p = projectOf(destination);
        if (byProject.has(p)) continue;
        const none = new Map<string, number>();
        byProject.set(p, none);
        projects.push([p, none]);
      }
    }
    for (const [project, repos] of projects) {
      for (const range of rangesOf(repos, maxRefsPerShard)) {
        out.push({
          id: String(out.length).padStart(4, '0'),
          target: target.target,
          project,
          ...range,
        });
      }
    }
  }
  return out;
}

/** Consecutive repositories (code-unit order) of at most `max` refs, as [from, to) ranges. */
function rangesOf(
  repos: ReadonlyMap<string, number>,
  max: number
): { from?: string; to?: string }[] {
  const names = [...repos.keys()].sort(compareText);
  const starts: string[] = [];
  let size = 0;
  for (const name of names) {
    const n = repos.get(name) ?? 0;
    if (starts.length === 0 || (size > 0 && size + n > max)) {
      starts.push(name);
      size = 0;
    }
    size += n;
  }
  if (starts.length <= 1) return [{}];
  return starts.map((start, i) => ({
    ...(i > 0 ? { from: start } : {}),
    ...(i + 1 < starts.length ? { to: starts[i + 1] } : {}),
  }));
}

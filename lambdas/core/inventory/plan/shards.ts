import type { ExpectedRef, Shard } from '../../model';
import { compareText } from '../order';
import type { TargetPlan } from './types';

/** The destination project (first path component) of a repository. */
export function projectOf(repository: string): string {
  return repository.split('/')[0] ?? '';
}

/** Splits a target's expected refs into shards (target, destination project). */
export function shardsOf(
  plan: TargetPlan
): { shard: Shard; expected: ExpectedRef[] }[] {
  const byProject = new Map<string, ExpectedRef[]>();
  for (const r of plan.expected) {
    const p = projectOf(r.repository);
    const list = byProject.get(p);
    if (list) list.push(r);
    else byProject.set(p, [r]);
  }
  return [...byProject]
    .sort(([a], [b]) => compareText(a, b))
    .map(([project, expected]) => ({
      shard: { target: plan.target, project },
      expected,
    }));
}

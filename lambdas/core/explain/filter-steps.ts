/** Each filter of a policy, in order, applied to one ref with the plan's own filter code. */
import {
  FilterError,
  filterArtifacts,
  filterRepositories,
} from '../harbor/filters';
import type { SelectedArtifact } from '../harbor/filters';
import type { HarborArtifact, PolicyFilter, ReplicationPolicy } from '../model';
import type { DecideInput } from './decide';
import { refText } from './ref';
import type { ExplainRef, FilterStep } from './schema';

/** The primary artifact that the ref names, if the primary holds it. */
export function artifactOf(
  ref: ExplainRef,
  artifacts: readonly HarborArtifact[]
): HarborArtifact | undefined {
  return artifacts.find((a) =>
    ref.byDigest
      ? a.digest === ref.reference ||
        // A platform manifest of an index: the plan expects it with its index (isRefOf).
        a.childDigests.includes(ref.reference) ||
        a.accessories.some((x) => x.digest === ref.reference)
      : a.tags.some((t) => t.name === ref.reference) ||
        a.accessories.some((x) => (x.tags ?? []).includes(ref.reference))
  );
}

/** Each filter in policy order: what it did to the ref. */
export function filterSteps(
  input: Pick<DecideInput, 'ref' | 'source' | 'matching'>,
  policy: ReplicationPolicy
): FilterStep[] {
  const { ref } = input;
  const options = { doublestar: input.matching.doublestar };
  const artifacts = 'error' in input.source ? null : input.source.artifacts;
  const held = artifacts ? artifactOf(ref, artifacts) : undefined;
  const artifactFilters: PolicyFilter[] = [];
  const steps: FilterStep[] = [];
  let stopped: string | undefined;
  for (const f of policy.filters) {
    const step = (outcome: FilterStep['outcome'], detail: string): void => {
      steps.push({
        type: f.type,
        decoration: f.decoration,
        value: f.value,
        outcome,
        detail,
      });
    };
    if (f.type === 'resource') {
      step(
        'not-applied',
        'Harbor does not apply resource filters to what it lists'
      );
      continue;
    }
    if (stopped !== undefined) {
      step('not-evaluated', stopped);
      continue;
    }
    try {
      if (f.type === 'name') {
        const kept =
          filterRepositories([ref.repository], [f], options).length > 0;
        const matches = f.decoration === 'excludes' ? !kept : kept;
        step(
          kept ? 'passed' : 'rejected',
          `${JSON.stringify(ref.repository)} ${matches ? 'matches' : 'does not match'} ${JSON.stringify(f.value)}`
        );
        if (!kept) stopped = 'an earlier filter rejected the ref';
        continue;
      }
      if (artifacts === null) {
        step('not-evaluated', "the primary's repository could not be read");
        continue;
      }
      if (held === undefined) {
        step('not-evaluated', `the primary does not hold ${refText(ref)}`);
        continue;
      }
      artifactFilters.push(f);
      const selected = filterArtifacts(artifacts, artifactFilters, options);
      const mine = selectedRef(ref, selected);
      if (mine === undefined) {
        step(
          'rejected',
          f.type === 'tag'
            ? `no tag of the artifact passes (its tags: ${held.tags.map((t) => t.name).join(', ') || 'none'})`
            : `the artifact's labels (${held.labels.join(', ') || 'none'}) do not ${f.decoration === 'excludes' ? 'avoid' : 'include'} ${JSON.stringify(f.value)}`
        );
        stopped = 'an earlier filter rejected the ref';
      } else {
        step(
          'passed',
          f.type === 'tag'
            ? `tags kept: ${mine.tags.join(', ') || 'none (copied by digest)'}`
            : `the artifact's labels: ${held.labels.join(', ') || 'none'}`
        );
      }
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      step('error', err.message);
      stopped = 'Harbor stops at the filter error: the execution fails';
    }
  }
  return steps;
}

/** The selected artifact that carries the ref, if the filters kept it. */
function selectedRef(
  ref: ExplainRef,
  selected: readonly SelectedArtifact[]
): SelectedArtifact | undefined {
  return selected.find((s) =>
    ref.byDigest
      ? s.digest === ref.reference ||
        s.root.childDigests.includes(ref.reference)
      : s.tags.includes(ref.reference)
  );
}

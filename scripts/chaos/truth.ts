/**
 * The truth a campaign checks against: what the lab really holds, read directly (never
 * through a proxy). The baseline is the product's audit of the lab with no proxy at all;
 * before it is trusted, every expected ref of the plan is looked up in the lab itself (the
 * Harbors' stores, the real registry over its own port): a ref the baseline counts as synced
 * must be there with the expected digest, a missing one absent, a mismatched one different.
 */
import type { Lab } from '../../lab/index';
import { LabOciClient } from '../../lab/registry/oci-copy';
import { createCredentialsResolver } from '../../lambdas/adapters/secrets/credentials';
import { composeClients } from '../../lambdas/compose/clients';
import type { Report } from '../../lambdas/core/report/schema';
import type { HarborDrConfig } from '../../lambdas/shared/config';
import { planRun } from '../../lambdas/use-cases/audit';

/** The truth of a campaign. */
export interface Truth {
  /** The audit of the lab with no proxy, checked against the lab's own state. */
  report: Report;
  /** Expected refs per target (from the plan), for the record. */
  expected: Map<string, number>;
}

/** Key of a destination ref. */
export const refKey = (repository: string, reference: string): string =>
  `${repository}:${reference}`;

/**
 * Checks a direct (no-proxy) report against the lab's own state; returns the truth, or throws
 * naming every ref where the product and the lab disagree (the campaign cannot judge then).
 */
export async function establishTruth(
  lab: Lab,
  config: HarborDrConfig,
  report: Report
): Promise<Truth> {
  const clients = await composeClients(config, createCredentialsResolver(), {
    concurrency: 4,
  });
  let planned;
  try {
    planned = await planRun(
      {
        primary: clients.primary,
        targets: clients.targets,
        clock: { now: () => new Date() },
      },
      {
        runId: 'truth',
        toolVersion: 'chaos',
        primary: { name: config.primary.name, url: config.primary.url },
        policies: config.policies,
        rpoObjectiveMinutes: config.rpoObjectiveMinutes,
        concurrency: 4,
        deadline: new Date(Date.now() + 120_000),
      }
    );
  } finally {
    await clients.close();
  }
  if (planned.errors.length > 0 || report.verdict === 'UNKNOWN') {
    throw new Error(
      `the clean audit of the lab is incomplete: ${JSON.stringify([...planned.errors, ...report.errors])}`
    );
  }
  const problems: string[] = [];
  const expected = new Map<string, number>();
  for (const plan of planned.plan.targets) {
    const target = report.targets.find((t) => t.name === plan.target);
    if (!target) {
      problems.push(`${plan.target}: not in the clean report`);
      continue;
    }
    expected.set(plan.target, plan.expected.length);
    if (target.counts.expected !== plan.expected.length) {
      problems.push(
        `${plan.target}: the report expects ${target.counts.expected.toString()} refs, the plan ${plan.expected.length.toString()}`
      );
    }
    const listed = new Map(
      target.findings.map((f) => [refKey(f.repository, f.reference), f])
    );
    const read = labReader(lab, plan.target);
    try {
      for (const ref of plan.expected) {
        const key = refKey(ref.repository, ref.reference);
        const state = listed.get(key)?.state ?? 'synced';
        const actual = await read(ref.repository, ref.reference);
        const ok =
          state === 'synced'
            ? actual === ref.digest
            : state === 'missing'
              ? actual === null
              : state === 'digest-mismatch'
                ? actual !== null && actual !== ref.digest
                : true;
        if (!ok) {
          problems.push(
            `${plan.target} ${key}: the report says ${state} (expected ${ref.digest}), the lab holds ${actual ?? 'nothing'}`
          );
        }
      }
      for (const f of target.findings) {
        if (f.state !== 'orphaned' && f.state !== 'unexpected') continue;
        const actual = await read(f.repository, f.reference);
        if (actual === null) {
          problems.push(
            `${plan.target} ${refKey(f.repository, f.reference)}: the report says ${f.state}, the lab holds nothing`
          );
        }
      }
    } finally {
      await read.close();
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `the clean audit disagrees with the lab's own state (fix the product or the lab before a campaign):\n  ${problems.slice(0, 20).join('\n  ')}`
    );
  }
  return { report, expected };
}

type Reader = ((
  repository: string,
  reference: string
) => Promise<string | null>) & {
  close(): Promise<void>;
};

/** Reads a target's digest for a ref straight from the lab (store or the registry's own port). */
function labReader(lab: Lab, target: string): Reader {
  const harbor = lab.harbors.find((h) => h.name === target);
  if (harbor) {
    const read = (repository: string, reference: string) =>
      Promise.resolve(
        harbor.harbor.store.getManifest(repository, reference)?.digest ?? null
      );
    return Object.assign(read, { close: () => Promise.resolve() });
  }
  const registry = lab.registries.find((r) => r.name === target);
  if (!registry) throw new Error(`the lab has no target ${target}`);
  const client = new LabOciClient({
    url: registry.url,
    ...(registry.username !== undefined
      ? { username: registry.username, password: registry.password ?? '' }
      : {}),
  });
  const read = async (repository: string, reference: string) =>
    (await client.headManifest(repository, reference))?.digest ?? null;
  return Object.assign(read, { close: () => client.close() });
}

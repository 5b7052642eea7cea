/**
 * The campaign's lab: the demo scenario (a primary, a DR Harbor, two cluster registries) with
 * Basic auth on both cluster registries (so that a foreign token realm has something to leak),
 * a repository long enough to page (105 tags), and an orphan on a deletion-replicating target.
 * Started once per campaign; read directly (never through the proxies) for the truth.
 */
import { existsSync } from 'node:fs';
import { demoScenario, startLab, type Lab } from '../../lab/index';
import { DISTRIBUTION_BINARY } from '../../lab/registry/distribution';
import { buildImage, storeImage } from '../../lab/registry/images';
import { copyToRemote, LabOciClient } from '../../lab/registry/oci-copy';
import { OciStore } from '../../lab/registry/store';
import type { ScenarioInput } from '../../lab/index';

/** Tags of library/busybox: more than one Harbor page (100), several registry pages. */
export const LONG_REPO = { name: 'busybox', tags: 105 } as const;

/** Pushed to cluster-2 only: library/** there replicates deletions, so this is an orphan. */
export const ORPHAN = { repository: 'library/retired', tag: '0.1' } as const;

/** Passwords of the cluster registries (seeded secrets: they must never be printed). */
const REGISTRY_PASSWORDS: Record<string, string> = {
  'cluster-1': 'Cl1-s3cret-Registry-Pw',
  'cluster-2': 'Cl2-s3cret-Registry-Pw',
};

/** The demo, with Basic auth on the registries and a long repository on the primary. */
export function chaosScenario(): ScenarioInput {
  const demo = demoScenario();
  const [primary, ...rest] = demo.harbors;
  if (!primary) throw new Error('the demo scenario has no primary');
  const projects = (primary.projects ?? []).map((p) =>
    p.name === 'library'
      ? {
          ...p,
          repositories: [
            ...(p.repositories ?? []),
            {
              name: LONG_REPO.name,
              images: Array.from({ length: LONG_REPO.tags }, (_, i) => ({
                tags: [`1.${i.toString()}`],
                seed: `busybox-1.${i.toString()}`,
              })),
            },
          ],
        }
      : p
  );
  return {
    ...demo,
    name: 'chaos',
    harbors: [{ ...primary, projects }, ...rest],
    registries: (demo.registries ?? []).map((r) => ({
      ...r,
      auth: 'basic' as const,
      username: `${r.name}-user`,
      password: REGISTRY_PASSWORDS[r.name] ?? 'Registry-s3cret',
    })),
  };
}

/** Starts the campaign's lab (the real docker-registry when installed) and plants the orphan. */
export async function startChaosLab(): Promise<Lab> {
  if (!existsSync(DISTRIBUTION_BINARY)) {
    throw new Error(
      `the fault campaign needs the real docker-registry (${DISTRIBUTION_BINARY}): apt-get install docker-registry`
    );
  }
  const lab = await startLab(chaosScenario(), { preferRealRegistry: true });
  try {
    const cluster2 = lab.registries.find((r) => r.name === 'cluster-2');
    if (!cluster2) throw new Error('the chaos lab has no cluster-2');
    const store = new OciStore();
    storeImage(
      store,
      ORPHAN.repository,
      ORPHAN.tag,
      buildImage({ seed: 'retired-0.1' })
    );
    const client = new LabOciClient({
      url: cluster2.url,
      ...(cluster2.username !== undefined
        ? { username: cluster2.username, password: cluster2.password ?? '' }
        : {}),
    });
    try {
      await copyToRemote(
        store,
        ORPHAN.repository,
        ORPHAN.tag,
        client,
        ORPHAN.repository,
        ORPHAN.tag
      );
    } finally {
      await client.close();
    }
  } catch (err) {
    await lab.stop();
    throw err;
  }
  return lab;
}

/** Every secret the lab seeded: passwords of every account, robot secrets. */
export function labSecrets(lab: Lab): string[] {
  const secrets = new Set<string>();
  for (const h of lab.harbors) {
    secrets.add(h.admin.password);
    secrets.add(h.auditor.password);
    for (const u of h.harbor.state.users.values()) secrets.add(u.password);
    for (const r of h.harbor.state.robots.values()) secrets.add(r.secret);
  }
  for (const r of lab.registries) if (r.password) secrets.add(r.password);
  return [...secrets].filter((s) => s.length >= 8);
}

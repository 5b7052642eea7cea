import type { ScenarioInput } from '../../lab/index';

/** The shape of the benchmark's data set. */
export interface BenchSizes {
  /** Projects holding the plain registry's repositories. */
  registryProjects: number;
  /** Repositories of the plain registry (spread over its projects). */
  registryRepos: number;
  /** Tags per registry repository, all on one image (one image per repository). */
  tagsPerRepo: number;
  /** Projects holding the Harbor target's repositories. */
  harborProjects: number;
  /** Repositories of the Harbor target. */
  harborRepos: number;
  /** Artifacts per Harbor repository, one tag each (more than 100 pages the list). */
  artifactsPerRepo: number;
}

/** 10,000 tags in 200 repositories; 10,000 artifacts in 50 repositories (two pages each). */
export const DEFAULT_SIZES: BenchSizes = {
  registryProjects: 10,
  registryRepos: 200,
  tagsPerRepo: 50,
  harborProjects: 5,
  harborRepos: 50,
  artifactsPerRepo: 200,
};

/**
 * The default shape scaled to `tags` registry tags (50 per repository) and `artifacts`
 * Harbor artifacts (200 per repository, two pages each); both rounded up to whole repositories.
 */
export function scaledSizes(tags: number, artifacts: number): BenchSizes {
  return {
    ...DEFAULT_SIZES,
    registryRepos: Math.ceil(tags / DEFAULT_SIZES.tagsPerRepo),
    harborRepos: Math.ceil(artifacts / DEFAULT_SIZES.artifactsPerRepo),
  };
}

/** Names of the benchmark's lab parts, shared by the scenario, the seeding and the audit. */
export const NAMES = {
  primary: 'bench-primary',
  harborTarget: 'bench-dr',
  registryTarget: 'bench-cluster',
  registryPolicy: 'to-cluster',
  harborPolicy: 'to-dr',
} as const;

const pad = (n: number, width: number): string =>
  n.toString().padStart(width, '0');

/** One repository of the data set: its full name and the tags/images it holds. */
export interface RepoSpec {
  project: string;
  /** Full name (`project/app-nnn`). */
  name: string;
}

/** The plain registry's repositories, spread round-robin over its projects. */
export function registryRepos(sizes: BenchSizes): RepoSpec[] {
  return spread('reg', sizes.registryProjects, sizes.registryRepos);
}

/** The Harbor target's repositories, spread round-robin over its projects. */
export function harborRepos(sizes: BenchSizes): RepoSpec[] {
  return spread('hb', sizes.harborProjects, sizes.harborRepos);
}

/** The seed of a Harbor target artifact (same seed on the primary and the target → same digest). */
export function harborArtifactSeed(repo: string, i: number): string {
  return `${repo}#${i.toString()}`;
}

/** The tag of a Harbor target artifact. */
export function harborArtifactTag(i: number): string {
  return `b${pad(i, 4)}`;
}

/** The tags of a registry repository: `1.0.0` … (one image under all of them). */
export function registryTags(sizes: BenchSizes): string[] {
  return Array.from({ length: sizes.tagsPerRepo }, (_, i) => `1.0.${i}`);
}

function spread(kind: string, projects: number, repos: number): RepoSpec[] {
  return Array.from({ length: repos }, (_, i) => {
    const project = `bench-${kind}-${pad(i % projects, 2)}`;
    return { project, name: `${project}/app-${pad(i, 3)}` };
  });
}

/** A name filter that selects exactly these projects (`{a,b}/**`, a specific-name pattern). */
function projectsFilter(projects: readonly string[]): string {
  return `{${[...new Set(projects)].join(',')}}/**`;
}

/**
 * The benchmark lab: a primary Harbor with one manual (never run) policy per target and the
 * Harbor target. The plain registry (the real docker-registry) is started by the bench, behind
 * the latency proxy: `registryUrl` is the address the primary's endpoint and the auditor use.
 * Projects only: the artifacts are stored afterwards through the lab stores and the registry's
 * storage (see seed-lab.ts and seed-registry-child.ts), because seeding them through REST calls
 * is slower than the whole benchmark budget.
 */
export function benchScenario(
  sizes: BenchSizes,
  registryUrl: string
): ScenarioInput {
  const reg = [...new Set(registryRepos(sizes).map((r) => r.project))];
  const hb = [...new Set(harborRepos(sizes).map((r) => r.project))];
  const project = (name: string) => ({ name });
  return {
    name: 'bench',
    harbors: [
      {
        name: NAMES.primary,
        registries: [
          { name: NAMES.harborTarget, target: NAMES.harborTarget },
          { name: NAMES.registryTarget, target: registryUrl },
        ],
        projects: [...reg, ...hb].map(project),
        policies: [
          {
            name: NAMES.registryPolicy,
            destRegistry: NAMES.registryTarget,
            filters: [{ type: 'name', value: projectsFilter(reg) }],
          },
          {
            name: NAMES.harborPolicy,
            destRegistry: NAMES.harborTarget,
            filters: [{ type: 'name', value: projectsFilter(hb) }],
          },
        ],
      },
      { name: NAMES.harborTarget, projects: hb.map(project) },
    ],
  };
}

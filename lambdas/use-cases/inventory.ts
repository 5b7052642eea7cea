import { errorMessage } from '../core/errors';
import { mapWithConcurrency } from './limit';
import type {
  HarborArtifact,
  HarborProject,
  ProjectInventory,
} from '../core/model';
import type { HarborApi } from '../core/ports';

/** Which source projects the policies in scope need listed. */
export type ProjectScope =
  { all: true } | { all: false; names: ReadonlySet<string> };

/** The primary's projects to list, and errors for named projects that could not be resolved. */
export interface ResolvedProjects {
  projects: HarborProject[];
  missing: string[];
}

/**
 * Resolves a project scope against the primary: every visible project, or each named one
 * (a name that is absent is not an error of the audit: Harbor skips it too, harbor-semantics §5.2).
 */
export async function resolveProjects(
  api: HarborApi,
  scope: ProjectScope
): Promise<ResolvedProjects> {
  if (scope.all) return { projects: await api.listProjects(), missing: [] };
  const projects: HarborProject[] = [];
  const missing: string[] = [];
  for (const name of [...scope.names].sort()) {
    const project = await api.getProject(name);
    if (project) projects.push(project);
    else missing.push(name);
  }
  return { projects, missing };
}

/**
 * Lists every artifact of each project, repositories in parallel up to `concurrency`.
 * A project whose listing fails (or is cut by the deadline) is returned incomplete, with the
 * reason, so that everything that depends on it becomes UNKNOWN rather than absent.
 */
export async function inventoryProjects(
  api: HarborApi,
  projects: readonly HarborProject[],
  options: {
    concurrency: number;
    deadline: Date;
    /** The run's deadline as an abort signal: once aborted, nothing more is listed. */
    signal?: AbortSignal;
    now: () => Date;
    scopePrefix: string;
  }
): Promise<ProjectInventory[]> {
  const inventories: ProjectInventory[] = [];
  for (const project of projects) {
    const scope = `${options.scopePrefix}/${project.name}`;
    const late = (): boolean =>
      options.now() >= options.deadline || options.signal?.aborted === true;
    if (late()) {
      inventories.push({
        project: project.name,
        complete: false,
        artifacts: [],
        error: { scope, message: 'not listed: the run reached its deadline' },
      });
      continue;
    }
    let repositories: string[];
    try {
      repositories = await api.listRepositories(project.name);
    } catch (err) {
      inventories.push({
        project: project.name,
        complete: false,
        artifacts: [],
        error: {
          scope,
          message: `repositories could not be listed: ${errorMessage(err)}`,
        },
      });
      continue;
    }
    const failures: string[] = [];
    const perRepo = await mapWithConcurrency(
      repositories,
      options.concurrency,
      async (repo) => {
        if (late()) {
          failures.push(`${repo}: not listed: the run reached its deadline`);
          return [];
        }
        try {
          return await api.listArtifacts(repo);
        } catch (err) {
          failures.push(`${repo}: ${errorMessage(err)}`);
          return [];
        }
      }
    );
    const artifacts: HarborArtifact[] = perRepo.flat();
    if (failures.length === 0) {
      inventories.push({ project: project.name, complete: true, artifacts });
    } else {
      inventories.push({
        project: project.name,
        complete: false,
        artifacts,
        error: {
          scope,
          message: `${failures.length} of ${repositories.length} repositories could not be listed (${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; …' : ''})`,
        },
      });
    }
  }
  return inventories;
}

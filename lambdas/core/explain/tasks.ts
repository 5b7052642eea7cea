/** Which replication tasks touched a ref, and the lines of their logs that name it. */
import type { ReplicationTask } from '../ports';

/** Log lines kept per task. */
const MAX_LOG_LINES = 20;
/** Characters kept per log line. */
const MAX_LINE = 400;

/** The repository of a task resource (`"library/nginx [2 item(s) in total]"` → `library/nginx`). */
function resourceRepository(resource: string): string {
  return resource.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}

/** Whether a task copied (or deleted) the source repository or into the destination one. */
export function taskTouches(
  task: Pick<ReplicationTask, 'srcResource' | 'dstResource'>,
  sourceRepository: string,
  destinationRepositories: readonly string[]
): boolean {
  return (
    resourceRepository(task.srcResource) === sourceRepository ||
    destinationRepositories.includes(resourceRepository(task.dstResource))
  );
}

/**
 * The lines of a task log that name the ref (its tag or digest); else those that name its
 * repositories; else the last lines. Long lines are cut.
 */
export function logLinesFor(
  log: string,
  refNeedles: readonly string[],
  repositoryNeedles: readonly string[] = []
): { lines: string[]; naming: 'ref' | 'repository' | 'none' } {
  const lines = log.split(/\r?\n/).filter((l) => l.trim() !== '');
  const naming = (needles: readonly string[]) => {
    const wanted = needles.filter((n) => n !== '');
    return lines.filter((l) => wanted.some((n) => l.includes(n)));
  };
  const cut = (chosen: string[]) =>
    chosen
      .slice(-MAX_LOG_LINES)
      .map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l));
  const byRef = naming(refNeedles);
  if (byRef.length > 0) return { lines: cut(byRef), naming: 'ref' };
  const byRepository = naming(repositoryNeedles);
  if (byRepository.length > 0)
    return { lines: cut(byRepository), naming: 'repository' };
  return { lines: cut(lines), naming: 'none' };
}

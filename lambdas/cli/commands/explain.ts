import { createCredentialsResolver } from '../../adapters/secrets/credentials';
import { composeClients } from '../../compose/clients';
import { parseRef } from '../../core/explain/ref';
import { renderExplanation } from '../../core/explain/render';
import { explanationSchema } from '../../core/explain/schema';
import type { Explanation } from '../../core/explain/schema';
import { explainRef } from '../../use-cases/explain';
import { loadForTargets } from '../config-checks';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

export interface ExplainOptions {
  config: string;
  json?: boolean;
  /** Only these targets (by name). */
  target?: string[];
  concurrency: number;
}

/**
 * `harbor-dr explain REF`: every policy and filter decision for one primary ref, what each
 * target holds at its destination, the finding, the latest tasks that touched it and what a
 * re-trigger would do. Reads that ref's repository only, never a full audit.
 * @throws RefError for a REF that is not `project/repo:tag` or `project/repo@digest`
 */
export async function explainCommand(
  refText: string,
  options: ExplainOptions,
  io: CliIo
): Promise<ExitCode> {
  const ref = parseRef(refText);
  const config = loadForTargets(options.config, options.target);
  const clients = await composeClients(config, createCredentialsResolver(), {
    concurrency: options.concurrency,
    ...(options.target ? { onlyTargets: options.target } : {}),
  });
  try {
    const explanation = explanationSchema.parse(
      await explainRef(
        {
          primary: clients.primary,
          targets: clients.targets,
          replication: clients.replication,
          clock: { now: () => new Date() },
        },
        {
          ref,
          primary: { name: config.primary.name, url: config.primary.url },
          policies: config.policies,
          doublestar: config.primary.doublestar,
          retrigger: config.retrigger,
          concurrency: options.concurrency,
          otherTargetUrls: config.targets
            .filter((t) => options.target && !options.target.includes(t.name))
            .map((t) => t.url),
        }
      )
    );
    io.out(
      options.json
        ? `${JSON.stringify(explanation, null, 2)}\n`
        : renderExplanation(explanation)
    );
    return exitCodeOf(explanation);
  } finally {
    await clients.close();
  }
}

/**
 * 2 when something could not be seen, 1 when the ref is not synced somewhere a policy in scope
 * puts it, 0 when every such destination holds it.
 */
function exitCodeOf(e: Explanation): ExitCode {
  const findings = e.targets.flatMap((t) =>
    t.destinations.flatMap((d) => d.findings)
  );
  if (e.primary.holds === null || findings.some((f) => f.state === 'unknown'))
    return EXIT.INCOMPLETE;
  return findings.some((f) => f.state !== 'synced') ? EXIT.PROBLEMS : EXIT.OK;
}

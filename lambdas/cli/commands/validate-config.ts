import { ConfigError } from '../../core/errors';
import { plural } from '../../core/report/format';
import type { HarborDrConfig } from '../../shared/config';
import { checkConfigOffline, problemAsJson, type Env } from '../config-checks';
// Types only: the online checks (the HTTP client, the AWS SDK) load with --online, so that
// the offline check starts quickly.
import type * as OnlineModule from '../config-checks-online';
import type { EndpointReport, OnlineCheck } from '../config-checks-online';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

export interface ValidateConfigOptions {
  config: string;
  json?: boolean;
  /** Target names a later `--target` will use: each must be configured. */
  target?: string[];
  /** `--online`: resolve every credential and probe every registry. */
  online?: boolean;
  /** `--quiet`: on success, the one line that says so. */
  quiet?: boolean;
}

/** How long the online probes may take in all. */
const ONLINE_DEADLINE_MS = 60_000;

/**
 * Validates a configuration file and describes what it will audit. Reports every problem at
 * once: the schema's, unknown `--target` names, and the credentials and CA bundles that can
 * be checked without the network (unset variables, missing or malformed files); with
 * `--online`, also what the registries say (credentials resolved and accepted, endpoints
 * reachable, each target a registry endpoint of the primary that a policy in scope uses).
 * A file that cannot be read or parsed throws ConfigError (the program prints it, exit USAGE).
 */
export async function validateConfigCommand(
  options: ValidateConfigOptions,
  io: CliIo,
  env: Env
): Promise<ExitCode> {
  const { config, problems } = checkConfigOffline(options.config, {
    env,
    ...(options.target ? { targets: options.target } : {}),
  });
  let online: OnlineCheck | undefined;
  if (config && options.online) {
    const { armDeadline, checkConfigOnline, createCredentialsResolver } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../config-checks-online') as typeof OnlineModule;
    const deadline = armDeadline(
      new Date(Date.now() + ONLINE_DEADLINE_MS),
      new Date()
    );
    try {
      online = await checkConfigOnline(config, {
        resolveCredentials: createCredentialsResolver({ env }),
        alreadyReported: problems,
        signal: deadline.signal,
      });
    } finally {
      deadline.stop();
    }
    problems.push(...online.problems);
  }
  if (!config || problems.length > 0) {
    if (options.json) {
      io.out(
        `${JSON.stringify({ valid: false, file: options.config, problems: problems.map(problemAsJson), ...(online ? { endpoints: online.endpoints } : {}) }, null, 2)}\n`
      );
      return EXIT.USAGE;
    }
    throw new ConfigError(options.config, problems);
  }
  if (options.json) {
    // The config holds credential references only (secret ids, env names, paths), never values.
    io.out(
      `${JSON.stringify({ valid: true, config, ...(online ? { endpoints: online.endpoints } : {}) }, null, 2)}\n`
    );
    return EXIT.OK;
  }
  io.out(
    `${options.config}: valid${online ? ' (online checks passed)' : ''}\n`
  );
  if (options.quiet) return EXIT.OK;
  describeConfig(config, io, online === undefined);
  if (online) {
    for (const e of online.endpoints) io.out(describeEndpoint(e));
  }
  return EXIT.OK;
}

function describeConfig(
  config: HarborDrConfig,
  io: CliIo,
  offline: boolean
): void {
  io.out(`  primary  ${config.primary.name} ${config.primary.url}\n`);
  for (const t of config.targets) {
    io.out(
      `  target   ${t.name} (${t.kind}) ${t.url}${t.verifyTls ? '' : ' [TLS verification OFF]'}\n`
    );
  }
  const policies =
    config.policies === 'auto'
      ? 'auto (every enabled policy whose destination is a target)'
      : config.policies.join(', ');
  io.out(`  policies ${policies}\n`);
  io.out(`  rpo      ${config.rpoObjectiveMinutes} min objective\n`);
  const r = config.retrigger;
  io.out(
    `  retrigger ${r.enabled ? `on${r.dryRun ? ' (dry run)' : ''}, at most ${r.maxPerRun} per run, cooldown ${r.cooldownMinutes} min` : 'off'}\n`
  );
  const secrets = [config.primary, ...config.targets].filter(
    (r) => r.credentials?.secretId !== undefined
  ).length;
  if (offline && secrets > 0) {
    io.out(
      `  note     ${secrets} Secrets Manager ${secrets === 1 ? 'secret is' : 'secrets are'} not read offline (--online reads them)\n`
    );
  }
}

/** `  online   cluster-1  reachable, anonymous (GET /v2/); endpoint "cluster-1" (id 2); policies to-cluster-1 (push)` */
function describeEndpoint(e: EndpointReport): string {
  const parts = [
    e.harborVersion !== undefined
      ? `Harbor ${e.harborVersion ?? '(version not shown)'}`
      : '',
    e.authenticatedAs !== undefined
      ? `authenticated as ${e.authenticatedAs}`
      : '',
    e.counts
      ? `${plural(e.counts.registryEndpoints, 'registry endpoint')}, ${plural(e.counts.policies, 'replication policy', 'replication policies')}`
      : '',
    e.registryEndpoints && e.registryEndpoints.length > 0
      ? `registry endpoint ${e.registryEndpoints.map((r) => `"${r.name}" (id ${r.id})`).join(', ')}`
      : '',
    e.policies && e.policies.length > 0
      ? `policies ${e.policies.join(', ')}`
      : '',
  ].filter((p) => p !== '');
  return `  online   ${e.name}: ${parts.join('; ')}\n`;
}

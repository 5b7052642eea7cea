import { ConfigError } from '../../core/errors';
import { checkConfigOffline, problemAsJson, type Env } from '../config-checks';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

export interface ValidateConfigOptions {
  config: string;
  json?: boolean;
  /** Target names a later `--target` will use: each must be configured. */
  target?: string[];
}

/**
 * Validates a configuration file and describes what it will audit. Reports every problem at
 * once: the schema's, unknown `--target` names, and the credentials and CA bundles that can
 * be checked without the network (unset variables, missing or malformed files).
 * A file that cannot be read or parsed throws ConfigError (the program prints it, exit USAGE).
 */
export function validateConfigCommand(
  options: ValidateConfigOptions,
  io: CliIo,
  env: Env
): ExitCode {
  const { config, problems } = checkConfigOffline(options.config, {
    env,
    ...(options.target ? { targets: options.target } : {}),
  });
  if (!config || problems.length > 0) {
    if (options.json) {
      io.out(
        `${JSON.stringify({ valid: false, file: options.config, problems: problems.map(problemAsJson) }, null, 2)}\n`
      );
      return EXIT.USAGE;
    }
    throw new ConfigError(options.config, problems);
  }
  if (options.json) {
    // The config holds credential references only (secret ids, env names, paths), never values.
    io.out(`${JSON.stringify({ valid: true, config }, null, 2)}\n`);
    return EXIT.OK;
  }
  io.out(`${options.config}: valid\n`);
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
  if (secrets > 0) {
    io.out(
      `  note     ${secrets} Secrets Manager ${secrets === 1 ? 'secret is' : 'secrets are'} not read offline\n`
    );
  }
  return EXIT.OK;
}

import { loadConfigFile } from '../../shared/config-file';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

export interface ValidateConfigOptions {
  config: string;
  json?: boolean;
}

/**
 * Validates a configuration file and describes what it will audit.
 * A ConfigError propagates to the program, which prints it and exits with USAGE.
 */
export function validateConfigCommand(
  options: ValidateConfigOptions,
  io: CliIo
): ExitCode {
  const config = loadConfigFile(options.config);
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
  return EXIT.OK;
}

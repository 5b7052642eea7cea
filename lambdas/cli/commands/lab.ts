import { resolve } from 'node:path';
// Types only: the lab and its devDependencies load when `harbor-dr lab` runs, never before.
import type * as LabModule from '../../../lab/index';
import type { Lab } from '../../../lab/index';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

export interface LabOptions {
  portBase?: number;
  dir: string;
  /** Resolves when the lab should stop (Ctrl-C in the CLI; a promise in tests). */
  until: Promise<unknown>;
}

/** Describes a running lab: where each part listens and where its config is. */
export function describeLab(lab: Lab, configPath: string): string {
  const lines = [
    `primary    ${lab.primary.name.padEnd(14)} ${lab.primary.url}  (admin ${lab.primary.admin.username})`,
    ...lab.harbors
      .slice(1)
      .map((h) => `harbor     ${h.name.padEnd(14)} ${h.url}`),
    ...lab.registries.map(
      (r) =>
        `registry   ${r.name.padEnd(14)} ${r.url}  (${r.kind === 'distribution' ? 'real CNCF Distribution' : 'in-memory OCI registry: docker-registry is not installed'})`
    ),
    `config     ${configPath}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `harbor-dr lab`: starts the demo lab, writes its config, runs until stopped. */
export async function labCommand(
  options: LabOptions,
  io: CliIo
): Promise<ExitCode> {
  const { startDemoLab } = loadLab();
  const lab = await startDemoLab(
    options.portBase !== undefined ? { portBase: options.portBase } : {}
  );
  try {
    const { configPath } = lab.writeConfig(resolve(options.dir));
    io.out(describeLab(lab, configPath));
    io.out(
      `Try: npx harbor-dr audit --config ${configPath}\nCtrl-C stops the lab.\n`
    );
    await options.until;
  } finally {
    await lab.stop();
  }
  return EXIT.OK;
}

/**
 * The lab, loaded on first use. `require`, not `import()`: tsx (the bin) and jest hook
 * CommonJS loading only, and a static import would load the lab with every command.
 */
function loadLab(): typeof LabModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../../../lab/index') as typeof LabModule;
}

import { renderReplicationSummary } from '../../core/report/render/replication';
import { renderSummary } from '../../core/report/render/summary';
import { runAuditJob } from '../../use-cases/audit-job';
import type { ExitCode } from '../exit-codes';
import type { CliIo } from '../io';
import { runJobCommand, type RunOptions } from './run-job';

/** Options of `harbor-dr audit`. */
export interface AuditOptions extends RunOptions {
  /** `--retrigger` / `--no-retrigger`: overrides `retrigger.enabled`. */
  retrigger?: boolean;
}

/** `harbor-dr audit`: one inventory audit; reports to --out, a summary to the terminal. */
export function auditCommand(
  options: AuditOptions,
  io: CliIo,
  toolVersion: string
): Promise<ExitCode> {
  const { retrigger } = options;
  return runJobCommand(runAuditJob, options, io, toolVersion, {
    ...(retrigger === undefined
      ? {}
      : {
          adjustConfig: (config) => ({
            ...config,
            retrigger: { ...config.retrigger, enabled: retrigger },
          }),
        }),
    summary: (report) =>
      renderSummary(report) + renderReplicationSummary(report),
  });
}

import { resolve } from 'node:path';
import { LocalDirReportStore } from '../../adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../adapters/secrets/credentials';
import type { Verdict } from '../../core/model';
import { renderReplicationSummary } from '../../core/health';
import { renderSummary } from '../../core/render-summary';
import { loadConfigFile } from '../../shared/config-file';
import { runAuditJob } from '../../jobs/audit-job';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

export interface AuditOptions {
  config: string;
  out: string;
  json?: boolean;
  target?: string[];
  concurrency: number;
  deadlineMinutes: number;
  /** `--retrigger` / `--no-retrigger`: overrides `retrigger.enabled`. */
  retrigger?: boolean;
}

/** The exit code of a run's verdict (README: exit codes). */
export function exitCodeOf(verdict: Verdict): ExitCode {
  if (verdict === 'READY') return EXIT.OK;
  if (verdict === 'UNKNOWN') return EXIT.INCOMPLETE;
  return EXIT.PROBLEMS;
}

/** `harbor-dr audit`: one inventory audit; reports to --out, a summary to the terminal. */
export async function auditCommand(
  options: AuditOptions,
  io: CliIo,
  toolVersion: string
): Promise<ExitCode> {
  const loaded = loadConfigFile(options.config);
  const config =
    options.retrigger === undefined
      ? loaded
      : {
          ...loaded,
          retrigger: { ...loaded.retrigger, enabled: options.retrigger },
        };
  const startedAt = Date.now();
  const result = await runAuditJob(
    {
      store: new LocalDirReportStore(resolve(options.out)),
      clock: { now: () => new Date() },
      resolveCredentials: createCredentialsResolver(),
    },
    {
      config,
      toolVersion,
      deadline: new Date(startedAt + options.deadlineMinutes * 60_000),
      concurrency: options.concurrency,
      ...(options.target ? { targets: options.target } : {}),
    }
  );
  if (options.json) {
    io.out(`${JSON.stringify(result.report, null, 2)}\n`);
  } else {
    io.out(renderSummary(result.report));
    io.out(renderReplicationSummary(result.report));
    io.out(
      `Report: ${result.locations.json}\n        ${result.locations.human}\n`
    );
  }
  return exitCodeOf(result.report.verdict);
}

import { resolve } from 'node:path';
import { LocalDirReportStore } from '../../adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../adapters/secrets/credentials';
import { renderSummary } from '../../core/render-summary';
import { loadConfigFile } from '../../shared/config-file';
import { runReadinessJob } from '../../jobs/readiness-job';
import type { ExitCode } from '../exit-codes';
import type { CliIo } from '../io';
import { exitCodeOf } from './audit';

/** Options of `harbor-dr readiness`. */
export interface ReadinessOptions {
  config: string;
  out: string;
  json?: boolean;
  target?: string[];
  concurrency: number;
  deadlineMinutes: number;
}

/**
 * `harbor-dr readiness`: one verdict per target from its checklist; reports to --out, a
 * summary (or the JSON report) to the terminal. Exit codes as for the audit.
 */
export async function readinessCommand(
  options: ReadinessOptions,
  io: CliIo,
  toolVersion: string
): Promise<ExitCode> {
  const config = loadConfigFile(options.config);
  const startedAt = Date.now();
  const result = await runReadinessJob(
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
    io.out(
      `Report: ${result.locations.json}\n        ${result.locations.human}\n`
    );
  }
  return exitCodeOf(result.report.verdict);
}

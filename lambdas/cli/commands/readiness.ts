import { renderSummary } from '../../core/report/render/summary';
import { runReadinessJob } from '../../use-cases/readiness-job';
import type { ExitCode } from '../exit-codes';
import type { CliIo } from '../io';
import { runJobCommand, type RunOptions } from './run-job';

/** Options of `harbor-dr readiness`. */
export type ReadinessOptions = RunOptions;

/**
 * `harbor-dr readiness`: one verdict per target from its checklist; reports to --out, a
 * summary (or the JSON report) to the terminal. Exit codes as for the audit.
 */
export function readinessCommand(
  options: ReadinessOptions,
  io: CliIo,
  toolVersion: string
): Promise<ExitCode> {
  return runJobCommand(runReadinessJob, options, io, toolVersion, {
    summary: renderSummary,
  });
}

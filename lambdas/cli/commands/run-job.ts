import { resolve } from 'node:path';
import { LocalDirReportStore } from '../../adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../adapters/secrets/credentials';
import type { Report, Verdict } from '../../core/report/schema';
import type { HarborDrConfig } from '../../shared/config';
import { loadForTargets } from '../config-checks';
import { RunSkippedError, workDeadline } from '../../use-cases/job';
import type { Job } from '../../use-cases/job';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';
import { writeMetricsFile } from '../metrics-file';
import { errorMessage } from '../../core/errors';
import { createProgress, type ProgressMode } from '../progress';

/** Options shared by `harbor-dr audit` and `harbor-dr readiness`. */
export interface RunOptions {
  config: string;
  out: string;
  json?: boolean;
  target?: string[];
  concurrency: number;
  deadlineMinutes: number;
  /** `--metrics-file`: OpenMetrics for the node_exporter textfile collector. */
  metricsFile?: string;
  /** `--quiet` / `--verbose`: what is shown on stderr while the run goes. @default normal */
  progress?: ProgressMode;
}

/** How often the progress line is redrawn while nothing happens. */
const PROGRESS_TICK_MS = 250;

/** The exit code of a run's verdict (README: exit codes). */
export function exitCodeOf(verdict: Verdict): ExitCode {
  if (verdict === 'READY') return EXIT.OK;
  if (verdict === 'UNKNOWN') return EXIT.INCOMPLETE;
  return EXIT.PROBLEMS;
}

/**
 * Runs one job locally: the config from its file, reports to --out, then the summary (or the
 * JSON report) on the terminal; the exit code follows the run's verdict.
 */
export async function runJobCommand(
  job: Job,
  options: RunOptions,
  io: CliIo,
  toolVersion: string,
  view: {
    adjustConfig?: (config: HarborDrConfig) => HarborDrConfig;
    summary: (report: Report) => string;
  }
): Promise<ExitCode> {
  const loaded = loadForTargets(options.config, options.target);
  const config = view.adjustConfig ? view.adjustConfig(loaded) : loaded;
  const progress = createProgress({
    mode: options.progress ?? 'normal',
    isTty: io.errIsTty === true,
    write: (text) => {
      io.err(text);
    },
    now: io.now ?? Date.now,
  });
  // Redrawn while nothing happens too: a hung registry still shows the time passing.
  const timer = progress.listener
    ? setInterval(() => {
        progress.tick();
      }, PROGRESS_TICK_MS)
    : undefined;
  timer?.unref();
  const store = new LocalDirReportStore(resolve(options.out));
  let result: Awaited<ReturnType<Job>> | undefined;
  let skipped: RunSkippedError | undefined;
  try {
    result = await job(
      {
        store,
        // Another run writing to the same --out holds the lease: this one is skipped.
        lease: store,
        clock: { now: () => new Date() },
        resolveCredentials: createCredentialsResolver(),
        ...(progress.listener ? { onProgress: progress.listener } : {}),
      },
      {
        config,
        toolVersion,
        // Work stops early enough for the reports to be written within the deadline.
        deadline: workDeadline(options.deadlineMinutes * 60_000, new Date()),
        concurrency: options.concurrency,
        ...(options.target ? { targets: options.target } : {}),
      }
    );
  } catch (err) {
    if (!(err instanceof RunSkippedError)) throw err;
    skipped = err;
  } finally {
    // Before anything else is written: the progress line is cleared first.
    clearInterval(timer);
    progress.finish();
  }
  if (skipped !== undefined || result === undefined) {
    // Nothing was audited, written or sent: no verdict can be given (exit 2, as UNKNOWN).
    io.err(`harbor-dr: ${skipped?.message ?? 'the run did not proceed'}\n`);
    return EXIT.INCOMPLETE;
  }
  if (options.metricsFile !== undefined) {
    try {
      writeMetricsFile(options.metricsFile, result.report);
    } catch (err) {
      io.err(
        `harbor-dr: cannot write the metrics file ${options.metricsFile}: ${errorMessage(err)}\n`
      );
      return EXIT.INTERNAL;
    }
  }
  if (options.json) {
    io.out(`${JSON.stringify(result.report, null, 2)}\n`);
  } else {
    io.out(view.summary(result.report));
    io.out(
      `Report: ${result.locations.json}\n        ${result.locations.human}\n        ${result.locations.html}\n`
    );
  }
  return exitCodeOf(result.report.verdict);
}

import { errorMessage } from '../core/errors';
import { conformReport } from '../core/report/degrade';
import {
  buildNotification,
  linkedHumanReport,
  previousOutcome,
  shouldNotify,
} from '../core/report/notify';
import type { Report } from '../core/report/schema';
import {
  HTML_HISTORY_RUNS,
  renderHtml,
  summarizeRun,
} from '../core/report/render/html';
import { renderMarkdown } from '../core/report/render/markdown';
import type { HarborDrConfig } from '../shared/config';
import type { JobDeps, JobResult } from './job';

/** The earlier reports of the run's kind, as the job read them with its history. */
export interface EarlierReports {
  /** Newest first. */
  reports: readonly Report[];
  /** Why they could not be read (the HTML page says so; notify compares with nothing). */
  error?: string;
}

/**
 * Stores a report (JSON, Markdown and HTML, `latest.json` last), then notifies as configured
 * (when, `notify.on`, and in what form, `notify.format`): the worst target in the subject, what
 * changed since `previous`, the replication block, and links to the human report (its
 * console page when the notifier knows one). A failed notification never loses the report.
 * A report that breaks its own schema is stored
 * degraded (the offending values removed, listed in `validationErrors`, verdicts at least
 * UNKNOWN), never dropped.
 * @param earlier the earlier reports of the same kind, read once with the run's history: the
 *   HTML report's charts, and what `notify.on: change` compares with (each target's last
 *   outcome, previousOutcome)
 */
export async function publish(
  deps: Pick<JobDeps, 'store' | 'notifier' | 'warn' | 'clock'>,
  config: HarborDrConfig,
  produced: Report,
  earlier: EarlierReports = { reports: [] }
): Promise<JobResult> {
  const { report, validationErrors } = conformReport(
    produced,
    deps.clock.now()
  );
  if (validationErrors) {
    deps.warn?.('the report broke its own schema; stored degraded', {
      validationErrors,
    });
  }
  const previous = previousOutcome(report, earlier.reports);
  const locations = await deps.store.save(report, {
    markdown: renderMarkdown(report),
    html: renderHtml(
      report,
      earlier.reports.slice(0, HTML_HISTORY_RUNS).map(summarizeRun),
      earlier.error !== undefined ? { historyError: earlier.error } : {}
    ),
  });
  let notified = false;
  if (deps.notifier && shouldNotify(config.notify.on, report, previous)) {
    try {
      const human = linkedHumanReport(locations);
      const humanConsoleUrl = deps.notifier.consoleUrl?.(human);
      await deps.notifier.publish(
        buildNotification(report, {
          links: {
            human,
            json: locations.json,
            ...(humanConsoleUrl ? { humanConsoleUrl } : {}),
          },
          previous,
          format: config.notify.format,
        })
      );
      notified = true;
    } catch (err) {
      deps.warn?.('notification failed; the report is stored', {
        report: locations.json,
        error: errorMessage(err),
      });
    }
  }
  return { report, locations, notified };
}

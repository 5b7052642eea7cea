import { errorMessage } from '../core/errors';
import { conformReport } from '../core/report/degrade';
import {
  buildNotification,
  linkedHumanReport,
  shouldNotify,
} from '../core/report/notify';
import type { Report } from '../core/report/schema';
import { renderMarkdown } from '../core/report/render/markdown';
import type { HarborDrConfig } from '../shared/config';
import type { JobDeps, JobResult } from './job';
import { renderHtmlReport } from './report-html';

/**
 * Stores a report (JSON, Markdown and HTML, `latest.json` last), then notifies as configured
 * (when, `notify.on`, and in what form, `notify.format`): the worst target in the subject, what
 * changed since `previous`, the replication block, and links to the human report (its
 * console page when the notifier knows one). A failed notification never loses the report.
 * A report that breaks its own schema is stored
 * degraded (the offending values removed, listed in `validationErrors`, verdicts at least
 * UNKNOWN), never dropped.
 * @param previous the newest earlier report of the same kind (read with the run's history),
 *   for `notify.on: change`; undefined when there is none or it could not be read
 */
export async function publish(
  deps: Pick<JobDeps, 'store' | 'notifier' | 'warn' | 'clock'>,
  config: HarborDrConfig,
  produced: Report,
  previous: Report | undefined
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
  const locations = await deps.store.save(report, {
    markdown: renderMarkdown(report),
    html: await renderHtmlReport(deps, report),
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

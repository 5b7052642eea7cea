import { errorMessage } from '../core/errors';
import type { ReportStore } from '../core/ports';
import type { Report } from '../core/report/schema';
import {
  HTML_HISTORY_RUNS,
  renderHtml,
  summarizeRun,
} from '../core/report/render/html';

/**
 * The HTML report of a run with its history: the summaries of the stored runs of the same
 * kind before it (at most HTML_HISTORY_RUNS). A store that cannot be read leaves the charts
 * with this run only, and the page says why: the report is still written.
 */
export async function renderHtmlReport(
  deps: {
    store: Pick<ReportStore, 'recent'>;
    warn?: (message: string, detail?: Record<string, unknown>) => void;
  },
  report: Report
): Promise<string> {
  try {
    const earlier = await deps.store.recent(
      report.kind,
      HTML_HISTORY_RUNS,
      report.runId
    );
    return renderHtml(report, earlier.map(summarizeRun));
  } catch (err) {
    deps.warn?.(
      'earlier reports could not be read; the HTML report shows this run only',
      {
        error: errorMessage(err),
      }
    );
    return renderHtml(report, [], { historyError: errorMessage(err) });
  }
}

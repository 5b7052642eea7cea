/**
 * The HTML report of a run: ONE self-contained file (inline CSS, script and SVG; nothing is
 * fetched at view time) with the verdict per target, the readiness checklist, the findings
 * (searchable, filterable by state, target and policy), exposure and verdicts over the stored
 * history, replication health per policy with failed task logs, and metadata drift. Every
 * value is escaped by construction (render/html/escape.ts).
 */
import { formatSeconds, plural } from '../format';
import type { Report } from '../schema';
import { CONTENT_SECURITY_POLICY, SCRIPT, STYLE } from './html/assets';
import { exposureChart, verdictChart } from './html/charts';
import { markup, trustedConstant, type Html } from './html/escape';
import { findingsSection } from './html/findings';
import { chartRuns, HTML_HISTORY_RUNS, type RunSummary } from './html/history';
import {
  badge,
  checklistSection,
  driftSection,
  policiesSection,
  replicationSection,
  runProblems,
  verdictCards,
} from './html/sections';

export { HTML_HISTORY_RUNS, summarizeRun } from './html/history';
export type { RunSummary } from './html/history';

/** What the page says about the history besides the runs themselves. */
export interface HtmlOptions {
  /** Why earlier runs could not be read (the charts then show this run only). */
  historyError?: string;
}

const STYLE_HTML = trustedConstant(STYLE);
const SCRIPT_HTML = trustedConstant(SCRIPT);

/**
 * The HTML report of `report`, with charts over `history` (summaries of earlier runs of any
 * order; the newest {@link HTML_HISTORY_RUNS} before this run are drawn, then this run).
 */
export function renderHtml(
  report: Report,
  history: readonly RunSummary[],
  options: HtmlOptions = {}
): string {
  const title =
    report.kind === 'audit' ? 'Replication audit' : 'Failover readiness';
  const runs = chartRuns(report, history);
  const objective = Math.max(
    0,
    ...report.targets.map((t) => t.rpo.objectiveSeconds)
  );
  const checklist = checklistSection(report);
  const page = markup`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta
          http-equiv="Content-Security-Policy"
          content="${CONTENT_SECURITY_POLICY}"
        />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          name="generator"
          content="${report.tool.name} ${report.tool.version}"
        />
        <title>
          ${title}: ${report.primary.name} · ${report.verdict} · ${report.runId}
        </title>
        <style>${STYLE_HTML}</style>
      </head>
      <body>
        <header class="top">
          <h1>${title}: ${report.primary.name} ${badge(report.verdict)}</h1>
          <p>
            run <code>${report.runId}</code> · ${report.startedAt} →
            ${report.finishedAt} · primary <code>${report.primary.url}</code> ·
            ${report.tool.name} ${report.tool.version}
          </p>
          ${report.matching ? markup`<p>Filters: ${report.matching.note}</p>` : null}
        </header>
        <nav>
          <a href="#verdicts">Verdicts</a
          ><a href="#history">History</a
          >${checklist ? markup`<a href="#checklist">Checklist</a>` : null}<a
            href="#findings"
            >Findings</a
          ><a href="#replication">Replication</a
          ><a href="#drift">Metadata drift</a><a href="#policies">Policies</a>
        </nav>
        <main>
          ${runProblems(report)} ${verdictCards(report)}
          ${historySection(runs, objective, options)} ${checklist}
          ${findingsSection(report)} ${replicationSection(report)}
          ${driftSection(report)} ${policiesSection(report)}
        </main>
        <footer>
          Generated from the JSON report of run <code>${report.runId}</code>;
          the JSON report is the contract, this page a view of it.
        </footer>
        <script>${SCRIPT_HTML}</script>
      </body>
    </html> `;
  return page.markup;
}

function historySection(
  runs: readonly RunSummary[],
  objectiveSeconds: number,
  options: HtmlOptions
): Html {
  const earlier = runs.length - 1;
  return markup`<section id="history">
    <h2>History (${runs.length} ${runs.length === 1 ? 'run' : 'runs'})</h2>
    <p class="muted">
      ${earlier === 0 ? `This run only: no earlier ${runs[0]?.kind ?? ''} run is stored` : `This run and the ${plural(earlier, `earlier ${runs[0]?.kind ?? ''} run`)} stored`}
      (at most ${HTML_HISTORY_RUNS} earlier are shown); RPO objective
      ${formatSeconds(objectiveSeconds)}.
    </p>
    ${options.historyError ? markup`<p class="warn">Earlier runs could not be read: ${options.historyError}</p>` : null}
    <div class="charts">
      <div>
        <h3>Exposure per target</h3>
        ${exposureChart(runs, objectiveSeconds)}
      </div>
      <div>
        <h3>Verdicts</h3>
        ${verdictChart(runs)}
      </div>
    </div>
  </section>`;
}

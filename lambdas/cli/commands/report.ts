import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LocalDirReportStore } from '../../adapters/report-store/local-dir-store';
import { errorMessage } from '../../core/errors';
import { plainText } from '../../core/report/format';
import { renderMarkdown } from '../../core/report/render/markdown';
import type { Report, ReportKind } from '../../core/report/schema';
import { renderHtmlReport } from '../../use-cases/report-html';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

/** Options of `harbor-dr report`. */
export interface ReportOptions {
  /** The reports directory (the --out of audit and readiness). */
  dir: string;
  /** Only reports of this kind. @default the newest of either kind */
  kind?: ReportKind;
  /** This run instead of the newest. */
  run?: string;
  /** The HTML report (with the history charts) instead of the Markdown. */
  html?: boolean;
  /** Write to this file instead of stdout. */
  output?: string;
}

const KINDS: readonly ReportKind[] = ['audit', 'readiness'];

/**
 * `harbor-dr report`: renders a stored report again, the newest by default: Markdown, or with
 * --html the self-contained HTML report with the history of the runs stored before it.
 */
export async function reportCommand(
  options: ReportOptions,
  io: CliIo
): Promise<ExitCode> {
  const dir = resolve(options.dir);
  const store = new LocalDirReportStore(dir);
  const kinds = options.kind ? [options.kind] : KINDS;
  let report: Report | null = null;
  for (const kind of kinds) {
    const found = options.run
      ? await store.read(kind, options.run)
      : ((await store.recent(kind, 1))[0] ?? null);
    if (found && (report === null || found.runId > report.runId))
      report = found;
  }
  if (report === null) {
    const what = options.run
      ? `no ${options.kind ?? 'audit or readiness'} report of run ${plainText(options.run)}`
      : `no ${options.kind ?? 'audit or readiness'} report`;
    io.err(
      `harbor-dr: ${what} in ${dir} (run \`harbor-dr audit --out ${options.dir}\` first, or pass --dir)\n`
    );
    return EXIT.USAGE;
  }
  const text = options.html
    ? await renderHtmlReport(
        {
          store,
          warn: (message, detail) => {
            const why = detail?.error;
            io.err(
              `harbor-dr: ${message}${typeof why === 'string' ? `: ${why}` : ''}\n`
            );
          },
        },
        report
      )
    : renderMarkdown(report);
  if (options.output === undefined) {
    io.out(text);
    return EXIT.OK;
  }
  try {
    writeFileSync(options.output, text);
  } catch (err) {
    io.err(`harbor-dr: cannot write ${options.output}: ${errorMessage(err)}\n`);
    return EXIT.INTERNAL;
  }
  io.err(
    `harbor-dr: wrote the ${options.html ? 'HTML' : 'Markdown'} report of run ${report.runId} (${report.kind}) to ${options.output}\n`
  );
  return EXIT.OK;
}

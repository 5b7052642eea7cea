import type { Notification } from '../ports';
import type { Report } from './schema';
import { renderSummary } from './render/summary';

/** When a run notifies: every time, when its outcome changed, or when it found a problem. */
export type NotifyMode = 'always' | 'change' | 'problem';

/** What "the outcome" of a run is, for change detection: verdicts and counts per target. */
function outcomeOf(report: Report): string {
  return JSON.stringify(
    report.targets.map((t) => [t.name, t.verdict, t.counts, t.drift.length])
  );
}

/**
 * Whether a run notifies. `change` compares with the previous run of the same kind (a first
 * run always notifies); `problem` notifies on anything but READY, UNKNOWN included.
 */
export function shouldNotify(
  mode: NotifyMode,
  report: Report,
  previous: Report | undefined
): boolean {
  if (mode === 'always') return true;
  if (mode === 'problem') return report.verdict !== 'READY';
  return previous === undefined || outcomeOf(previous) !== outcomeOf(report);
}

/** The notification of a run: a short subject, the summary, and where the report is. */
export function buildNotification(
  report: Report,
  reportLocation: string
): Notification {
  const kind = report.kind === 'audit' ? 'audit' : 'readiness';
  const subject = `harbor-dr ${kind} ${report.primary.name}: ${report.verdict}`;
  return {
    subject: subject.length > 100 ? `${subject.slice(0, 99)}…` : subject,
    body: `${renderSummary(report)}\nReport: ${reportLocation}\n`,
    attributes: {
      kind: report.kind,
      verdict: report.verdict,
      severity:
        report.verdict === 'READY'
          ? 'ok'
          : report.verdict === 'UNKNOWN'
            ? 'unknown'
            : 'problem',
    },
  };
}

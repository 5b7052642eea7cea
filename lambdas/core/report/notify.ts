import type { Notification } from '../ports';
import type { Report } from './schema';
import { renderReplicationSummary } from './render/replication';
import { renderSummary } from './render/summary';
import { chatNotification } from './notify-chat';
import {
  outcomeChanged,
  renderChanges,
  renderLinks,
  type ReportLinks,
} from './notify-body';
import { notificationSubject, targetsWorstFirst } from './notify-subject';

export {
  linkedHumanReport,
  previousOutcome,
  s3ConsoleUrl,
} from './notify-body';
export type { ReportLinks } from './notify-body';

/** When a run notifies: every time, when its outcome changed, or when it found a problem. */
export type NotifyMode = 'always' | 'change' | 'problem';

/** What a notification's body is: plain text, or a chat custom notification (JSON). */
export type NotifyFormat = 'text' | 'chat';

/** The `target` attribute when every target is READY (no configured name has parentheses). */
export const NO_TARGET = '(none)';

/**
 * Whether a run notifies. `change` compares with the previous run of the same kind (a first
 * run always notifies): a change of the run's or a target's verdict, or of a target's problem
 * counts (missing, mismatched, orphaned, unknown), never of the expected total or synced
 * count, which move with every push. `problem` notifies on anything but READY, UNKNOWN
 * included.
 */
export function shouldNotify(
  mode: NotifyMode,
  report: Report,
  previous: Report | undefined
): boolean {
  if (mode === 'always') return true;
  if (mode === 'problem') return report.verdict !== 'READY';
  return previous === undefined || outcomeChanged(report, previous);
}

/**
 * The notification of a run. Subject: the worst target and its main reason (see
 * notificationSubject). Body (text): the summary, what changed since the previous run, the
 * replication block the CLI prints, and the links to the human report. Attributes, on every
 * message: kind, verdict, severity, the worst target, the targets not READY, the format.
 */
export function buildNotification(
  report: Report,
  options: {
    links: ReportLinks;
    previous?: Report | undefined;
    format?: NotifyFormat;
  }
): Notification {
  const format = options.format ?? 'text';
  const subject = notificationSubject(report);
  const notReady = targetsWorstFirst(report).filter(
    (t) => t.verdict !== 'READY'
  );
  const attributes: Notification['attributes'] = {
    kind: report.kind,
    verdict: report.verdict,
    severity:
      report.verdict === 'READY'
        ? 'ok'
        : report.verdict === 'UNKNOWN'
          ? 'unknown'
          : 'problem',
    target: notReady[0]?.name ?? NO_TARGET,
    targets: notReady.map((t) => t.name),
    format,
  };
  if (format === 'chat') {
    // The chat's context: the single-valued attributes (the targets are in the description).
    const context: Record<string, string> = {
      kind: attributes.kind,
      verdict: attributes.verdict,
      severity: attributes.severity,
      target: attributes.target,
      format: attributes.format,
    };
    return {
      subject,
      body: JSON.stringify(
        chatNotification(report, subject, options.previous, options.links, {
          ...context,
          primary: report.primary.name,
          runId: report.runId,
        })
      ),
      attributes,
    };
  }
  const replication = renderReplicationSummary(report);
  const body = [
    renderSummary(report),
    renderChanges(report, options.previous),
    ...(replication === '' ? [] : [replication]),
    renderLinks(options.links),
  ].join('\n');
  return { subject, body, attributes };
}

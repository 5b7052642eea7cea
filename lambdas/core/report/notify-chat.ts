/**
 * The chat-ready body (`notify.format: chat`): an Amazon Q Developer in chat applications
 * custom notification (`{"version":"1.0","source":"custom","content":{...}}`), which the
 * service renders in Slack, Teams or Chime when the topic is mapped to a channel.
 */
import { plainText } from './format';
import { describeChange, targetChanges, type ReportLinks } from './notify-body';
import { mainReason, targetsWorstFirst } from './notify-subject';
import type { Report } from './schema';

/** The custom notification schema (version 1.0), the fields this tool fills. */
export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps: string[];
    keywords: string[];
  };
  metadata: {
    summary: string;
    eventType: string;
    relatedResources: string[];
    additionalContext: Record<string, string>;
  };
}

/** Targets listed in the chat message before the rest are counted. */
const MAX_TARGETS = 10;
/** The description is kept short: a chat message, not the report. */
const MAX_DESCRIPTION = 3_000;

/**
 * Untrusted text inside chat markdown: one line, without the characters that open code,
 * bold, strike or a link (`<url|text>`) in Slack's and Teams' markdown.
 */
function chatText(text: string): string {
  return plainText(text).replace(/[`*~<|]/g, ' ');
}

/**
 * A run as a custom chat notification: the subject as title, the targets that are not READY
 * (worst first, with their main reason), what changed, and the report's links.
 */
export function chatNotification(
  report: Report,
  subject: string,
  previous: Report | undefined,
  links: ReportLinks,
  attributes: Record<string, string>
): ChatNotification {
  const bad = targetsWorstFirst(report).filter((t) => t.verdict !== 'READY');
  const lines = bad
    .slice(0, MAX_TARGETS)
    .map(
      (t) =>
        `• *${t.verdict}* \`${chatText(t.name)}\`: ${chatText(mainReason(t))}`
    );
  if (bad.length > MAX_TARGETS) {
    lines.push(
      `• … and ${(bad.length - MAX_TARGETS).toString()} more not READY`
    );
  }
  if (bad.length === 0) {
    lines.push(`All ${report.targets.length.toString()} targets READY.`);
  }
  if (previous) {
    const changes = targetChanges(report, previous);
    lines.push(
      changes.length === 0
        ? 'No change since the previous run.'
        : `Changed since the previous run: ${changes
            .slice(0, MAX_TARGETS)
            .map((c) => chatText(describeChange(c)))
            .join('; ')}${changes.length > MAX_TARGETS ? '; …' : ''}`
    );
  }
  const description = lines.join('\n');
  return {
    version: '1.0',
    source: 'custom',
    id: report.runId,
    content: {
      textType: 'client-markdown',
      title: subject,
      description:
        description.length <= MAX_DESCRIPTION
          ? description
          : `${description.slice(0, MAX_DESCRIPTION - 1)}…`,
      nextSteps: [
        links.humanConsoleUrl
          ? `Read the report: ${links.humanConsoleUrl}`
          : `Read the report: ${links.human}`,
      ],
      keywords: [report.kind, report.verdict, chatText(report.primary.name)],
    },
    metadata: {
      summary: subject,
      eventType: `harbor-dr-${report.kind}`,
      relatedResources: [links.human, links.json],
      additionalContext: attributes,
    },
  };
}

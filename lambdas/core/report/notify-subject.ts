/**
 * The one line an on-call engineer reads first: the worst target, its verdict and its main
 * reason (`NOT_READY cluster-1: 2 missing, exposure 1h25m > 1h`), within SNS's subject rules.
 */
import { distinctReasons } from './format';
import { provenExposureSeconds, statedExposure } from '../inventory/rpo';
import type { Report, TargetReport, Verdict } from './schema';

/** SNS's limit on a subject, in characters (printable ASCII on one line). */
export const MAX_SUBJECT_LENGTH = 100;

const SEVERITY: Record<Verdict, number> = {
  READY: 0,
  DEGRADED: 1,
  UNKNOWN: 2,
  NOT_READY: 3,
};

/**
 * The run's targets, worst first: by verdict (NOT_READY, UNKNOWN, DEGRADED, READY, as the
 * run's verdict ranks them), then by exposure, then by problem count; stable otherwise.
 */
export function targetsWorstFirst(report: Report): TargetReport[] {
  return [...report.targets].sort(
    (a, b) =>
      SEVERITY[b.verdict] - SEVERITY[a.verdict] ||
      (provenExposureSeconds(b) ?? 0) - (provenExposureSeconds(a) ?? 0) ||
      problemCount(b) - problemCount(a)
  );
}

function problemCount(t: TargetReport): number {
  const c = t.counts;
  return c.missing + c.mismatched + c.orphaned + c.unknown;
}

/** `42s`, `25m`, `1h`, `1h25m`, `2d3h`: a duration short enough for a subject. */
export function shortDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s.toString()}s`;
  if (s < 3600) return `${Math.floor(s / 60).toString()}m`;
  const h = Math.floor(s / 3600);
  if (h < 48) {
    const m = Math.floor((s % 3600) / 60);
    return m === 0 ? `${h.toString()}h` : `${h.toString()}h${m.toString()}m`;
  }
  const rest = h % 24;
  return `${Math.floor(h / 24).toString()}d${rest === 0 ? '' : `${rest.toString()}h`}`;
}

/**
 * Why a target has its verdict, in a few words: its problem counts and exposure against the
 * objective; a failed readiness check; why it could not be seen; drift or a policy's health.
 */
export function mainReason(t: TargetReport): string {
  const c = t.counts;
  const parts = [
    c.missing > 0 ? `${c.missing.toString()} missing` : '',
    c.mismatched > 0 ? `${c.mismatched.toString()} mismatched` : '',
    c.orphaned > 0 ? `${c.orphaned.toString()} orphaned` : '',
  ].filter((p) => p !== '');
  // A breach the refs seen prove though others went unseen: `exposure at least 1h25m > 1h`.
  const exposure = statedExposure(t);
  if (
    exposure.kind !== 'unknown' &&
    exposure.seconds > t.rpo.objectiveSeconds
  ) {
    parts.push(
      `exposure ${exposure.kind === 'at-least' ? 'at least ' : ''}${shortDuration(exposure.seconds)} > ${shortDuration(t.rpo.objectiveSeconds)}`
    );
  }
  const failed = (t.checklist ?? []).find((i) => i.status === 'fail');
  if (failed && parts.length === 0) parts.push(`failed: ${failed.title}`);
  if (t.verdict === 'UNKNOWN' || (parts.length === 0 && c.unknown > 0)) {
    const why = distinctReasons([
      ...t.errors,
      ...t.shards
        .filter((s) => s.status !== 'audited')
        .map((s) => ({ scope: s.project, message: s.reason ?? s.status })),
      ...t.findings
        .filter((f) => f.state === 'unknown')
        .map((f) => ({
          scope: `${f.repository}:${f.reference}`,
          message: f.detail ?? 'not seen',
        })),
    ])[0];
    const unseen = (t.checklist ?? []).find(
      (i) => i.status === 'unknown' && i.required
    );
    parts.push(
      [
        c.unknown > 0 ? `${c.unknown.toString()} unknown` : 'not seen',
        why?.reason ?? (unseen ? `${unseen.title}: unknown` : ''),
      ]
        .filter((p) => p !== '')
        .join(': ')
    );
  }
  if (parts.length === 0) {
    if (t.drift.length > 0) parts.push(`${t.drift.length.toString()} drift`);
    const warned = (t.checklist ?? []).find((i) => i.status === 'warn');
    if (warned) parts.push(`warning: ${warned.title}`);
    const sick = (t.replication.health ?? []).find(
      (h) => h.status === 'problem'
    );
    if (sick) {
      parts.push(
        `policy ${sick.policyName}: ${sick.problems[0]?.kind ?? 'problem'}`
      );
    }
  }
  return parts.join(', ');
}

/**
 * Printable ASCII on one line, as SNS requires of a subject: accents dropped (`é` → `e`),
 * other characters `?`, runs of whitespace one space.
 */
export function asciiLine(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
}

/** Cuts a line to `max` characters, ending in `...` when cut. */
export function cutLine(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3).trimEnd()}...`;
}

/**
 * The subject of a run's notification: `<VERDICT> <worst target>: <main reason>`, how many
 * other targets are not READY, then the kind of run and the primary. Parts are dropped from
 * the end (context first, then the reason's tail) to fit SNS's 100 printable ASCII characters.
 */
export function notificationSubject(report: Report): string {
  const context = `[${report.kind} ${report.primary.name}]`;
  const [worst] = targetsWorstFirst(report);
  let head: string;
  let others = '';
  if (!worst || worst.verdict === 'READY') {
    const n = report.targets.length;
    head =
      report.verdict === 'READY'
        ? `READY: ${n.toString()} target${n === 1 ? '' : 's'} in sync`
        : // A run whose own scope was unseen (the primary): no target is to blame.
          `${report.verdict}: ${runReason(report)}`;
  } else {
    const reason = mainReason(worst);
    head = `${worst.verdict} ${worst.name}${reason === '' ? '' : `: ${reason}`}`;
    const more = report.targets.filter(
      (t) => t !== worst && t.verdict !== 'READY'
    ).length;
    if (more > 0) others = `(+${more.toString()} not READY)`;
  }
  const a = asciiLine(head);
  const b = others === '' ? '' : ` ${asciiLine(others)}`;
  const c = ` ${asciiLine(context)}`;
  for (const candidate of [`${a}${b}${c}`, `${a}${b}`]) {
    if (candidate.length <= MAX_SUBJECT_LENGTH) return candidate;
  }
  return `${cutLine(a, MAX_SUBJECT_LENGTH - b.length)}${b}`;
}

function runReason(report: Report): string {
  const why = distinctReasons(report.errors)[0];
  return why?.reason ?? 'see the report';
}

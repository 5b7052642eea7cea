import { statedExposure } from '../../inventory/rpo';
import type { Report, TargetReport } from '../schema';

/**
 * A report as OpenMetrics text for the node_exporter textfile collector (gauges only, which
 * its Prometheus text parser reads too). A value that is not known is omitted, never written
 * as 0: no exposure when the RPO estimate is unknown (only its lower bound, when the refs that
 * were seen prove one, as `harbor_dr_exposure_at_least_seconds`, a family of its own), no
 * `harbor_dr_target_ready` for an UNKNOWN target, and for an UNKNOWN target only the non-zero
 * ref counts (lower bounds: what was seen), since a zero there only says that nothing was seen.
 */
export function renderMetrics(report: Report): string {
  const families: Family[] = [
    {
      name: 'harbor_dr_last_run_timestamp_seconds',
      help: 'When the last run of this kind finished (Unix time).',
      unit: 'seconds',
      samples: [
        {
          labels: { kind: report.kind },
          value: Date.parse(report.finishedAt) / 1000,
        },
      ],
    },
    {
      name: 'harbor_dr_exposure_seconds',
      help: 'RPO estimate: age of the oldest change not yet on the target; absent when unknown.',
      unit: 'seconds',
      samples: report.targets.flatMap((t) =>
        t.rpo.estimateSeconds === null
          ? []
          : [{ labels: { target: t.name }, value: t.rpo.estimateSeconds }]
      ),
    },
    {
      name: 'harbor_dr_exposure_at_least_seconds',
      help: 'RPO exposure lower bound when the estimate is unknown: refs went unseen, and the refs seen prove the exposure is at least this; absent when the estimate is known or nothing is proven.',
      unit: 'seconds',
      samples: report.targets.flatMap((t) => {
        const e = statedExposure(t);
        return e.kind === 'at-least'
          ? [{ labels: { target: t.name }, value: e.seconds }]
          : [];
      }),
    },
    {
      name: 'harbor_dr_rpo_objective_seconds',
      help: 'The recovery point objective the exposure is measured against.',
      unit: 'seconds',
      samples: report.targets.map((t) => ({
        labels: { target: t.name },
        value: t.rpo.objectiveSeconds,
      })),
    },
    {
      name: 'harbor_dr_target_ready',
      help: '1 when the target is READY, 0 when DEGRADED or NOT_READY; absent when UNKNOWN.',
      samples: report.targets.flatMap((t) =>
        t.verdict === 'UNKNOWN'
          ? []
          : [
              {
                labels: { target: t.name },
                value: t.verdict === 'READY' ? 1 : 0,
              },
            ]
      ),
    },
    {
      name: 'harbor_dr_target_verdict',
      help: '1 for the target verdict of the last run (READY, DEGRADED, NOT_READY or UNKNOWN), 0 for the others.',
      samples: report.targets.flatMap((t) =>
        VERDICTS.map((v) => ({
          labels: { target: t.name, verdict: v },
          value: t.verdict === v ? 1 : 0,
        }))
      ),
    },
    {
      name: 'harbor_dr_refs',
      help: 'Refs per target and state (expected, synced, missing, mismatched, orphaned, unknown); for an UNKNOWN target only non-zero counts, lower bounds.',
      samples: report.targets.flatMap(refSamples),
    },
  ];
  const lines: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    lines.push(`# TYPE ${f.name} gauge`);
    if (f.unit) lines.push(`# UNIT ${f.name} ${f.unit}`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    for (const s of f.samples) {
      lines.push(`${f.name}${labelsText(s.labels)} ${numberText(s.value)}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

const VERDICTS = ['READY', 'DEGRADED', 'NOT_READY', 'UNKNOWN'] as const;

const REF_STATES = [
  'expected',
  'synced',
  'missing',
  'mismatched',
  'orphaned',
  'unknown',
] as const;

interface Sample {
  labels: Record<string, string>;
  value: number;
}

interface Family {
  name: string;
  help: string;
  unit?: string;
  samples: Sample[];
}

function refSamples(t: TargetReport): Sample[] {
  return REF_STATES.flatMap((state) => {
    const value = t.counts[state];
    if (value === 0 && t.verdict === 'UNKNOWN') return [];
    return [{ labels: { target: t.name, state }, value }];
  });
}

function labelsText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${escapeLabel(v)}"`
  );
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Label values escape backslash, double quote and line feed (the exposition formats). */
function escapeLabel(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r?\n|\r/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\r?\n|\r/g, '\\n');
}

function numberText(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

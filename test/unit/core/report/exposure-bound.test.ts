/**
 * A target whose exposure is unknown (a shard went unseen) while the refs that were seen prove
 * a breach: the report reads NOT_READY for exposure, and every place that shows the exposure
 * shows the lower bound and why it is only one, never "exposure unknown" or nothing.
 */
import { rpoTrend } from '../../../../lambdas/core/inventory/trend';
import { buildNotification } from '../../../../lambdas/core/report/notify';
import {
  notificationSubject,
  targetsWorstFirst,
} from '../../../../lambdas/core/report/notify-subject';
import {
  renderHtml,
  summarizeRun,
} from '../../../../lambdas/core/report/render/html';
import { renderMarkdown } from '../../../../lambdas/core/report/render/markdown';
import { renderSummary } from '../../../../lambdas/core/report/render/summary';
import {
  reportSchema,
  type Report,
  type TargetReport,
} from '../../../../lambdas/core/report/schema';
import { report, targetReport } from '../../../helpers/report-fixture';

const PUSHED = '2026-11-29T00:35:00.000Z';

/** Seen: library/app:v2 missing since 00:35 (1h25m before the run); unseen: project edge. */
function bounded(overrides: Partial<TargetReport> = {}): TargetReport {
  return targetReport({
    verdict: 'NOT_READY',
    counts: {
      expected: 4,
      synced: 2,
      missing: 1,
      mismatched: 0,
      orphaned: 0,
      unknown: 0,
    },
    findings: [
      {
        state: 'missing',
        target: 'cluster1',
        repository: 'library/app',
        reference: 'v2',
        source: {
          repository: 'library/app',
          reference: 'v2',
          pushTime: PUSHED,
        },
      },
    ],
    shards: [
      { project: 'library', status: 'audited' },
      { project: 'edge', status: 'not-audited', reason: 'run deadline' },
    ],
    rpo: {
      ...targetReport().rpo,
      estimateSeconds: null,
      estimateAtLeastSeconds: 5_100,
      oldestUnsyncedPushTime: PUSHED,
    },
    ...overrides,
  });
}

const run: Report = report({ verdict: 'NOT_READY', targets: [bounded()] });

/** The same target in a report written before the bound was stored. */
const older: Report = report({
  verdict: 'NOT_READY',
  targets: [
    bounded({
      rpo: {
        ...targetReport().rpo,
        estimateSeconds: null,
        oldestUnsyncedPushTime: PUSHED,
      },
    }),
  ],
});

describe('the exposure lower bound in the report', () => {
  it('is a valid report field, and reports without it stay valid', () => {
    expect(reportSchema.parse(run)).toEqual(run);
    expect(reportSchema.parse(older)).toEqual(older);
    expect(() =>
      reportSchema.parse(
        report({
          targets: [
            targetReport({
              rpo: { ...targetReport().rpo, estimateAtLeastSeconds: -1 },
            }),
          ],
        })
      )
    ).toThrow(/estimateAtLeastSeconds/);
  });
});

describe('renderers show the bound when the estimate is unknown', () => {
  it('Markdown: the verdict table and the target section, with why it is a bound', () => {
    const md = renderMarkdown(run);

    expect(md).toMatch(
      /\| cluster1 \| distribution \| ❌ NOT_READY \|.*\| ≥ 1h 25m \|\n/
    );
    expect(md).toContain(
      `RPO exposure ≥ 1h 25m (objective 1h 00m), oldest unsynced push ${PUSHED}; a lower bound: 1 scope could not be seen`
    );
  });

  it('Markdown: a report without the bound still reads unknown (—), not 0', () => {
    const md = renderMarkdown(older);

    expect(md).toMatch(/\| 0 \| — \|\n/);
    expect(md).not.toContain('RPO exposure');
  });

  it('HTML: the verdict card shows the bound as a breach, with why', () => {
    const page = renderHtml(run, []);

    const card = /<article\s+class="card"[\s\S]*?<\/article>/.exec(page)?.[0];
    expect(card).toBeDefined();
    expect(card).toMatch(
      /<p class="bad">\s*Exposure <strong>≥ 1h 25m<\/strong>/
    );
    expect(card).toMatch(
      /\(objective\s+1h 00m\); a lower bound: 1 scope could not be seen/
    );
  });

  it('HTML: the exposure chart says the bound of an earlier run', () => {
    const earlier = summarizeRun(
      report({
        runId: '20261129T010000000Z-r01',
        startedAt: '2026-11-29T01:00:00.000Z',
        finishedAt: '2026-11-29T01:00:05.000Z',
        verdict: 'NOT_READY',
        targets: [bounded()],
      })
    );

    expect(earlier.targets[0]?.estimateAtLeastSeconds).toBe(5_100);
    const page = renderHtml(report(), [earlier]);
    const marker = /<rect\s+class="point unknown s0"[\s\S]*?<\/rect/.exec(
      page
    )?.[0];
    expect(marker?.replace(/\s+/g, ' ')).toContain(
      'exposure ≥ 1h 25m, not known exactly (NOT_READY)'
    );
  });

  it('the CLI summary says the bound and why', () => {
    const text = renderSummary(run);

    expect(text).toContain(
      'cluster1  NOT_READY  2/4 synced, 1 missing, exposure ≥ 1h 25m (a lower bound: 1 scope could not be seen)'
    );
  });

  it('the notification subject says "at least" (ASCII), the body the summary line', () => {
    expect(notificationSubject(run)).toBe(
      'NOT_READY cluster1: 1 missing, exposure at least 1h25m > 1h [audit harbor-primary]'
    );
    const note = buildNotification(run, {
      links: { human: 's3://b/r.md', json: 's3://b/r.json' },
    });
    expect(note.subject).toBe(notificationSubject(run));
    expect(note.body).toContain(
      'exposure ≥ 1h 25m (a lower bound: 1 scope could not be seen)'
    );
  });

  it('ranks a target by its bound among targets of the same verdict', () => {
    const known = targetReport({
      name: 'cluster2',
      verdict: 'NOT_READY',
      rpo: { ...targetReport().rpo, estimateSeconds: 4_000 },
    });
    const two = report({ targets: [known, bounded()] });

    expect(targetsWorstFirst(two).map((t) => t.name)).toEqual([
      'cluster1',
      'cluster2',
    ]);
  });

  it('names unseen refs and undated unsynced refs as the reason', () => {
    const t = bounded({
      counts: { ...bounded().counts, unknown: 2 },
      shards: [{ project: 'library', status: 'audited' }],
      findings: [
        ...bounded().findings,
        {
          state: 'missing',
          target: 'cluster1',
          repository: 'library/app',
          reference: 'v3',
          source: { repository: 'library/app', reference: 'v3' },
        },
      ],
    });

    expect(renderSummary(report({ targets: [t] }))).toContain(
      '(a lower bound: 2 refs could not be seen; 1 unsynced ref carries no push time)'
    );
  });
});

describe('the RPO trend carries the bound', () => {
  it("keeps an earlier run's bound and shows it in the readiness trend table", () => {
    const trend = rpoTrend([run], 'cluster1', {
      runId: '20261129T030000000Z-now',
      kind: 'readiness',
      at: '2026-11-29T03:00:00.000Z',
      verdict: 'READY',
      estimateSeconds: 0,
      p95DelaySeconds: null,
    });

    expect(trend[0]).toMatchObject({
      estimateSeconds: null,
      estimateAtLeastSeconds: 5_100,
    });
    const md = renderMarkdown(
      report({
        kind: 'readiness',
        targets: [
          targetReport({
            checklist: [],
            rpo: { ...targetReport().rpo, trend },
          }),
        ],
      })
    );
    expect(md).toContain(
      `| ${run.runId} | audit | ${run.startedAt} | NOT\\_READY | ≥ 1h 25m | — |`
    );
  });
});

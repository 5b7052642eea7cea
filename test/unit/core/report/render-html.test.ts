import { createHash } from 'node:crypto';
import {
  renderHtml,
  summarizeRun,
  type RunSummary,
} from '../../../../lambdas/core/report/render/html';
import {
  escapeHtml,
  Html,
  markup,
  scriptJson,
} from '../../../../lambdas/core/report/render/html/escape';
import { chartRuns } from '../../../../lambdas/core/report/render/html/history';
import { findingsData } from '../../../../lambdas/core/report/render/html/findings';
import type { Report } from '../../../../lambdas/core/report/schema';
import { report, targetReport } from '../../../helpers/report-fixture';

const HOSTILE = `<img src=x onerror=alert(1)>"'&\``;

/** A report of the run at `hour` (UTC) on 2026-11-29. */
function runAt(hour: number, overrides: Partial<Report> = {}): Report {
  const hh = String(hour).padStart(2, '0');
  return report({
    runId: `20261129T${hh}0000000Z-r${hh}`,
    startedAt: `2026-11-29T${hh}:00:00.000Z`,
    finishedAt: `2026-11-29T${hh}:00:05.000Z`,
    ...overrides,
  });
}

describe('the markup template', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const out = markup`<p title="${HOSTILE}">${HOSTILE}</p>`.markup;

    expect(out).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;&#96;">&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;&#96;</p>'
    );
  });

  it('keeps nested markup, joins lists, renders nothing for null, undefined and false', () => {
    const inner = markup`<b>${'<i>'}</b>`;

    expect(
      markup`${inner}${[HOSTILE, inner]}${null}${undefined}${false}${3}`.markup
    ).toBe(
      '<b>&lt;i&gt;</b>&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;&#96;<b>&lt;i&gt;</b>3'
    );
  });

  it('cannot be forged from a string', () => {
    expect(
      () => new Html(Symbol('html') as never, '<script>alert(1)</script>')
    ).toThrow(/markup`` template/);
  });

  it('turns bidirectional overrides and controls into U+FFFD', () => {
    expect(escapeHtml('a\u202eb\u0007c\td')).toBe('a\ufffdb\ufffdc\td');
  });
});

describe('scriptJson', () => {
  it('writes JSON that cannot end its script element and reads back the same value', () => {
    const value = {
      s: '</script><!--<script>alert(1)</script>&\u2028\u2029',
    };

    const out = scriptJson('data', value).markup;
    const body = out.slice(
      out.indexOf('>') + 1,
      out.length - '</script>'.length
    );

    expect(body).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(body)).toEqual(value);
  });
});

describe('renderHtml', () => {
  it('allows exactly its own inline style and script by hash, and nothing from the network', () => {
    const page = renderHtml(report(), []);
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(
      page
    )?.[1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
    const hash = (text: string) =>
      `&#39;sha256-${createHash('sha256').update(text).digest('base64')}&#39;`;

    expect(csp).toContain('default-src &#39;none&#39;');
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(page).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });

  it('escapes the names of targets, policies, tags and task log lines', () => {
    const page = renderHtml(
      report({
        primary: { name: HOSTILE, url: 'https://x' },
        policies: [
          {
            id: 1,
            name: HOSTILE,
            targets: [HOSTILE],
            expected: 1,
            warnings: [HOSTILE],
            errors: [],
          },
        ],
        targets: [
          targetReport({
            name: HOSTILE,
            findings: [
              {
                state: 'missing',
                target: HOSTILE,
                repository: 'library/nginx',
                reference: HOSTILE,
              },
            ],
            replication: {
              executions: [],
              failedTasks: [
                {
                  policyName: HOSTILE,
                  executionId: 1,
                  taskId: 2,
                  status: 'Failed',
                  srcResource: HOSTILE,
                  dstResource: HOSTILE,
                  logExcerpt: [HOSTILE],
                },
              ],
              retriggered: [],
            },
            drift: [
              {
                category: HOSTILE,
                name: HOSTILE,
                severity: 'critical',
                primary: HOSTILE,
              },
            ],
          }),
        ],
      }),
      [summarizeRun(runAt(1, { targets: [targetReport({ name: HOSTILE })] }))]
    );

    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // Only the page's own two script elements.
    expect(page.match(/<script/g)).toHaveLength(2);
  });

  it('charts this run after the earlier ones, oldest first, at most 30 earlier', () => {
    const current = runAt(23);
    const history: RunSummary[] = Array.from({ length: 40 }, (_, i) =>
      summarizeRun(
        report({
          runId: `20261128T${String(i).padStart(4, '0')}00000Z-h`,
          startedAt: `2026-11-28T${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 === 0 ? '00' : '30'}:00.000Z`,
        })
      )
    ).reverse();

    const runs = chartRuns(current, [
      ...history,
      summarizeRun(current),
      summarizeRun(runAt(23, { runId: '20261129T230000000Z-zlater' })),
    ]);

    expect(runs).toHaveLength(31);
    expect(runs.at(-1)?.runId).toBe(current.runId);
    const times = runs.map((r) => r.startedAt);
    expect(times).toEqual([...times].sort());
    expect(runs[0]?.startedAt).toBe('2026-11-28T05:00:00.000Z');
  });

  it('draws one exposure point and one verdict cell per run and target, unknown exposure as a hollow marker', () => {
    const earlier = [1, 2, 3].map((h) =>
      summarizeRun(
        runAt(h, {
          targets: [
            targetReport({
              name: 'cluster1',
              verdict: h === 2 ? 'UNKNOWN' : 'DEGRADED',
              rpo: {
                ...targetReport().rpo,
                estimateSeconds: h === 2 ? null : h * 600,
              },
            }),
          ],
        })
      )
    );

    const page = renderHtml(runAt(4), earlier);

    expect(page).toContain('id="chart-exposure" data-runs="4"');
    expect(page.match(/<circle\s+class="point s0"/g)).toHaveLength(3);
    expect(page.match(/<rect\s+class="point unknown s0"/g)).toHaveLength(1);
    expect(
      page.match(
        /<rect\s+class="point verdict v-[A-Z_]+"\s+data-run="[^"]+"\s+data-target="cluster1"/g
      )
    ).toHaveLength(4);
    expect(page).toContain('History (4 runs)');
    expect(page.replace(/\s+/g, ' ')).toContain(
      'This run and the 3 earlier audit runs stored (at most 30 earlier are shown)'
    );
  });

  it('says when no earlier run is stored (not "the no earlier runs")', () => {
    const page = renderHtml(report(), []);

    expect(page.replace(/\s+/g, ' ')).toContain(
      'This run only: no earlier audit run is stored (at most 30 earlier are shown)'
    );
  });

  it('says why the history is missing when the store could not be read', () => {
    const page = renderHtml(report(), [], { historyError: 'AccessDenied' });

    expect(page).toContain('Earlier runs could not be read: AccessDenied');
    expect(page).toContain('data-runs="1"');
  });

  it('lists the readiness checklist of a readiness report', () => {
    const page = renderHtml(
      report({
        kind: 'readiness',
        targets: [
          targetReport({
            checklist: [
              {
                id: 'reachable',
                title: 'Target reachable',
                status: 'fail',
                evidence: 'connection refused',
                required: true,
              },
            ],
          }),
        ],
      }),
      []
    );

    expect(page).toContain('id="checklist"');
    expect(page).toContain('Target reachable');
    expect(page).toContain('connection refused');
  });
});

describe('findingsData', () => {
  it('indexes states, targets and policies, and keeps every finding', () => {
    const data = findingsData(
      report({
        targets: [
          targetReport({
            name: 'a',
            findings: [
              {
                state: 'missing',
                target: 'a',
                repository: 'r',
                reference: 't1',
                policy: { id: 1, name: 'p', override: false, deletion: false },
              },
              {
                state: 'unknown',
                target: 'a',
                repository: 'r',
                reference: 't2',
              },
            ],
          }),
          targetReport({
            name: 'b',
            findings: [
              {
                state: 'missing',
                target: 'b',
                repository: 'r',
                reference: 't1',
                policy: { id: 1, name: 'p', override: false, deletion: false },
              },
            ],
          }),
        ],
      })
    );

    expect(data.states).toEqual(['missing', 'unknown']);
    expect(data.targets).toEqual(['a', 'b']);
    expect(data.policies).toEqual(['p']);
    expect(data.rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      [0, 0, 0, 't1'],
      [1, 0, -1, 't2'],
      [0, 1, 0, 't1'],
    ]);
  });
});

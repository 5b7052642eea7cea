import { distinctReasons } from '../../../../lambdas/core/report/format';
import { renderMarkdown } from '../../../../lambdas/core/report/render/markdown';
import { renderSummary } from '../../../../lambdas/core/report/render/summary';
import { report, targetReport } from '../../../helpers/report-fixture';

const REPOS = Array.from({ length: 13 }, (_, i) => `library/app${i}`);

/** A target whose every repository answered 401, and one project that timed out. */
const unauthorized = () =>
  report({
    verdict: 'UNKNOWN',
    targets: [
      targetReport({
        name: 'cluster1',
        verdict: 'UNKNOWN',
        counts: {
          expected: 13,
          synced: 0,
          missing: 0,
          mismatched: 0,
          orphaned: 0,
          unknown: 13,
        },
        rpo: { ...targetReport().rpo, estimateSeconds: null },
        errors: [
          ...REPOS.map((r) => ({
            scope: `cluster1/${r}`,
            message: `cluster1 GET /v2/${r}/tags/list?n=1000: HTTP 401 UNAUTHORIZED`,
          })),
          {
            scope: 'cluster1/team',
            message:
              'cluster1 GET /v2/_catalog: no response headers within 30000 ms (headersTimeout)',
          },
        ],
      }),
    ],
  });

describe('UNKNOWN reasons, each said once', () => {
  it('groups messages that differ only by the request path, most frequent first', () => {
    const groups = distinctReasons([
      { scope: 'a', message: 'x GET /v2/a/tags/list: HTTP 401' },
      { scope: 'b', message: 'x GET /v2/b/tags/list: HTTP 401' },
      { scope: 'c', message: 'deadline reached: not audited' },
      { scope: 'd', message: 'x GET /v2/d/tags/list: HTTP 401' },
    ]);

    expect(groups).toEqual([
      { reason: 'x GET …: HTTP 401', scopes: ['a', 'b', 'd'] },
      { reason: 'deadline reached: not audited', scopes: ['c'] },
    ]);
  });

  it('the Markdown says the 401 once, with its 13 scopes, not 13 times', () => {
    const md = renderMarkdown(unauthorized());

    expect(md.match(/HTTP 401/g)).toHaveLength(1);
    expect(md).toContain(
      '- ❓ cluster1 GET …: HTTP 401 UNAUTHORIZED (13 scopes: `cluster1/library/app0`, '
    );
    expect(md).toContain(', and 3 more)');
    expect(md).toContain(
      '- ❓ `cluster1/team`: cluster1 GET /v2/\\_catalog: no response headers within 30000 ms (headersTimeout)'
    );
  });

  it('the summary names the distinct reasons of an UNKNOWN target on its line, once each', () => {
    const text = renderSummary(unauthorized());

    expect(text).toContain('0/13 synced, 13 UNKNOWN');
    expect(text).toContain(
      'unknown because: cluster1 GET …: HTTP 401 UNAUTHORIZED (13 scopes); cluster1 GET /v2/_catalog: no response headers within 30000 ms (headersTimeout)'
    );
    expect(text).toContain(
      '    cluster1 GET …: HTTP 401 UNAUTHORIZED (13 scopes: cluster1/library/app0, cluster1/library/app1, cluster1/library/app2, …)'
    );
    // Once on the target's line, once in the "Not seen" list: never per scope.
    expect(text.match(/HTTP 401/g)).toHaveLength(2);
  });
});

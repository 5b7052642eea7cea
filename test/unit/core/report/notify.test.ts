import {
  buildNotification,
  shouldNotify,
} from '../../../../lambdas/core/report/notify';
import { report, targetReport } from '../../../helpers/report-fixture';

const ready = report();
const degraded = report({
  verdict: 'DEGRADED',
  targets: [
    targetReport({
      verdict: 'DEGRADED',
      counts: {
        expected: 3,
        synced: 2,
        missing: 1,
        mismatched: 0,
        orphaned: 0,
        unknown: 0,
      },
    }),
  ],
});

describe('shouldNotify', () => {
  it.each([
    ['always', ready, ready, true],
    ['problem', ready, undefined, false],
    ['problem', degraded, degraded, true],
    ['problem', report({ verdict: 'UNKNOWN' }), undefined, true],
    ['change', ready, undefined, true], // a first run
    ['change', ready, ready, false],
    ['change', degraded, ready, true],
    ['change', degraded, degraded, false],
  ] as const)('%s: %#', (mode, current, previous, expected) => {
    expect(shouldNotify(mode, current, previous)).toBe(expected);
  });
});

describe('buildNotification', () => {
  it('gives a short subject, the summary, the report location and filterable attributes', () => {
    const n = buildNotification(degraded, 's3://bucket/reports/audit/x.json');

    expect(n.subject).toBe('harbor-dr audit harbor-primary: DEGRADED');
    expect(n.body).toContain('2/3 synced, 1 missing');
    expect(n.body).toContain('Report: s3://bucket/reports/audit/x.json');
    expect(n.attributes).toEqual({
      kind: 'audit',
      verdict: 'DEGRADED',
      severity: 'problem',
    });
    expect(
      buildNotification(report({ verdict: 'UNKNOWN' }), 'x').attributes.severity
    ).toBe('unknown');
  });

  it('keeps the subject within SNS’s 100 characters', () => {
    const long = report({
      primary: { name: 'p'.repeat(150), url: 'https://h' },
    });

    expect(buildNotification(long, 'x').subject.length).toBeLessThanOrEqual(
      100
    );
  });
});

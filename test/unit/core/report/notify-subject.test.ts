import {
  mainReason,
  notificationSubject,
  shortDuration,
  targetsWorstFirst,
} from '../../../../lambdas/core/report/notify-subject';
import { report, targetReport } from '../../../helpers/report-fixture';

const rpo = targetReport().rpo;

describe('shortDuration', () => {
  it.each([
    [42, '42s'],
    [60, '1m'],
    [1_500, '25m'],
    [3_600, '1h'],
    [5_100, '1h25m'],
    [47 * 3_600 + 59 * 60, '47h59m'],
    [48 * 3_600, '2d'],
    [51 * 3_600, '2d3h'],
  ])('%d s is %s', (seconds, text) => {
    expect(shortDuration(seconds)).toBe(text);
  });
});

describe('mainReason', () => {
  it('gives the problem counts, then the exposure against the objective when above it', () => {
    expect(
      mainReason(
        targetReport({
          verdict: 'NOT_READY',
          counts: { ...targetReport().counts, missing: 2, mismatched: 1 },
          rpo: { ...rpo, estimateSeconds: 5_100 },
        })
      )
    ).toBe('2 missing, 1 mismatched, exposure 1h25m > 1h');
    expect(
      mainReason(
        targetReport({
          verdict: 'DEGRADED',
          counts: { ...targetReport().counts, orphaned: 3 },
          rpo: { ...rpo, estimateSeconds: 60 },
        })
      )
    ).toBe('3 orphaned');
  });

  it('gives why an UNKNOWN target could not be seen (the most frequent reason)', () => {
    expect(
      mainReason(
        targetReport({
          verdict: 'UNKNOWN',
          errors: [
            { scope: 'c/a', message: 'c GET /v2/a/tags/list: HTTP 401' },
            { scope: 'c/b', message: 'c GET /v2/b/tags/list: HTTP 401' },
            { scope: 'c', message: 'timeout' },
          ],
        })
      )
    ).toBe('not seen: c GET …: HTTP 401');
    expect(
      mainReason(
        targetReport({
          verdict: 'UNKNOWN',
          counts: { ...targetReport().counts, unknown: 4 },
          shards: [
            { project: 'library', status: 'not-audited', reason: 'deadline' },
          ],
        })
      )
    ).toBe('4 unknown: deadline');
  });

  it('gives the failed readiness check when no count explains the verdict', () => {
    expect(
      mainReason(
        targetReport({
          verdict: 'NOT_READY',
          checklist: [
            {
              id: 'a',
              title: 'Registry reachable',
              status: 'pass',
              evidence: '',
              required: true,
            },
            {
              id: 'b',
              title: 'Robot accounts present',
              status: 'fail',
              evidence: '',
              required: true,
            },
          ],
        })
      )
    ).toBe('failed: Robot accounts present');
  });
});

describe('targetsWorstFirst', () => {
  it('orders by verdict (NOT_READY, UNKNOWN, DEGRADED, READY), then exposure', () => {
    const r = report({
      targets: [
        targetReport({ name: 'ok' }),
        targetReport({ name: 'deg', verdict: 'DEGRADED' }),
        targetReport({ name: 'unk', verdict: 'UNKNOWN' }),
        targetReport({
          name: 'nr-small',
          verdict: 'NOT_READY',
          rpo: { ...rpo, estimateSeconds: 4_000 },
        }),
        targetReport({
          name: 'nr-big',
          verdict: 'NOT_READY',
          rpo: { ...rpo, estimateSeconds: 9_000 },
        }),
      ],
    });

    expect(targetsWorstFirst(r).map((t) => t.name)).toEqual([
      'nr-big',
      'nr-small',
      'unk',
      'deg',
      'ok',
    ]);
  });
});

describe('notificationSubject', () => {
  it('drops the run context before cutting the reason', () => {
    const subject = notificationSubject(
      report({
        verdict: 'NOT_READY',
        primary: { name: 'primary-with-a-rather-long-name', url: 'https://h' },
        targets: [
          targetReport({
            name: 'cluster-with-a-long-name-in-region-eu-west-1',
            verdict: 'NOT_READY',
            counts: { ...targetReport().counts, missing: 2 },
            rpo: { ...rpo, estimateSeconds: 5_100 },
          }),
        ],
      })
    );

    expect(subject).toBe(
      'NOT_READY cluster-with-a-long-name-in-region-eu-west-1: 2 missing, exposure 1h25m > 1h'
    );
  });

  it('names the run’s own reason when no target is to blame (the primary unseen)', () => {
    expect(
      notificationSubject(
        report({
          verdict: 'UNKNOWN',
          errors: [{ scope: 'primary', message: 'primary: HTTP 503' }],
        })
      )
    ).toBe('UNKNOWN: primary: HTTP 503 [audit harbor-primary]');
  });
});

import type {
  Finding,
  FindingCounts,
  ShardStatus,
} from '../../../../lambdas/core/report/schema';
import {
  delayDistribution,
  estimateExposure,
  exposureFields,
  unseenScopesOf,
} from '../../../../lambdas/core/inventory/rpo';
import {
  auditVerdict,
  worstVerdict,
} from '../../../../lambdas/core/readiness/verdict';

const now = new Date('2026-11-29T12:00:00Z');
const finding = (state: Finding['state'], pushTime?: string): Finding => ({
  state,
  target: 't',
  repository: 'library/app',
  reference: 'v1',
  source: {
    repository: 'library/app',
    reference: 'v1',
    ...(pushTime ? { pushTime } : {}),
  },
});

describe('estimateExposure', () => {
  it('is now minus the oldest push among missing or mismatched refs', () => {
    const findings = [
      finding('synced', '2026-11-01T00:00:00Z'),
      finding('missing', '2026-11-29T11:50:00Z'),
      finding('digest-mismatch', '2026-11-29T10:00:00Z'),
      finding('unexpected', '2026-11-01T00:00:00Z'),
    ];

    const exposure = estimateExposure(findings, now);

    expect(exposure).toEqual({
      seconds: 7200,
      atLeastSeconds: 7200,
      oldestUnsyncedPushTime: '2026-11-29T10:00:00Z',
      undated: 0,
      unseen: 0,
    });
  });

  it('is 0 when everything arrived', () => {
    expect(
      estimateExposure([finding('synced', '2026-11-01T00:00:00Z')], now).seconds
    ).toBe(0);
  });

  it('is unknown, not 0, when unsynced refs carry no push time', () => {
    expect(estimateExposure([finding('missing')], now)).toEqual({
      seconds: null,
      atLeastSeconds: 0,
      oldestUnsyncedPushTime: null,
      undated: 1,
      unseen: 0,
    });
  });

  // Issue 11 problem 9: every manifest HEAD of a target hung; 6 of 6 refs unseen read as
  // "exposure 0s" (and ExposureSeconds=0).
  it('is unknown, not 0, when expected refs are unseen', () => {
    const unseen = Array.from({ length: 6 }, () =>
      finding('unknown', '2026-11-29T11:00:00Z')
    );

    expect(estimateExposure(unseen, now)).toMatchObject({
      seconds: null,
      atLeastSeconds: 0,
      unseen: 6,
    });
  });

  it('is unknown, not 0, when a scope of the target was not seen', () => {
    const exposure = estimateExposure(
      [finding('synced', '2026-11-01T00:00:00Z')],
      now,
      1
    );

    expect(exposure.seconds).toBeNull();
    expect(exposure.unseen).toBe(1);
  });

  it('keeps what the refs seen prove as a lower bound', () => {
    const exposure = estimateExposure(
      [finding('missing', '2026-11-29T10:00:00Z'), finding('unknown')],
      now
    );

    expect(exposure).toMatchObject({
      seconds: null,
      atLeastSeconds: 7200,
      oldestUnsyncedPushTime: '2026-11-29T10:00:00Z',
    });
  });
});

describe('delayDistribution', () => {
  it('gives nearest-rank p50, p95 and max', () => {
    const delays = Array.from({ length: 20 }, (_, i) => i + 1);

    expect(delayDistribution(delays)).toEqual({ p50: 10, p95: 19, max: 20 });
    expect(delayDistribution([])).toEqual({ p50: null, p95: null, max: null });
  });
});

describe('auditVerdict', () => {
  const counts = (c: Partial<FindingCounts>): FindingCounts => ({
    expected: 10,
    synced: 10,
    missing: 0,
    mismatched: 0,
    orphaned: 0,
    unknown: 0,
    ...c,
  });
  const base = { unseenScopes: 0, exposureSeconds: 0, objectiveSeconds: 3600 };

  it.each<[string, Parameters<typeof auditVerdict>[0], string]>([
    ['all synced', { ...base, counts: counts({}) }, 'READY'],
    [
      'a recent missing ref',
      {
        ...base,
        counts: counts({ synced: 9, missing: 1 }),
        exposureSeconds: 60,
      },
      'DEGRADED',
    ],
    ['an orphan', { ...base, counts: counts({ orphaned: 1 }) }, 'DEGRADED'],
    [
      'a missing ref older than the objective',
      {
        ...base,
        counts: counts({ synced: 9, missing: 1 }),
        exposureSeconds: 7200,
      },
      'NOT_READY',
    ],
    [
      'an unknown ref',
      { ...base, counts: counts({ synced: 9, unknown: 1 }) },
      'UNKNOWN',
    ],
    [
      'an unseen scope with nothing else wrong',
      { ...base, counts: counts({}), unseenScopes: 1 },
      'UNKNOWN',
    ],
    [
      'an unknown ref and a recent missing ref',
      {
        ...base,
        counts: counts({ synced: 8, missing: 1, unknown: 1 }),
        exposureSeconds: 60,
      },
      'UNKNOWN',
    ],
  ])('%s → %s', (_label, input, expected) => {
    expect(auditVerdict(input)).toBe(expected);
  });

  it('takes the worst verdict of a run, never letting READY hide UNKNOWN', () => {
    expect(worstVerdict(['READY', 'UNKNOWN', 'DEGRADED'])).toBe('UNKNOWN');
    expect(worstVerdict(['UNKNOWN', 'NOT_READY'])).toBe('NOT_READY');
    expect(worstVerdict([])).toBe('READY');
  });
});

describe('the exposure a report states', () => {
  const seen = (shards: ShardStatus[], errors = 0) => ({
    shards,
    errors: Array.from({ length: errors }, () => ({
      scope: 's',
      message: 'm',
    })),
  });

  it('counts the scopes of a target that could not be seen: errors and shards not audited', () => {
    expect(unseenScopesOf(seen([{ project: 'a', status: 'audited' }]))).toBe(0);
    expect(
      unseenScopesOf(
        seen(
          [
            { project: 'a', status: 'audited' },
            { project: 'b', status: 'unknown' },
            { project: 'c', status: 'not-audited' },
          ],
          2
        )
      )
    ).toBe(4);
  });

  it('stores the bound only when the estimate is unknown and the bound positive', () => {
    const known = estimateExposure(
      [finding('missing', '2026-11-29T10:00:00Z')],
      now
    );
    expect(exposureFields(known)).toEqual({
      estimateSeconds: 7200,
      oldestUnsyncedPushTime: '2026-11-29T10:00:00Z',
    });
    const bounded = estimateExposure(
      [finding('missing', '2026-11-29T10:00:00Z')],
      now,
      1
    );
    expect(exposureFields(bounded)).toEqual({
      estimateSeconds: null,
      estimateAtLeastSeconds: 7200,
      oldestUnsyncedPushTime: '2026-11-29T10:00:00Z',
    });
    const nothing = estimateExposure([finding('unknown')], now);
    expect(exposureFields(nothing)).toEqual({
      estimateSeconds: null,
      oldestUnsyncedPushTime: null,
    });
  });
});

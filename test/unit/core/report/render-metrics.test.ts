import { renderMetrics } from '../../../../lambdas/core/report/render/metrics';
import { report, targetReport } from '../../../helpers/report-fixture';

describe('renderMetrics (OpenMetrics for the textfile collector)', () => {
  it('writes exposure, readiness, verdict and ref counts per target and the run time, ending with # EOF', () => {
    const text = renderMetrics(
      report({
        targets: [
          targetReport({
            name: 'cluster1',
            verdict: 'DEGRADED',
            counts: {
              expected: 5,
              synced: 3,
              missing: 2,
              mismatched: 0,
              orphaned: 0,
              unknown: 0,
            },
            rpo: { ...targetReport().rpo, estimateSeconds: 754.25 },
          }),
        ],
      })
    );

    expect(text).toBe(
      [
        '# TYPE harbor_dr_last_run_timestamp_seconds gauge',
        '# UNIT harbor_dr_last_run_timestamp_seconds seconds',
        '# HELP harbor_dr_last_run_timestamp_seconds When the last run of this kind finished (Unix time).',
        'harbor_dr_last_run_timestamp_seconds{kind="audit"} 1795917607',
        '# TYPE harbor_dr_exposure_seconds gauge',
        '# UNIT harbor_dr_exposure_seconds seconds',
        '# HELP harbor_dr_exposure_seconds RPO estimate: age of the oldest change not yet on the target; absent when unknown.',
        'harbor_dr_exposure_seconds{target="cluster1"} 754.250',
        '# TYPE harbor_dr_rpo_objective_seconds gauge',
        '# UNIT harbor_dr_rpo_objective_seconds seconds',
        '# HELP harbor_dr_rpo_objective_seconds The recovery point objective the exposure is measured against.',
        'harbor_dr_rpo_objective_seconds{target="cluster1"} 3600',
        '# TYPE harbor_dr_target_ready gauge',
        '# HELP harbor_dr_target_ready 1 when the target is READY, 0 when DEGRADED or NOT_READY; absent when UNKNOWN.',
        'harbor_dr_target_ready{target="cluster1"} 0',
        '# TYPE harbor_dr_target_verdict gauge',
        '# HELP harbor_dr_target_verdict 1 for the target verdict of the last run (READY, DEGRADED, NOT_READY or UNKNOWN), 0 for the others.',
        'harbor_dr_target_verdict{target="cluster1",verdict="READY"} 0',
        'harbor_dr_target_verdict{target="cluster1",verdict="DEGRADED"} 1',
        'harbor_dr_target_verdict{target="cluster1",verdict="NOT_READY"} 0',
        'harbor_dr_target_verdict{target="cluster1",verdict="UNKNOWN"} 0',
        '# TYPE harbor_dr_refs gauge',
        '# HELP harbor_dr_refs Refs per target and state (expected, synced, missing, mismatched, orphaned, unknown); for an UNKNOWN target only non-zero counts, lower bounds.',
        'harbor_dr_refs{target="cluster1",state="expected"} 5',
        'harbor_dr_refs{target="cluster1",state="synced"} 3',
        'harbor_dr_refs{target="cluster1",state="missing"} 2',
        'harbor_dr_refs{target="cluster1",state="mismatched"} 0',
        'harbor_dr_refs{target="cluster1",state="orphaned"} 0',
        'harbor_dr_refs{target="cluster1",state="unknown"} 0',
        '# EOF',
        '',
      ].join('\n')
    );
  });

  it('omits what is unknown instead of writing 0: exposure, readiness, and the zero counts of an UNKNOWN target', () => {
    const text = renderMetrics(
      report({
        verdict: 'UNKNOWN',
        targets: [
          targetReport({
            name: 'dr',
            verdict: 'UNKNOWN',
            counts: {
              expected: 4,
              synced: 1,
              missing: 0,
              mismatched: 0,
              orphaned: 0,
              unknown: 3,
            },
            rpo: { ...targetReport().rpo, estimateSeconds: null },
          }),
        ],
      })
    );
    const samples = text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));

    expect(samples).toEqual([
      'harbor_dr_last_run_timestamp_seconds{kind="audit"} 1795917607',
      'harbor_dr_rpo_objective_seconds{target="dr"} 3600',
      'harbor_dr_target_verdict{target="dr",verdict="READY"} 0',
      'harbor_dr_target_verdict{target="dr",verdict="DEGRADED"} 0',
      'harbor_dr_target_verdict{target="dr",verdict="NOT_READY"} 0',
      'harbor_dr_target_verdict{target="dr",verdict="UNKNOWN"} 1',
      'harbor_dr_refs{target="dr",state="expected"} 4',
      'harbor_dr_refs{target="dr",state="synced"} 1',
      'harbor_dr_refs{target="dr",state="unknown"} 3',
    ]);
    expect(text).not.toContain('harbor_dr_exposure_seconds');
    // No bound either: the refs seen prove nothing.
    expect(text).not.toContain('harbor_dr_exposure_at_least_seconds');
    expect(text).not.toContain('harbor_dr_target_ready');
  });

  // A proven breach (estimate unknown, the refs seen prove 2h) used to leave the file without
  // any exposure: an alert on the exposure stayed silent while the report said NOT_READY.
  it('writes the lower bound as harbor_dr_exposure_at_least_seconds when the estimate is unknown, never as the estimate', () => {
    const text = renderMetrics(
      report({
        verdict: 'NOT_READY',
        targets: [
          targetReport({
            name: 'dr',
            verdict: 'NOT_READY',
            counts: {
              expected: 4,
              synced: 1,
              missing: 1,
              mismatched: 0,
              orphaned: 0,
              unknown: 2,
            },
            rpo: {
              ...targetReport().rpo,
              estimateSeconds: null,
              estimateAtLeastSeconds: 7200,
              oldestUnsyncedPushTime: '2026-11-29T00:00:07.000Z',
            },
          }),
          targetReport({
            name: 'cluster1',
            rpo: {
              ...targetReport().rpo,
              estimateSeconds: 60,
              // Beside a known estimate a bound says nothing: not written.
              estimateAtLeastSeconds: 30,
            },
          }),
        ],
      })
    );
    const lines = text.split('\n');
    const family = lines.filter((l) =>
      l.includes('harbor_dr_exposure_at_least_seconds')
    );

    expect(family).toEqual([
      '# TYPE harbor_dr_exposure_at_least_seconds gauge',
      '# UNIT harbor_dr_exposure_at_least_seconds seconds',
      '# HELP harbor_dr_exposure_at_least_seconds RPO exposure lower bound when the estimate is unknown: refs went unseen, and the refs seen prove the exposure is at least this; absent when the estimate is known or nothing is proven.',
      'harbor_dr_exposure_at_least_seconds{target="dr"} 7200',
    ]);
    expect(
      lines.filter((l) => l.startsWith('harbor_dr_exposure_seconds'))
    ).toEqual(['harbor_dr_exposure_seconds{target="cluster1"} 60']);
    // Families stay whole: the bound's lines follow the estimate's, before the objective.
    expect(lines.indexOf(family[0] ?? '')).toBeGreaterThan(
      lines.indexOf('harbor_dr_exposure_seconds{target="cluster1"} 60')
    );
    expect(lines.indexOf(family[3] ?? '')).toBeLessThan(
      lines.indexOf('# TYPE harbor_dr_rpo_objective_seconds gauge')
    );
  });

  it('escapes label values (backslash, quote, line feed)', () => {
    const text = renderMetrics(
      report({ targets: [targetReport({ name: 'a"b\\c\nd' })] })
    );

    expect(text).toContain('harbor_dr_target_ready{target="a\\"b\\\\c\\nd"} 1');
    // No raw line break splits a sample: every line is a comment or a sample.
    expect(
      text.split('\n').filter((l) => l !== '' && !/^(# |harbor_dr_)/.test(l))
    ).toEqual([]);
  });
});

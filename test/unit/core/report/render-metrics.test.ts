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
    expect(text).not.toContain('harbor_dr_target_ready');
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

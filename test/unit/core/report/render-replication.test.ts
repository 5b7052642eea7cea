import { assessPolicyHealth } from '../../../../lambdas/core/replication/assess';
import { renderReplicationSummary } from '../../../../lambdas/core/report/render/replication';
import { report, targetReport } from '../../../helpers/report-fixture';
import { input, missing } from '../replication/fixtures';

describe('renderReplicationSummary', () => {
  it('lists problem policies, skips and re-triggers with their outcome', () => {
    const base = targetReport();
    const r = report({
      targets: [
        {
          ...base,
          replication: {
            ...base.replication,
            retriggered: [
              {
                policyId: 1,
                policyName: 'to-cluster1',
                reason: '1 missing',
                dryRun: false,
                outcome: 'started',
                executionId: 12,
                verify: { outcome: 'healed', remaining: 0 },
              },
            ],
            health: [
              {
                ...assessPolicyHealth(input({ findings: [missing()] })).health,
                retrigger: { action: 'start', reason: '1 missing' },
              },
              {
                ...assessPolicyHealth(input()).health,
                policyName: 'quiet',
              },
            ],
          },
        },
      ],
    });
    const text = renderReplicationSummary(r);
    expect(text).toContain('cluster1: to-cluster1 (push), PROBLEM, 1 missing');
    expect(text).toContain(
      'cluster1: re-trigger to-cluster1: started (execution 12); verify: healed'
    );
    expect(text).not.toContain('quiet');
    expect(renderReplicationSummary(report())).toBe('');
  });
});

import type { PolicyHealthInput } from '../../../../lambdas/core/replication/assess';
import type { Finding } from '../../../../lambdas/core/report/schema';
import type { ReplicationExecution } from '../../../../lambdas/core/ports';
import { policy } from '../../../helpers/policy-fixture';

// Shared by the replication health tests: a fixed now, executions, findings and the input
// of one policy's assessment.

export const NOW = new Date('2026-11-29T12:00:00.000Z');
export const ago = (minutes: number) =>
  new Date(NOW.getTime() - minutes * 60_000).toISOString();

export function execution(
  overrides: Partial<ReplicationExecution> = {}
): ReplicationExecution {
  return {
    id: 1,
    policyId: 1,
    status: 'Succeed',
    statusText: '',
    trigger: 'manual',
    startTime: ago(30),
    endTime: ago(29),
    total: 1,
    failed: 0,
    succeed: 1,
    inProgress: 0,
    stopped: 0,
    ...overrides,
  };
}

export function missing(overrides: Partial<Finding> = {}): Finding {
  return {
    state: 'missing',
    target: 'cluster1',
    repository: 'app/a',
    reference: '1.0',
    policy: { id: 1, name: 'to-cluster1', override: true, deletion: false },
    ...overrides,
  };
}

export function input(
  overrides: Partial<PolicyHealthInput> = {}
): PolicyHealthInput {
  return {
    assignment: {
      policy: policy({ trigger: { type: 'manual' } }),
      target: 'cluster1',
      mode: 'push',
      destinationType: 'docker-registry',
    },
    observed: { recent: [execution()], inProgress: [] },
    findings: [],
    since: new Date(NOW.getTime() - 24 * 3_600_000),
    now: NOW,
    stuckAfterMinutes: 180,
    ...overrides,
  };
}

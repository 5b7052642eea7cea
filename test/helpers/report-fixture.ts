import type { Report, TargetReport } from '../../lambdas/core/report/schema';
import { REPORT_SCHEMA_VERSION } from '../../lambdas/core/report/schema';

/** A target section with nothing found, to be overridden per test. */
export function targetReport(
  overrides: Partial<TargetReport> = {}
): TargetReport {
  return {
    name: 'cluster1',
    kind: 'distribution',
    url: 'http://127.0.0.1:5000',
    verdict: 'READY',
    counts: {
      expected: 3,
      synced: 3,
      missing: 0,
      mismatched: 0,
      orphaned: 0,
      unknown: 0,
    },
    findings: [],
    shards: [{ project: 'library', status: 'audited' }],
    rpo: {
      objectiveSeconds: 3600,
      estimateSeconds: 0,
      oldestUnsyncedPushTime: null,
      p50DelaySeconds: null,
      p95DelaySeconds: null,
      maxDelaySeconds: null,
    },
    replication: { executions: [], failedTasks: [], retriggered: [] },
    drift: [],
    errors: [],
    ...overrides,
  };
}

/** A complete, schema-valid report, to be overridden per test. */
export function report(overrides: Partial<Report> = {}): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: '20261129T020000000Z-abcd',
    kind: 'audit',
    startedAt: '2026-11-29T02:00:00.000Z',
    finishedAt: '2026-11-29T02:00:07.000Z',
    tool: { name: 'harbor-dr-auditor', version: '0.1.0' },
    primary: { name: 'harbor-primary', url: 'https://harbor.example.com' },
    verdict: 'READY',
    policies: [],
    targets: [targetReport()],
    errors: [],
    ...overrides,
  };
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoLab, type Lab } from '../../../lab/index';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import type { Report, TargetReport } from '../../../lambdas/core/report/schema';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import type { HarborDrConfig } from '../../../lambdas/shared/config';
import { runAuditJob } from '../../../lambdas/use-cases/audit-job';

// The demo scenario (lab/scenarios/demo.ts) documents its problems; the audit must find
// exactly those, with evidence, and must turn every injected fault into UNKNOWN, never green.
jest.setTimeout(60_000);

let lab: Lab;
let config: HarborDrConfig;

beforeAll(async () => {
  lab = await startDemoLab();
  const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-audit-lab-'));
  config = loadConfigFile(lab.writeConfig(dir).configPath);
});

afterAll(async () => {
  await lab.stop();
});

afterEach(() => {
  for (const h of lab.harbors) h.harbor.faults.clear();
});

async function audit(
  deadline = new Date(Date.now() + 60_000)
): Promise<Report> {
  const store = new LocalDirReportStore(
    mkdtempSync(join(tmpdir(), 'harbor-dr-reports-'))
  );
  const { report } = await runAuditJob(
    {
      store,
      clock: { now: () => new Date() },
      resolveCredentials: createCredentialsResolver(),
    },
    { config, toolVersion: 'test', deadline, concurrency: 4 }
  );
  return report;
}

function target(report: Report, name: string): TargetReport {
  const t = report.targets.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name} in the report`);
  return t;
}

const brief = (t: TargetReport) =>
  t.findings.map((f) => `${f.state} ${f.repository}:${f.reference}`).sort();

describe('audit of the demo lab', () => {
  it('finds exactly the documented problems, with evidence', async () => {
    const report = await audit();

    const dr = target(report, 'harbor-dr');
    expect(brief(dr)).toEqual([
      'digest-mismatch library/nginx:latest', // moved on the primary, override off
      'missing team-a/api:2.1.0', // pushed minutes ago
      'unexpected team-b/worker:0.9', // deleted on the primary, no deletion replication
    ]);
    expect(
      dr.findings.find((f) => f.state === 'digest-mismatch')?.detail
    ).toMatch(/override is off/);
    const c1 = target(report, 'cluster-1');
    expect(brief(c1)).toEqual([
      // edge-to-cluster-1 cannot run on 2.10.1 (a brace with /): its refs never arrive
      'missing edge/alpine:3.19',
      'missing edge/alpine:3.20',
      'missing edge/legacy:0.1',
      'missing mirror/api:2.1.0', // flattened into mirror/, not arrived
      'missing mirror/legacy:0.1', // the failed execution
    ]);
    expect(
      c1.findings
        .filter((f) => f.repository.startsWith('edge/'))
        .map((f) => f.detail)
    ).toEqual([
      expect.stringMatching(/^policy cannot run: .*syntax error in pattern/),
      expect.stringMatching(/^policy cannot run: .*syntax error in pattern/),
      expect.stringMatching(/^policy cannot run: .*syntax error in pattern/),
    ]);
    const legacy = c1.findings.find(
      (f) => f.repository === 'mirror/legacy' && f.reference === '0.1'
    );
    expect(legacy).toMatchObject({
      expectedDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as string,
      source: { repository: 'team-a/legacy', reference: '0.1' },
      policy: { name: 'to-cluster-1', override: true },
    });
    expect(legacy?.source?.pushTime).toBeDefined();
    expect(target(report, 'cluster-2').findings).toEqual([]);
    expect([
      dr.verdict,
      c1.verdict,
      target(report, 'cluster-2').verdict,
    ]).toEqual(['DEGRADED', 'NOT_READY', 'READY']);
    // legacy failed before the story's 3600+600+900 s; nginx:latest moved 600+900 s ago.
    expect(c1.rpo.estimateSeconds).toBeGreaterThanOrEqual(5100);
    expect(c1.rpo.estimateSeconds).toBeLessThan(5100 + 120);
    expect(dr.rpo.estimateSeconds).toBeGreaterThanOrEqual(1500);
    expect(dr.rpo.estimateSeconds).toBeLessThan(1500 + 120);
    expect(dr.counts).toMatchObject({ missing: 1, mismatched: 1, unknown: 0 });
    expect(dr.counts.synced).toBe(dr.counts.expected - 2);
    expect(report.errors).toEqual([]);
  });

  it('plans as the primary release does: on 2.10.1 a brace filter with / cannot run', async () => {
    const report = await audit();

    // The lab's Harbors run 2.10.1, which links doublestar v1.1.1 (read from /systeminfo).
    expect(report.matching).toMatchObject({
      doublestar: 'v1.1.1',
      source: 'systeminfo',
      harborVersion: 'v2.10.1-b7b88476',
    });
    const edge = report.policies.find((p) => p.name === 'edge-to-cluster-1');
    // Its refs stay expected (and missing): a plan error never shrinks the expected set.
    expect(edge).toMatchObject({ targets: ['cluster-1'], expected: 3 });
    expect(edge?.errors).toEqual([
      expect.stringContaining('syntax error in pattern'),
    ]);
    // ... and the plan says what 2.10.3 and later would copy instead.
    expect(edge?.warnings).toEqual([
      expect.stringMatching(
        /doublestar v1\.1\.1; from Harbor 2\.9\.5, 2\.10\.3 and 2\.11 on \(v1\.3\.4\) Harbor runs it and replicates 3 refs/
      ),
    ]);
  });

  it('rides out transient 503s with Retry-After on the primary', async () => {
    lab.primary.harbor.faults.add({
      kind: 'status',
      method: 'GET',
      path: '/repositories/api/artifacts',
      status: 503,
      retryAfter: 0,
      count: 2,
    });

    const report = await audit();

    expect(brief(target(report, 'cluster-1'))).toEqual([
      'missing edge/alpine:3.19',
      'missing edge/alpine:3.20',
      'missing edge/legacy:0.1',
      'missing mirror/api:2.1.0',
      'missing mirror/legacy:0.1',
    ]);
    expect(report.errors).toEqual([]);
  });

  it('makes a target repository that cannot be listed UNKNOWN, never synced', async () => {
    lab.secondary!.harbor.faults.add({
      kind: 'status',
      method: 'GET',
      path: '/projects/library/repositories/alpine/artifacts',
      status: 500,
      count: -1,
    });

    const report = await audit();

    const dr = target(report, 'harbor-dr');
    const alpine = dr.findings.filter((f) => f.repository === 'library/alpine');
    expect(alpine.map((f) => `${f.state} ${f.reference}`).sort()).toEqual([
      'unknown 3.19',
      'unknown 3.20',
    ]);
    expect(dr.verdict).toBe('UNKNOWN');
    expect(dr.shards.find((s) => s.project === 'library')?.status).toBe(
      'unknown'
    );
  });

  // cluster-1 reads NOT_READY, not UNKNOWN: the refs of edge-to-cluster-1 (which cannot run
  // on 2.10.1) are missing for longer than the objective whatever team-a holds, a proven breach.
  it('makes everything that depends on a truncated primary listing UNKNOWN (or worse)', async () => {
    lab.primary.harbor.faults.add({
      kind: 'truncate',
      method: 'GET',
      path: '/projects/team-a/repositories/legacy/artifacts',
      count: -1,
    });

    const report = await audit();

    for (const name of ['harbor-dr', 'cluster-1']) {
      const t = target(report, name);
      expect(t.errors.map((e) => e.message).join(' ')).toMatch(/team-a/);
      expect(t.findings.some((f) => f.state === 'synced')).toBe(false);
      // What went unseen leaves the exposure unknown, never a number.
      expect(t.rpo.estimateSeconds).toBeNull();
    }
    expect(target(report, 'cluster-1').verdict).toBe('NOT_READY');
    expect(target(report, 'harbor-dr').verdict).toBe('UNKNOWN');
    expect(report.errors.map((e) => e.scope)).toContain('primary/team-a');
    // Targets that depend on no team-a content keep their own verdict.
    expect(target(report, 'cluster-2').verdict).toBe('READY');
  });

  it('reports shards it had no time for as not audited', async () => {
    const report = await audit(new Date(Date.now() - 1));

    for (const t of report.targets) {
      expect(t.verdict).toBe('UNKNOWN');
      expect(t.counts.synced).toBe(0);
    }
    expect(report.errors.some((e) => e.message.includes('deadline'))).toBe(
      true
    );
  });
});

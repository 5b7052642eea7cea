import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import { reportSchema } from '../../../lambdas/core/report/schema';
import type { Report, TargetReport } from '../../../lambdas/core/report/schema';
import { runReadinessJob } from '../../../lambdas/use-cases/readiness-job';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { startDemoLab, type DemoLab } from '../../../lab/index';
import { applyAction } from '../../../lab/scenarios/apply';
import { actionSchema } from '../../../lab/scenarios/schema';

/** The demo lab, a readiness run against it, then a second run after a push. */
describe('readiness against the demo lab', () => {
  let lab: DemoLab | undefined;
  let dir = '';
  let first: Report;
  let second: Report;
  let firstFiles: string[] = [];

  const run = async (): Promise<{ report: Report; files: string[] }> => {
    if (!lab) throw new Error('the demo lab did not start');
    const { configPath } = lab.writeConfig(join(dir, 'lab'));
    const result = await runReadinessJob(
      {
        store: new LocalDirReportStore(join(dir, 'reports')),
        clock: { now: () => new Date() },
        resolveCredentials: createCredentialsResolver(),
      },
      {
        config: loadConfigFile(configPath),
        toolVersion: 'test',
        deadline: new Date(Date.now() + 120_000),
        concurrency: 4,
      }
    );
    return {
      report: result.report,
      files: [result.locations.json, result.locations.human],
    };
  };
  const target = (r: Report, name: string): TargetReport => {
    const t = r.targets.find((x) => x.name === name);
    if (!t) throw new Error(`no target ${name}`);
    return t;
  };
  const item = (t: TargetReport, id: string) =>
    t.checklist?.find((c) => c.id === id);

  beforeAll(async () => {
    if (!existsSync('/usr/bin/docker-registry'))
      throw new Error(
        'docker-registry is required at /usr/bin/docker-registry'
      );
    lab = await startDemoLab();
    dir = mkdtempSync(join(tmpdir(), 'readiness-demo-'));
    const r1 = await run();
    first = r1.report;
    firstFiles = r1.files;
    // A push that the event rule to cluster-2 carries, then five minutes pass.
    const h = (name: string) => {
      const x = lab?.harbors.find((y) => y.name === name);
      if (!x) throw new Error(name);
      return x;
    };
    for (const raw of [
      {
        type: 'push',
        harbor: 'harbor-primary',
        repository: 'library/busybox',
        image: { tags: ['1.37'], seed: 'busybox-1.37' },
      },
      { type: 'run-policy', harbor: 'harbor-primary', policy: 'to-cluster-2' },
      { type: 'advance-clock', seconds: 300 },
    ]) {
      await applyAction(
        actionSchema.parse(raw),
        (n) => h(n).harbor,
        (n) => h(n).admin,
        (ms) => lab?.clock.advance(ms)
      );
    }
    second = (await run()).report;
  }, 240_000);

  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a readiness report that the report schema accepts', () => {
    expect(first.kind).toBe('readiness');
    expect(reportSchema.parse(first)).toEqual(first);
    expect(first.targets.map((t) => t.name)).toEqual([
      'harbor-dr',
      'cluster-1',
      'cluster-2',
    ]);
    for (const t of first.targets)
      expect(t.checklist?.length).toBeGreaterThan(4);
    expect(readFileSync(firstFiles[1] ?? '', 'utf8')).toContain(
      'Readiness checklist'
    );
  });

  it('finds the DR site NOT_READY for the users, robot, membership and OIDC setting it lacks', () => {
    const dr = target(first, 'harbor-dr');
    const critical = dr.drift
      .filter((d) => d.severity === 'critical')
      .map((d) => `${d.category}:${d.name}`);

    expect(critical).toEqual(
      expect.arrayContaining([
        'users:carol',
        'users:dave',
        'robots:robot$team-a+ci',
        'members:team-a/bob',
        'auth:oidc_admin_group',
      ])
    );
    // Same names on both sides are no drift, whatever their ids.
    expect(critical).not.toContain('users:alice');
    expect(critical).not.toContain('members:team-a/alice');
    expect(item(dr, 'critical-drift')?.status).toBe('fail');
    expect(dr.verdict).toBe('NOT_READY');
    expect(dr.metadataDrift?.status).toBe('compared');
    expect(dr.drift).toContainEqual(
      expect.objectContaining({ category: 'audit-logs', severity: 'info' })
    );
  });

  it('checks reachability, health and version of the DR Harbor', () => {
    const dr = target(first, 'harbor-dr');
    expect(item(dr, 'reachable')).toMatchObject({ status: 'pass' });
    expect(item(dr, 'harbor-health')).toMatchObject({ status: 'pass' });
    // Both demo Harbors run 2.10.1: no skew; the plan read filters as its doublestar v1.1.1.
    expect(item(dr, 'version-skew')).toMatchObject({ status: 'pass' });
    expect(first.matching?.doublestar).toBe('v1.1.1');
    // The lab does not serve /systeminfo/volumes: informational, never a verdict.
    expect(item(dr, 'storage-headroom')).toMatchObject({
      status: 'unknown',
      required: false,
    });
    // Plain http: no certificate to check.
    expect(item(dr, 'tls-certificate')).toBeUndefined();
  });

  it('computes exposure from the seeded push times, on the primary clock', () => {
    // nginx:latest moved 25 minutes (lab clock) before the first run and is stale on the DR site.
    const dr = target(first, 'harbor-dr').rpo;
    expect(dr.estimateSeconds).toBeGreaterThanOrEqual(1500);
    expect(dr.estimateSeconds).toBeLessThan(1500 + 120);
    expect(dr.delayBasis).toBe('push-time');
    expect(dr.p50DelaySeconds).not.toBeNull();
    // team-a/legacy failed to reach cluster-1 when seeded, 85 minutes ago: over the objective.
    const c1 = target(first, 'cluster-1');
    expect(c1.rpo.estimateSeconds).toBeGreaterThan(3600);
    expect(item(c1, 'rpo-exposure')?.status).toBe('fail');
    expect(c1.verdict).toBe('NOT_READY');
  });

  it('says once that metadata drift does not apply to plain registries', () => {
    for (const name of ['cluster-1', 'cluster-2']) {
      const t = target(first, name);
      expect(t.metadataDrift?.status).toBe('not-applicable');
      expect(t.drift).toEqual([]);
      expect(item(t, 'critical-drift')).toBeUndefined();
      expect(item(t, 'reachable')?.status).toBe('pass');
    }
  });

  it('dates arrivals on a plain registry by first-seen time across runs', () => {
    const c2 = target(second, 'cluster-2').rpo;
    expect(c2.delayBasis).toBe('first-seen');
    // busybox:1.37 was pushed, replicated, then 300 s passed before the second run saw it.
    expect(c2.maxDelaySeconds).toBeGreaterThanOrEqual(300);
    expect(c2.maxDelaySeconds).toBeLessThan(300 + 120);
    expect(target(first, 'cluster-2').rpo.p50DelaySeconds).toBeNull();
  });

  it("measures on the primary's clock when it runs ahead of the auditor", () => {
    // The test advanced the lab clock by 300 s: the second run notices and says so.
    const c2 = target(second, 'cluster-2');
    expect(item(c2, 'rpo-exposure')?.evidence).toContain("primary's clock");
    expect(c2.errors).toEqual([]);
    expect(item(c2, 'image-coverage')?.status).toBe('pass');
  });

  it('puts the trend of earlier runs in the report', () => {
    const trend = target(second, 'harbor-dr').rpo.trend ?? [];
    expect(trend.map((p) => p.runId)).toEqual([first.runId, second.runId]);
    expect(item(target(second, 'harbor-dr'), 'last-audit-age')?.status).toBe(
      'warn'
    );
  });

  it('never writes a secret into a report', () => {
    if (!lab) throw new Error('no lab');
    const robotSecrets = lab.harbors.flatMap((h) =>
      [...h.harbor.state.robots.values()].map((r) => r.secret)
    );
    const secrets = [
      'Bearer demo-hook-token',
      'demo-hook-token',
      createHash('sha256').update('Bearer demo-hook-token').digest('hex'),
      'never-returned',
      'Passw0rd123',
      'Auditor12345',
      'Harbor12345',
      ...robotSecrets,
    ];
    expect(robotSecrets.length).toBeGreaterThan(0);
    for (const file of firstFiles) {
      const text = readFileSync(file, 'utf8');
      for (const s of secrets) expect(text).not.toContain(s);
    }
  });
});

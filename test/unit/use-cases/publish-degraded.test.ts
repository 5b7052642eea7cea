import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { conformReport } from '../../../lambdas/core/report/degrade';
import { reportSchema } from '../../../lambdas/core/report/schema';
import type { Report } from '../../../lambdas/core/report/schema';
import { publish } from '../../../lambdas/use-cases/publish';
import { parseConfig } from '../../../lambdas/shared/config';
import { report, targetReport } from '../../helpers/report-fixture';

const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const NOW = new Date('2024-05-01T12:00:00Z');

/** A report whose first target carries values out of the report contract. */
function broken(): Report {
  return report({
    verdict: 'READY',
    targets: [
      targetReport({
        name: 'cluster1',
        verdict: 'READY',
        findings: [
          {
            state: 'synced',
            target: 'cluster1',
            repository: 'library/app',
            reference: 'v1',
            expectedDigest: D(1),
            observedDigest: 'sha256:../../x',
            observedPushTime: '2024-05-01 10:00:00',
          },
          {
            state: 'missing',
            target: 'cluster1',
            repository: 'library/app',
            reference: 'v2',
            expectedDigest: D(2),
          },
        ],
      }),
      targetReport({ name: 'cluster2', verdict: 'READY' }),
    ],
  });
}

describe('conformReport', () => {
  it('returns a sound report as it is, without validationErrors', () => {
    const sound = report();
    const out = conformReport(sound, NOW);
    expect(out.validationErrors).toBeUndefined();
    expect(out.report).toEqual(reportSchema.parse(sound));
  });

  it('removes the offending values, lists them by path and never by value, and reads UNKNOWN', () => {
    const out = conformReport(broken(), NOW);
    expect(reportSchema.safeParse(out.report).success).toBe(true);
    expect(out.validationErrors).toEqual([
      expect.stringMatching(/^targets\[0\]\.findings\[0\]\.observedDigest: /),
      expect.stringMatching(/^targets\[0\]\.findings\[0\]\.observedPushTime: /),
    ]);
    expect(JSON.stringify(out.validationErrors)).not.toContain('../');
    expect(out.report.validationErrors).toEqual(out.validationErrors);
    const [t1, t2] = out.report.targets;
    expect(t1?.findings).toHaveLength(2);
    expect(t1?.findings[0]?.observedDigest).toBeUndefined();
    expect(t1?.findings[1]?.reference).toBe('v2');
    expect(t1?.verdict).toBe('UNKNOWN');
    expect(t2?.verdict).toBe('READY');
    expect(out.report.verdict).toBe('UNKNOWN');
    expect(out.report.errors).toContainEqual(
      expect.objectContaining({ scope: 'report' })
    );
  });

  it('drops the list entry when a required value breaks the schema', () => {
    const r = broken();
    const t = r.targets[0];
    if (!t) throw new Error('no target');
    (t.findings[1] as { repository: unknown }).repository = 42;
    const out = conformReport(r, NOW);
    expect(reportSchema.safeParse(out.report).success).toBe(true);
    expect(out.report.targets[0]?.findings.map((f) => f.reference)).toEqual([
      'v1',
    ]);
  });

  it('keeps NOT_READY (a known failure outranks UNKNOWN)', () => {
    const r = broken();
    r.verdict = 'NOT_READY';
    expect(conformReport(r, NOW).report.verdict).toBe('NOT_READY');
  });

  it('replaces a broken run id or time and keeps what the run learned', () => {
    const r = broken() as unknown as Record<string, unknown>;
    r.startedAt = 'yesterday';
    r.runId = '';
    r.errors = [{ scope: 'cluster2/library', message: 'listing cut short' }];
    const out = conformReport(r, NOW);
    expect(reportSchema.safeParse(out.report).success).toBe(true);
    expect(out.report.startedAt).toBe(NOW.toISOString());
    expect(out.report.runId).toBe(`degraded-${NOW.getTime().toString()}`);
    expect(out.report.verdict).toBe('UNKNOWN');
    expect(out.validationErrors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^runId: /),
        expect.stringMatching(/^startedAt: /),
      ])
    );
    // Before, a broken identity left a bare report: no target, no error of the run.
    expect(out.report.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['cluster1', 'UNKNOWN'],
      ['cluster2', 'READY'],
    ]);
    expect(out.report.targets[0]?.findings[1]?.state).toBe('missing');
    expect(out.report.errors).toContainEqual({
      scope: 'cluster2/library',
      message: 'listing cut short',
    });
  });

  it('stores a bare UNKNOWN report when what was saved is no report at all', () => {
    const out = conformReport('not a report', NOW);
    expect(reportSchema.safeParse(out.report).success).toBe(true);
    expect(out.report.verdict).toBe('UNKNOWN');
    expect(out.report.startedAt).toBe(NOW.toISOString());
    expect(out.validationErrors?.length).toBeGreaterThan(0);
  });
});

describe('publish', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'publish-degraded-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores a report that breaks its own schema, degraded, instead of losing it', async () => {
    const config = parseConfig(
      {
        primary: { name: 'primary', url: 'https://harbor.example.com' },
        targets: [
          {
            name: 'cluster1',
            url: 'https://r1.example.com',
            kind: 'distribution',
          },
        ],
      },
      'test'
    );
    const warnings: string[] = [];
    const result = await publish(
      {
        store: new LocalDirReportStore(dir),
        clock: { now: () => NOW },
        warn: (m) => warnings.push(m),
      },
      config,
      broken(),
      undefined
    );
    const stored = JSON.parse(
      await readFile(result.locations.json, 'utf8')
    ) as Report;
    expect(stored.schemaVersion).toBe(1);
    expect(stored.verdict).toBe('UNKNOWN');
    expect(stored.validationErrors).toHaveLength(2);
    expect(await readFile(result.locations.human, 'utf8')).toMatch(
      /degraded report/
    );
    expect(warnings).toEqual([expect.stringMatching(/stored degraded/)]);
    // Readers of the store take it back like any report.
    const recent = await new LocalDirReportStore(dir).recent('audit', 5);
    expect(recent[0]?.validationErrors).toHaveLength(2);
  });
});

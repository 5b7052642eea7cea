import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoLab, type Lab } from '../../../lab/index';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import type { Report, TargetReport } from '../../../lambdas/core/report/schema';
import { reportSchema } from '../../../lambdas/core/report/schema';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import type { HarborDrConfig } from '../../../lambdas/shared/config';
import { runAuditJob } from '../../../lambdas/use-cases/audit-job';

// An unreadable credential fails only what it serves: its target is UNKNOWN with the
// reason, the rest is audited, and the report is always stored.
jest.setTimeout(60_000);

let lab: Lab;
let config: HarborDrConfig;
let dir: string;
let malformed: string;

beforeAll(async () => {
  lab = await startDemoLab();
  dir = mkdtempSync(join(tmpdir(), 'harbor-dr-credentials-lab-'));
  config = loadConfigFile(lab.writeConfig(dir).configPath);
  malformed = join(dir, 'malformed.json');
  writeFileSync(malformed, 'Mm3-not-json-secret', { mode: 0o600 });
});

afterAll(async () => {
  await lab.stop();
});

async function audit(
  c: HarborDrConfig
): Promise<{ report: Report; stored: string[] }> {
  const reports = mkdtempSync(join(tmpdir(), 'harbor-dr-reports-'));
  const { report } = await runAuditJob(
    {
      store: new LocalDirReportStore(reports),
      clock: { now: () => new Date() },
      resolveCredentials: createCredentialsResolver(),
    },
    {
      config: c,
      toolVersion: 'test',
      deadline: new Date(Date.now() + 60_000),
      concurrency: 4,
    }
  );
  return {
    report: reportSchema.parse(report),
    stored: readdirSync(reports, { recursive: true }).map(String),
  };
}

function target(report: Report, name: string): TargetReport {
  const t = report.targets.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name} in the report`);
  return t;
}

describe('an unreadable credential', () => {
  it('makes only its target UNKNOWN, with the reason; the others are audited and the report stored', async () => {
    const c: HarborDrConfig = {
      ...config,
      targets: config.targets.map((t) =>
        t.name === 'harbor-dr' ? { ...t, credentials: { file: malformed } } : t
      ),
    };

    const { report, stored } = await audit(c);

    const dr = target(report, 'harbor-dr');
    expect(dr.verdict).toBe('UNKNOWN');
    expect(dr.errors).toContainEqual({
      scope: 'harbor-dr',
      message: expect.stringContaining(
        `its credentials could not be read: invalid configuration (file ${malformed})`
      ) as string,
    });
    expect(dr.counts.synced).toBe(0);
    expect(dr.counts.unknown).toBe(dr.counts.expected);
    expect(report.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['harbor-dr', 'UNKNOWN'],
      ['cluster-1', 'NOT_READY'],
      ['cluster-2', 'READY'],
    ]);
    expect(JSON.stringify(report)).not.toContain('Mm3');
    expect(stored.some((p) => p.endsWith('.json'))).toBe(true);
  });

  it('of the primary makes the whole run UNKNOWN, still reported', async () => {
    const c: HarborDrConfig = {
      ...config,
      primary: { ...config.primary, credentials: { file: malformed } },
    };

    const { report, stored } = await audit(c);

    expect(report.verdict).toBe('UNKNOWN');
    expect(report.targets.map((t) => t.verdict)).toEqual([
      'UNKNOWN',
      'UNKNOWN',
      'UNKNOWN',
    ]);
    expect(JSON.stringify(report.errors)).toContain(
      `harbor-primary: its credentials could not be read: invalid configuration (file ${malformed})`
    );
    expect(stored.some((p) => p.endsWith('.json'))).toBe(true);
  });

  it('of the operator is read only to start, and makes that start not sent, with the reason', async () => {
    const executions = () => lab.primary.harbor.state.executions.size;
    const before = executions();
    const c: HarborDrConfig = {
      ...config,
      primary: {
        ...config.primary,
        operatorCredentials: { file: join(dir, 'no-such-operator.json') },
      },
      retrigger: { ...config.retrigger, enabled: true, cooldownMinutes: 0 },
    };

    const { report, stored } = await audit(c);

    const retriggered = report.targets.flatMap(
      (t) => t.replication.retriggered
    );
    expect(retriggered.length).toBeGreaterThan(0);
    for (const r of retriggered) {
      expect(r).toMatchObject({
        outcome: 'permission-denied',
        detail: expect.stringContaining(
          'not sent: the operator credential could not be read'
        ) as string,
      });
      expect(r.detail).toContain('no-such-operator.json');
    }
    expect(executions()).toBe(before);
    expect(stored.some((p) => p.endsWith('.json'))).toBe(true);
  });
});

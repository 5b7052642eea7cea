import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startLab, type Lab, type ScenarioInput } from '../../../lab/index';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import type { Report, TargetReport } from '../../../lambdas/core/report/schema';
import { reportSchema } from '../../../lambdas/core/report/schema';
import { runAuditJob } from '../../../lambdas/use-cases/audit-job';
import {
  parseConfig,
  type HarborDrConfig,
} from '../../../lambdas/shared/config';

// Replication health and re-triggering against the lab's emulated Harbor (real executions,
// tasks, logs, faults) and in-memory cluster registries.

const READ_ACCESS = [
  { resource: 'registry', action: 'list' },
  { resource: 'registry', action: 'read' },
  { resource: 'replication-policy', action: 'list' },
  { resource: 'replication-policy', action: 'read' },
  { resource: 'replication', action: 'list' },
  { resource: 'replication', action: 'read' },
  { resource: 'project', action: 'list' },
];
const OPERATOR_SECRET = 'Operator12345';
const HOUR = 3600;

interface ScenarioOptions {
  /** to-b is disabled. */
  disableB?: boolean;
  /** Faults before the first runs. */
  faults?: NonNullable<ScenarioInput['harbors'][number]['faults']>;
  /** Run to-a and to-b once (default true). */
  run?: boolean;
}

/** primary → cluster-a (to-a: app/svc-a) and cluster-b (to-b: app/svc-b). */
function scenario(opts: ScenarioOptions = {}): ScenarioInput {
  const run = opts.run ?? true;
  return {
    name: 'health',
    harbors: [
      {
        name: 'primary',
        registries: [
          { name: 'ca', target: 'cluster-a' },
          { name: 'cb', target: 'cluster-b' },
        ],
        projects: [
          {
            name: 'app',
            repositories: [
              { name: 'svc-a', images: [{ tags: ['1.0'], seed: 'svc-a-1.0' }] },
              { name: 'svc-b', images: [{ tags: ['1.0'], seed: 'svc-b-1.0' }] },
            ],
          },
        ],
        robots: [
          // Reads executions but may not start them: the 403 case.
          {
            name: 'operator',
            level: 'system',
            access: READ_ACCESS,
            secret: OPERATOR_SECRET,
          },
        ],
        policies: [
          {
            name: 'to-a',
            destRegistry: 'ca',
            filters: [{ type: 'name', value: 'app/svc-a' }],
          },
          {
            name: 'to-b',
            destRegistry: 'cb',
            filters: [{ type: 'name', value: 'app/svc-b' }],
            enabled: opts.disableB !== true,
          },
        ],
      },
    ],
    registries: [
      { name: 'cluster-a', kind: 'memory' },
      { name: 'cluster-b', kind: 'memory' },
    ],
    actions: [
      ...(opts.faults
        ? [{ type: 'faults' as const, harbor: 'primary', faults: opts.faults }]
        : []),
      ...(run
        ? [
            { type: 'run-policy' as const, harbor: 'primary', policy: 'to-a' },
            ...(opts.disableB
              ? []
              : [
                  {
                    type: 'run-policy' as const,
                    harbor: 'primary',
                    policy: 'to-b',
                  },
                ]),
          ]
        : []),
      // Past the cooldown that the lab's own manual runs start.
      { type: 'advance-clock', seconds: 2 * HOUR },
    ],
  };
}

/** A started lab with a config, a report directory and a way to run audits. */
interface Fixture {
  lab: Lab;
  dir: string;
  config(patch?: {
    retrigger?: Partial<HarborDrConfig['retrigger']>;
    policies?: HarborDrConfig['policies'];
    operator?: boolean;
  }): HarborDrConfig;
  audit(config: HarborDrConfig): Promise<Report>;
  /** The lab's executions of a policy, oldest first. */
  executions(policy: string): { id: number; status: string }[];
  stop(): Promise<void>;
}

async function fixture(s: ScenarioInput): Promise<Fixture> {
  const lab = await startLab(s, { preferRealRegistry: false });
  const dir = mkdtempSync(join(tmpdir(), 'health-lab-'));
  const { configPath } = lab.writeConfig(join(dir, 'lab'));
  const base = parse(readFileSync(configPath, 'utf8')) as Record<
    string,
    unknown
  >;
  const operatorFile = join(dir, 'operator.json');
  writeFileSync(
    operatorFile,
    JSON.stringify({ username: 'robot$operator', password: OPERATOR_SECRET }),
    { mode: 0o600 }
  );
  const state = lab.primary.harbor.state;
  return {
    lab,
    dir,
    config: (patch = {}) =>
      parseConfig(
        {
          ...base,
          primary: {
            ...(base.primary as Record<string, unknown>),
            ...(patch.operator
              ? { operatorCredentials: { file: operatorFile } }
              : {}),
          },
          ...(patch.policies ? { policies: patch.policies } : {}),
          retrigger: { enabled: true, ...patch.retrigger },
        },
        configPath
      ),
    audit: async (config) => {
      const result = await runAuditJob(
        {
          store: new LocalDirReportStore(join(dir, 'reports')),
          clock: { now: () => lab.clock.now() },
          resolveCredentials: createCredentialsResolver(),
        },
        {
          config,
          toolVersion: 'test',
          deadline: new Date(lab.clock.now().getTime() + 60_000),
          concurrency: 4,
        }
      );
      await lab.primary.harbor.idle();
      // The report is the contract: it must validate.
      return reportSchema.parse(result.report);
    },
    executions: (name) => {
      const policy = [...state.policies.values()].find((p) => p.name === name);
      if (!policy) throw new Error(`no policy ${name}`);
      return [...state.executions.values()]
        .filter((e) => e.policyId === policy.id)
        .sort((a, b) => a.id - b.id)
        .map((e) => ({ id: e.id, status: e.status }));
    },
    stop: async () => {
      await lab.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function target(report: Report, name: string): TargetReport {
  const t = report.targets.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name} in the report`);
  return t;
}

function health(report: Report, targetName: string, policy: string) {
  const h = target(report, targetName).replication.health?.find(
    (x) => x.policyName === policy
  );
  if (!h) throw new Error(`no health for ${policy} on ${targetName}`);
  return h;
}

describe('re-triggering a failed execution', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture(
      scenario({
        faults: [
          {
            kind: 'replication-fail',
            repository: 'app/svc-a',
            message: 'failed to copy blob: unexpected EOF',
            count: 1,
          },
        ],
      })
    );
  }, 60_000);
  afterAll(async () => {
    await f.stop();
  });

  it('reports the failure with its task and log lines, starts the policy once and it heals', async () => {
    const [failed] = f.executions('to-a');
    expect(failed?.status).toBe('Error');

    const first = await f.audit(f.config({ retrigger: { verify: true } }));

    const a = target(first, 'cluster-a');
    expect(a.counts.missing).toBe(1);
    const h = health(first, 'cluster-a', 'to-a');
    expect(h.status).toBe('problem');
    expect(h.executionsByStatus.Failed).toBe(1);
    expect(h.latestExecution).toMatchObject({
      id: failed?.id,
      status: 'Failed',
    });
    expect(h.problems.map((p) => p.kind)).toContain('failed');
    expect(h.retrigger?.action).toBe('start');
    expect(a.replication.failedTasks).toEqual([
      expect.objectContaining({
        policyName: 'to-a',
        executionId: failed?.id,
        status: 'Failed',
        srcResource: 'app/svc-a [1 item(s) in total]',
        dstResource: 'app/svc-a [1 item(s) in total]',
        logExcerpt: expect.arrayContaining([
          expect.stringContaining('failed to copy blob: unexpected EOF'),
        ]) as unknown,
      }),
    ]);
    const started = f.executions('to-a');
    expect(started).toHaveLength(2);
    expect(a.replication.retriggered).toEqual([
      expect.objectContaining({
        policyName: 'to-a',
        dryRun: false,
        outcome: 'started',
        executionId: started[1]?.id,
        reason: expect.stringMatching(
          /1 missing ref.*latest execution .* Failed/
        ) as unknown,
        verify: expect.objectContaining({
          outcome: 'healed',
          executionStatus: 'Succeed',
          remaining: 0,
        }) as unknown,
      }),
    ]);
    expect(health(first, 'cluster-b', 'to-b').status).toBe('healthy');
    expect(target(first, 'cluster-b').replication.retriggered).toEqual([]);

    // The next run finds the replica and starts nothing more.
    const second = await f.audit(f.config({ retrigger: { verify: true } }));
    expect(target(second, 'cluster-a').counts.missing).toBe(0);
    expect(target(second, 'cluster-a').replication.retriggered).toEqual([]);
    expect(f.executions('to-a')).toHaveLength(2);
  }, 60_000);
});

describe('a policy with an execution in progress (stuck)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture(
      scenario({ faults: [{ kind: 'replication-stuck', policy: 'to-a' }] })
    );
  }, 60_000);
  afterAll(async () => {
    await f.stop();
  });

  it('is left alone and reported as stuck; it is stopped only when configured', async () => {
    const [stuck] = f.executions('to-a');
    expect(stuck?.status).toBe('Running');

    const first = await f.audit(
      f.config({ retrigger: { stuckAfterMinutes: 60 } })
    );
    const h = health(first, 'cluster-a', 'to-a');
    expect(h.executionsByStatus.InProgress).toBe(1);
    expect(h.problems).toContainEqual(
      expect.objectContaining({ kind: 'stuck', executionId: stuck?.id })
    );
    expect(h.retrigger).toEqual({
      action: 'skip',
      reason: expect.stringMatching(
        /^an execution of the policy is in progress \(needed: 1 missing/
      ) as unknown,
    });
    expect(h.stops).toBeUndefined();
    expect(target(first, 'cluster-a').replication.retriggered).toEqual([]);
    expect(f.executions('to-a')).toEqual([
      { id: stuck?.id, status: 'Running' },
    ]);

    // Dry run: says what it would stop, stops nothing.
    const dry = await f.audit(
      f.config({
        retrigger: {
          stuckAfterMinutes: 60,
          stopStuckAfterMinutes: 90,
          dryRun: true,
        },
      })
    );
    expect(health(dry, 'cluster-a', 'to-a').stops).toEqual([
      { executionId: stuck?.id, dryRun: true, outcome: 'dry-run' },
    ]);
    expect(f.executions('to-a')).toEqual([
      { id: stuck?.id, status: 'Running' },
    ]);

    const stopping = await f.audit(
      f.config({
        retrigger: { stuckAfterMinutes: 60, stopStuckAfterMinutes: 90 },
      })
    );
    expect(health(stopping, 'cluster-a', 'to-a').stops).toEqual([
      { executionId: stuck?.id, dryRun: false, outcome: 'stopped' },
    ]);
    // Not started in the same run: Harbor may still be winding the execution down.
    expect(target(stopping, 'cluster-a').replication.retriggered).toEqual([]);
    expect(f.executions('to-a')).toEqual([
      { id: stuck?.id, status: 'Stopped' },
    ]);
  }, 60_000);
});

describe('the per-run cap and the cooldown across runs', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture(
      scenario({
        // Every copy fails, so both policies keep needing a re-trigger.
        faults: [{ kind: 'replication-fail', repository: 'app/**', count: -1 }],
      })
    );
  }, 60_000);
  afterAll(async () => {
    await f.stop();
  });

  it('starts one policy per run and none twice within the cooldown', async () => {
    const config = f.config({
      retrigger: { maxPerRun: 1, cooldownMinutes: 60 },
    });

    const first = await f.audit(config);
    expect(
      target(first, 'cluster-a').replication.retriggered.map((r) => r.outcome)
    ).toEqual(['started']);
    expect(health(first, 'cluster-b', 'to-b').retrigger?.reason).toMatch(
      /limit of 1 start/
    );
    expect(f.executions('to-a')).toHaveLength(2);
    expect(f.executions('to-b')).toHaveLength(1);

    f.lab.clock.advance(5 * 60_000);
    const second = await f.audit(config);
    expect(target(second, 'cluster-a').replication.retriggered).toEqual([]);
    expect(health(second, 'cluster-a', 'to-a').retrigger?.reason).toMatch(
      /cooldown of 60 min/
    );
    expect(
      target(second, 'cluster-b').replication.retriggered.map((r) => r.outcome)
    ).toEqual(['started']);
    expect(f.executions('to-a')).toHaveLength(2);
    expect(f.executions('to-b')).toHaveLength(2);

    // Once the cooldown has passed, the policy may be started again.
    f.lab.clock.advance(61 * 60_000);
    const third = await f.audit(config);
    expect(
      target(third, 'cluster-a').replication.retriggered.map((r) => r.outcome)
    ).toEqual(['started']);
    expect(f.executions('to-a')).toHaveLength(3);
  }, 60_000);

  it('a dry run starts nothing and says what it would start', async () => {
    f.lab.clock.advance(2 * HOUR * 1000);
    const before = [f.executions('to-a').length, f.executions('to-b').length];

    const report = await f.audit(
      f.config({ retrigger: { dryRun: true, maxPerRun: 5 } })
    );

    const all = report.targets.flatMap((t) => t.replication.retriggered);
    expect(all.map((r) => [r.policyName, r.dryRun, r.outcome]).sort()).toEqual([
      ['to-a', true, 'dry-run'],
      ['to-b', true, 'dry-run'],
    ]);
    expect(all.every((r) => r.executionId === undefined)).toBe(true);
    expect([f.executions('to-a').length, f.executions('to-b').length]).toEqual(
      before
    );
  }, 60_000);
});

describe('least privilege and disabled policies', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture(
      scenario({
        disableB: true,
        faults: [
          { kind: 'replication-fail', repository: 'app/svc-a', count: 1 },
        ],
      })
    );
  }, 60_000);
  afterAll(async () => {
    await f.stop();
  });

  it('a 403 on start is reported, not fatal', async () => {
    const report = await f.audit(f.config({ operator: true }));

    expect(target(report, 'cluster-a').replication.retriggered).toEqual([
      expect.objectContaining({
        policyName: 'to-a',
        outcome: 'permission-denied',
        detail: expect.stringContaining('HTTP 403') as unknown,
      }),
    ]);
    // to-b is disabled, so nothing audits cluster-b: unseen, not fine.
    expect(report.errors.map((e) => e.scope)).toEqual(['cluster-b']);
    // Reading used the read credential: the failure is there in full.
    expect(health(report, 'cluster-a', 'to-a').executionsByStatus.Failed).toBe(
      1
    );
    expect(f.executions('to-a')).toHaveLength(1);
  }, 60_000);

  it('a disabled policy the config names is reported and never started', async () => {
    const report = await f.audit(f.config({ policies: ['to-a', 'to-b'] }));

    const h = health(report, 'cluster-b', 'to-b');
    expect(h.enabled).toBe(false);
    expect(h.problems.map((p) => p.kind)).toContain('disabled');
    expect(h.attributable.missing).toBe(1);
    expect(h.retrigger).toEqual({
      action: 'skip',
      reason: expect.stringMatching(/^the policy is disabled/) as unknown,
    });
    expect(target(report, 'cluster-b').replication.retriggered).toEqual([]);
    expect(f.executions('to-b')).toEqual([]);
  }, 60_000);
});

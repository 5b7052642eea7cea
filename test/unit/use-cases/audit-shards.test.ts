import {
  planAudit,
  runAudit,
  type AuditDeps,
  type AuditInput,
} from '../../../lambdas/use-cases/audit';
import {
  mergeAudit,
  NO_PARTIAL,
  NOT_PLANNED,
  SHARD_FAILED,
} from '../../../lambdas/use-cases/audit-merge';
import { expectedByShard } from '../../../lambdas/core/inventory/plan/shards';
import {
  auditShard,
  parseOutcome,
  storedOutcome,
  type ShardOutcome,
} from '../../../lambdas/use-cases/audit-shards';
import { diffContextFor } from '../../../lambdas/core/inventory/diff';
import { reportSchema } from '../../../lambdas/core/report/schema';
import { renderMarkdown } from '../../../lambdas/core/report/render/markdown';
import { renderSummary } from '../../../lambdas/core/report/render/summary';
import type {
  ObservedRepository,
  TargetObserver,
} from '../../../lambdas/core/ports';
import { TARGET_DRIVERS } from '../../../lambdas/compose/drivers';
import {
  fakeArtifact,
  fakeDigest,
  fakePrimary,
} from '../../helpers/fake-harbor';
import { endpoint, policy } from '../../helpers/policy-fixture';

const NOW = new Date('2026-11-29T12:00:00Z');
const REPOS = ['library/a', 'library/b', 'library/c'];

// Each repository holds v1 and v2 on the primary; the target holds them all but library/b:v2,
// and a repository nobody expects (library/zz).
const primary = fakePrimary({
  listRepositories: () => Promise.resolve(REPOS),
  listArtifacts: (repository) => {
    const n = REPOS.indexOf(repository) * 10;
    return Promise.resolve([
      fakeArtifact('v1', n + 1, repository),
      fakeArtifact('v2', n + 2, repository),
    ]);
  },
});

const held = (repository: string): ObservedRepository => {
  const n = REPOS.indexOf(repository) * 10;
  const tags = repository === 'library/b' ? ['v1'] : ['v1', 'v2'];
  return {
    repository,
    exists: true,
    refs:
      repository === 'library/zz'
        ? [
            {
              repository,
              reference: 'old',
              byDigest: false,
              digest: fakeDigest(99),
            },
          ]
        : tags.map((tag, i) => ({
            repository,
            reference: tag,
            byDigest: false,
            digest: fakeDigest(n + i + 1),
          })),
  };
};

const observer: TargetObserver = {
  listNamespace: () => Promise.resolve([...REPOS, 'library/zz']),
  observe: (repos) => Promise.resolve(repos.map(held)),
};

const deps: AuditDeps = {
  primary,
  targets: [
    {
      name: 'cluster1',
      kind: 'distribution',
      url: 'http://r.example.com',
      traits: TARGET_DRIVERS.distribution.traits,
      observer,
    },
  ],
  clock: { now: () => NOW },
};

const input: AuditInput = {
  runId: 'run-1',
  toolVersion: 'test',
  primary: { name: 'harbor', url: 'https://harbor.example.com' },
  policies: 'auto',
  rpoObjectiveMinutes: 60,
  concurrency: 4,
  deadline: new Date(NOW.getTime() + 60_000),
};

describe('planAudit', () => {
  it('splits a large project into repository ranges that cover every name once', async () => {
    const plan = await planAudit(deps, { ...input, maxRefsPerShard: 2 });

    expect(plan.shards).toEqual([
      { id: '0000', target: 'cluster1', project: 'library', to: 'library/b' },
      {
        id: '0001',
        target: 'cluster1',
        project: 'library',
        from: 'library/b',
        to: 'library/c',
      },
      { id: '0002', target: 'cluster1', project: 'library', from: 'library/c' },
    ]);
    const targetPlan = plan.planned.plan.targets[0]!;
    const parts = expectedByShard(targetPlan, plan.shards);
    expect([...parts.values()].map((refs) => refs.length)).toEqual([2, 2, 2]);
  });

  it("keeps the primary's index only when a deletion rule reads it (orphans)", async () => {
    const plain = await planAudit(deps, input);
    const deleting = await planAudit(
      {
        ...deps,
        primary: {
          ...primary,
          listPolicies: () =>
            Promise.resolve([
              policy({
                deletion: true,
                destRegistry: endpoint({ url: 'http://r.example.com' }),
              }),
            ]),
        },
      },
      input
    );

    expect(plain.planned.plan.primary).toEqual({
      projectListComplete: true,
      projects: [],
    });
    expect(deleting.planned.plan.targets[0]?.deletionRules).toHaveLength(1);
    expect(
      deleting.planned.plan.primary.projects.map((p) => [
        p.name,
        p.repositories.map((r) => r.name),
      ])
    ).toEqual([['library', REPOS]]);
  });

  it('is plain data: the plan survives a JSON round trip unchanged', async () => {
    const plan = await planAudit(deps, { ...input, maxRefsPerShard: 2 });

    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});

describe('runAudit split into shards', () => {
  it('gives the same report as one shard per project', async () => {
    const whole = await runAudit(deps, input);
    const split = await runAudit(deps, { ...input, maxRefsPerShard: 2 });

    expect(split).toEqual(whole);
    const t = split.targets[0]!;
    expect(t.shards).toEqual([{ project: 'library', status: 'audited' }]);
    // The repository nobody expects falls in the last range only: reported once.
    expect(t.findings.map((f) => [f.state, f.repository, f.reference])).toEqual(
      [
        ['missing', 'library/b', 'v2'],
        ['unexpected', 'library/zz', 'old'],
      ]
    );
  });
});

describe('mergeAudit', () => {
  async function outcomesOf(): Promise<{
    plan: Awaited<ReturnType<typeof planAudit>>;
    outcomes: Map<string, ShardOutcome>;
  }> {
    const plan = await planAudit(deps, { ...input, maxRefsPerShard: 2 });
    const targetPlan = plan.planned.plan.targets[0]!;
    const context = diffContextFor(plan.planned.plan, 'cluster1');
    const parts = expectedByShard(targetPlan, plan.shards);
    const outcomes = new Map<string, ShardOutcome>();
    for (const shard of plan.shards) {
      const partial = await auditShard(
        deps.targets[0]!,
        shard,
        parts.get(shard.id) ?? [],
        context,
        { clock: deps.clock, concurrency: 4, deadline: input.deadline }
      );
      // As the distributed audit stores and reads it back.
      outcomes.set(
        shard.id,
        parseOutcome(JSON.parse(JSON.stringify(storedOutcome(partial))))
      );
    }
    return { plan, outcomes };
  }

  it('makes a shard without a partial UNKNOWN for its scope, never green', async () => {
    const { plan, outcomes } = await outcomesOf();
    outcomes.delete('0001');

    const report = await mergeAudit(deps, input, plan, outcomes);

    const t = report.targets[0]!;
    expect(t.verdict).toBe('UNKNOWN');
    expect(t.counts).toMatchObject({ expected: 6, synced: 4, unknown: 2 });
    expect(
      t.findings
        .filter((f) => f.state === 'unknown')
        .map((f) => [f.repository, f.reference])
    ).toEqual([
      ['library/b', 'v1'],
      ['library/b', 'v2'],
    ]);
    expect(t.shards).toEqual([
      { project: 'library', status: 'unknown', reason: NO_PARTIAL },
    ]);
    expect(t.rpo.estimateSeconds).toBeNull();
  });

  it('stores the exposure the seen refs prove when a shard went unseen, and shows it', async () => {
    // library/b:v2 (pushed 11:00) is missing and seen; library/c's shard has no partial.
    const strict = { ...input, maxRefsPerShard: 2, rpoObjectiveMinutes: 30 };
    const { outcomes } = await outcomesOf();
    outcomes.delete('0002');
    const plan = await planAudit(deps, strict);

    const report = await mergeAudit(deps, strict, plan, outcomes);

    const t = report.targets[0]!;
    expect(t.counts).toMatchObject({ missing: 1, unknown: 2 });
    // A breach the seen refs prove: NOT_READY although the estimate is unknown.
    expect(t.verdict).toBe('NOT_READY');
    expect(t.rpo).toMatchObject({
      objectiveSeconds: 1800,
      estimateSeconds: null,
      estimateAtLeastSeconds: 3600,
      oldestUnsyncedPushTime: '2026-11-29T11:00:00Z',
    });
    expect(reportSchema.parse(report)).toEqual(report);
    expect(renderMarkdown(report)).toContain(
      'RPO exposure ≥ 1h 00m (objective 30m 00s), oldest unsynced push 2026-11-29T11:00:00Z; a lower bound: 2 refs and 1 scope could not be seen'
    );
    expect(renderSummary(report)).toContain(
      'exposure ≥ 1h 00m (a lower bound: 2 refs and 1 scope could not be seen)'
    );
  });

  it('stores no bound when every shard was seen (the estimate is known)', async () => {
    const { plan, outcomes } = await outcomesOf();

    const report = await mergeAudit(deps, input, plan, outcomes);

    expect(report.targets[0]?.rpo.estimateSeconds).toBe(3600);
    expect(report.targets[0]?.rpo).not.toHaveProperty('estimateAtLeastSeconds');
  });

  it('says why a shard failed after its retries', async () => {
    const { plan, outcomes } = await outcomesOf();
    outcomes.set('0002', {
      shard: '0002',
      failed: 'Lambda.TooManyRequestsException: Rate exceeded',
    });

    const report = await mergeAudit(deps, input, plan, outcomes);

    const t = report.targets[0]!;
    expect(t.verdict).toBe('UNKNOWN');
    expect(t.shards[0]?.reason).toBe(
      `${SHARD_FAILED}: Lambda.TooManyRequestsException: Rate exceeded`
    );
    expect(
      t.findings.filter((f) => f.state === 'unknown').map((f) => f.detail)
    ).toEqual([
      `observation failed: ${SHARD_FAILED}: Lambda.TooManyRequestsException: Rate exceeded`,
      `observation failed: ${SHARD_FAILED}: Lambda.TooManyRequestsException: Rate exceeded`,
    ]);
  });
});

describe("mergeAudit with a configuration other than the plan's", () => {
  it('a configured target the plan never saw is UNKNOWN, not READY', async () => {
    const plan = await planAudit(deps, input);
    const added = {
      ...deps.targets[0]!,
      name: 'cluster9',
      url: 'http://r9.example.com',
    };

    const report = await mergeAudit(
      { ...deps, targets: [...deps.targets, added] },
      input,
      plan,
      new Map()
    );

    const t = report.targets.find((x) => x.name === 'cluster9');
    expect(t?.verdict).toBe('UNKNOWN');
    expect(t?.errors).toEqual([{ scope: 'cluster9', message: NOT_PLANNED }]);
  });

  it('a planned target the merge no longer has is named in the report errors', async () => {
    const plan = await planAudit(deps, input);

    const report = await mergeAudit(
      { ...deps, targets: [] },
      input,
      plan,
      new Map()
    );

    const missing = report.errors.filter((e) => e.scope === 'cluster1');
    expect(missing).toHaveLength(1);
    expect(missing[0]?.message).toMatch(
      /^planned, but not in the configuration/
    );
  });
});

describe('parseOutcome', () => {
  it('refuses a partial that does not fit its schema, naming the field', () => {
    expect(() =>
      parseOutcome({
        version: 1,
        shard: '0000',
        status: { project: 'library', status: 'fine' },
        findings: [],
      })
    ).toThrow(/status\.status/);
    expect(() =>
      parseOutcome({ version: 2, shard: '0000', failed: 'x' })
    ).toThrow(/version/);
  });
});

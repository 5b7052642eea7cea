import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab } from '../../../lab/index';
import type { ScenarioInput } from '../../../lab/scenarios/schema';
import { runCli } from '../../../lambdas/cli/program';
import type { Report } from '../../../lambdas/core/report/schema';

// `harbor-dr plan` against a lab Harbor 2.10.1 (doublestar v1.1.1) and a lab Harbor 2.12.0
// (v1.3.4) with the same content and policies: each plan must give the sets that release
// replicates (harbor-semantics, "Correction"), and the lab, an independent witness that runs
// the policies as that release does, must hold exactly those sets afterwards.
jest.setTimeout(120_000);

const POLICIES = ['braces', 'empty-alternative', 'regex', 'regex-excludes'];

function scenario(harborVersion: string): ScenarioInput {
  return {
    name: `plan-${harborVersion}`,
    harbors: [
      {
        name: 'primary',
        harborVersion,
        registries: [{ name: 'mirror', target: 'plain' }],
        projects: [
          {
            name: 'library',
            repositories: [
              {
                name: 'nginx',
                images: [
                  { tags: ['latest', 'v1.2'], seed: 'nginx' },
                  { tags: [], seed: 'nginx-untagged' },
                ],
              },
              { name: 'redis', images: [{ tags: ['v1'], seed: 'redis' }] },
            ],
          },
          {
            name: 'team',
            repositories: [
              { name: 'redis', images: [{ tags: ['v1'], seed: 'team' }] },
            ],
          },
        ],
        policies: [
          {
            // a brace with "/": v1.1.1 fails the whole execution
            name: 'braces',
            destRegistry: 'mirror',
            filters: [{ type: 'name', value: '{library/nginx,team/redis}' }],
          },
          {
            // a trailing empty alternative: only v1.3.4 matches "" (untagged)
            name: 'empty-alternative',
            destRegistry: 'mirror',
            destNamespace: 'alt',
            filters: [
              { type: 'name', value: 'library/nginx' },
              { type: 'tag', value: '{latest,}' },
            ],
          },
          {
            // no regex filters in Harbor: a glob of literal characters
            name: 'regex',
            destRegistry: 'mirror',
            destNamespace: 'rx',
            filters: [
              { type: 'name', value: 'library/**' },
              { type: 'tag', value: 'regex:^v1\\.' },
            ],
          },
          {
            name: 'regex-excludes',
            destRegistry: 'mirror',
            destNamespace: 'rxx',
            filters: [
              { type: 'name', value: 'library/**' },
              { type: 'tag', value: 'regex:^v1\\.', decoration: 'excludes' },
            ],
          },
        ],
      },
    ],
    registries: [{ name: 'plain', kind: 'memory' }],
    actions: POLICIES.map((policy) => ({
      type: 'run-policy' as const,
      harbor: 'primary',
      policy,
    })),
  };
}

interface PlanJson {
  warnings: string[];
  plan: {
    matching: { doublestar: string; source: string; harborVersion?: string };
    targets: {
      expected: {
        repository: string;
        reference: string;
        byDigest: boolean;
        policy: { name: string };
        cannotRun?: string;
      }[];
      policyErrors: { policy: { name: string }; message: string }[];
      warnings: { code: string; policy: string; message: string }[];
    }[];
  };
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(
    args,
    { out: (t) => (out += t), err: (t) => (out += t) },
    'test'
  );
  return { code, out };
}

/**
 * policy → the refs that release really replicates (`repo:tag`, `repo@untagged`), sorted; with
 * `blocked`, the refs kept expected although their policy cannot run (they never arrive).
 */
function setsOf(plan: PlanJson, blocked = false): Record<string, string[]> {
  const sets: Record<string, string[]> = Object.fromEntries(
    POLICIES.map((p) => [p, []])
  );
  for (const r of plan.plan.targets[0]?.expected ?? []) {
    if ((r.cannotRun !== undefined) !== blocked) continue;
    sets[r.policy.name]?.push(
      r.byDigest ? `${r.repository}@untagged` : `${r.repository}:${r.reference}`
    );
  }
  for (const k of Object.keys(sets)) sets[k]?.sort();
  return sets;
}

const REGEX_EXCLUDES = [
  'rxx/nginx:latest',
  'rxx/nginx:v1.2',
  'rxx/nginx@untagged',
  'rxx/redis:v1',
];

describe.each([
  {
    release: 'v2.10.1',
    doublestar: 'v1.1.1',
    sets: {
      braces: [],
      'empty-alternative': ['alt/nginx:latest'],
      regex: [],
      'regex-excludes': REGEX_EXCLUDES,
    },
    braceError: true,
    blocked: [
      'library/nginx:latest',
      'library/nginx:v1.2',
      'library/nginx@untagged',
      'team/redis:v1',
    ],
  },
  {
    release: 'v2.12.0',
    doublestar: 'v1.3.4',
    sets: {
      braces: [
        'library/nginx:latest',
        'library/nginx:v1.2',
        'library/nginx@untagged',
        'team/redis:v1',
      ],
      'empty-alternative': ['alt/nginx:latest', 'alt/nginx@untagged'],
      regex: [],
      'regex-excludes': REGEX_EXCLUDES,
    },
    braceError: false,
    blocked: [],
  },
])('harbor-dr plan against a lab Harbor $release', (want) => {
  let lab: Lab | undefined;
  let dir = '';
  let configPath = '';
  let plan: PlanJson;
  let planCode: number;

  beforeAll(async () => {
    lab = await startLab(scenario(want.release));
    dir = mkdtempSync(join(tmpdir(), 'plan-versions-'));
    configPath = lab.writeConfig(dir).configPath;
    const run = await cli(['plan', '--config', configPath, '--json']);
    planCode = run.code;
    plan = JSON.parse(run.out) as PlanJson;
  });
  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`reads the release from /systeminfo and matches as doublestar ${want.doublestar}`, () => {
    expect(plan.plan.matching).toMatchObject({
      doublestar: want.doublestar,
      source: 'systeminfo',
      harborVersion: want.release,
    });
    expect(plan.warnings).toEqual([]);
  });

  it('gives the expected set that release replicates, per policy', () => {
    expect(setsOf(plan)).toEqual(want.sets);
  });

  it('keeps the refs of a policy that cannot run expected, marked blocked', () => {
    expect(setsOf(plan, true)).toEqual({
      ...Object.fromEntries(POLICIES.map((p) => [p, []])),
      braces: want.blocked,
    });
  });

  it(
    want.braceError
      ? 'makes the brace filter with / a policy that cannot run (a plan error)'
      : 'runs the brace filter with / (no plan error)',
    () => {
      const errors = plan.plan.targets[0]?.policyErrors ?? [];
      if (want.braceError) {
        expect(errors).toEqual([
          expect.objectContaining({
            policy: expect.objectContaining({ name: 'braces' }) as object,
            message: expect.stringContaining(
              'syntax error in pattern'
            ) as string,
          }),
        ]);
        expect(planCode).toBe(1);
      } else {
        expect(errors).toEqual([]);
        expect(planCode).toBe(0);
      }
    }
  );

  it('warns that the regex: filters are literal globs', () => {
    const regexWarnings = (plan.plan.targets[0]?.warnings ?? []).filter(
      (w) => w.code === 'regex-filter'
    );
    expect(regexWarnings.map((w) => [w.policy, w.message])).toEqual([
      ['regex', expect.stringContaining('0 of the 3 tags in scope match it')],
      [
        'regex-excludes',
        expect.stringContaining('it excludes 0 of the 3 tags in scope'),
      ],
    ]);
  });

  it('agrees with what the lab, running the policies as that release, copied', async () => {
    const run = await cli([
      'audit',
      '--config',
      configPath,
      '--out',
      join(dir, 'reports'),
      '--json',
    ]);
    const report = JSON.parse(run.out) as Report;
    const target = report.targets[0];

    // What the release replicates arrived; what its blocked policy would copy is missing.
    expect(target?.counts).toMatchObject({
      missing: want.blocked.length,
      mismatched: 0,
      orphaned: 0,
      unknown: 0,
    });
    expect(target?.counts.synced).toBe(
      (target?.counts.expected ?? 0) - want.blocked.length
    );
    expect(
      target?.findings
        .filter((f) => f.state !== 'synced')
        .map((f) => [f.state, f.detail])
    ).toEqual(
      want.blocked.map((): [string, string] => [
        'missing',
        expect.stringMatching(
          /^policy cannot run: .*syntax error in pattern/
        ) as string,
      ])
    );
  });
});

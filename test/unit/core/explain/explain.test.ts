import { decidePolicies } from '../../../../lambdas/core/explain/decide';
import type { DecideInput } from '../../../../lambdas/core/explain/decide';
import { buildExplanation } from '../../../../lambdas/core/explain/explain';
import type { ExplainFacts } from '../../../../lambdas/core/explain/explain';
import { parseRef, RefError } from '../../../../lambdas/core/explain/ref';
import { renderExplanation } from '../../../../lambdas/core/explain/render';
import { explanationSchema } from '../../../../lambdas/core/explain/schema';
import { artifactOf } from '../../../../lambdas/core/explain/filter-steps';
import {
  logLinesFor,
  taskTouches,
} from '../../../../lambdas/core/explain/tasks';
import { resolveMatching } from '../../../../lambdas/core/inventory/plan/matching';
import type { PlanTarget } from '../../../../lambdas/core/inventory/plan/types';
import type {
  HarborArtifact,
  ReplicationPolicy,
} from '../../../../lambdas/core/model';
import type { ObservedRepository } from '../../../../lambdas/core/ports';
import {
  art,
  d,
  labelFilter,
  nameFilter,
  policy,
  tagFilter,
} from '../fixtures';

const DR: PlanTarget = {
  name: 'dr',
  kind: 'harbor',
  traits: {
    registryType: 'harbor',
    firstSeenDelays: false,
    harborApi: true,
    indexChildren: 'references',
  },
};

function input(
  ref: string,
  policies: ReplicationPolicy[],
  artifacts: HarborArtifact[],
  options: { doublestar?: 'v1.1.1' | 'v1.3.4'; inScope?: boolean } = {}
): DecideInput {
  return {
    ref: parseRef(ref),
    source: { artifacts },
    matching: resolveMatching(options.doublestar ?? 'v1.3.4'),
    bindings: policies.map((p) => ({
      assignment: {
        policy: p,
        target: 'dr',
        mode: 'push',
        destinationType: 'harbor',
      },
      inScope: options.inScope ?? p.enabled,
    })),
    unbound: [],
    targets: [DR],
    targetUrls: new Map([['dr', 'https://dr.example.com']]),
  };
}

const nginx = [
  art('library/nginx', 'a1', ['1.26', 'stable'], { labels: ['prod'] }),
];

describe('parseRef', () => {
  it.each([
    ['library/nginx:1.26', 'library/nginx', '1.26', false],
    ['team-a/web/frontend:v1', 'team-a/web/frontend', 'v1', false],
    [`library/nginx@${d('a1')}`, 'library/nginx', d('a1'), true],
  ])('reads %s', (text, repository, reference, byDigest) => {
    expect(parseRef(text)).toEqual({
      input: text,
      repository,
      reference,
      byDigest,
    });
  });

  it.each([
    ['nginx:1.26', /must include its project/],
    ['library/nginx', /names no tag or digest/],
    ['library/nginx@sha256', /is not a digest/],
    ['library/nginx:', /is not a tag/],
  ])('refuses %s, saying why', (text, why) => {
    expect(() => parseRef(text)).toThrow(RefError);
    expect(() => parseRef(text)).toThrow(why);
  });
});

describe('decidePolicies', () => {
  it('names the tag filter that rejects the ref, with its pattern and doublestar', () => {
    const p = policy({
      filters: [nameFilter('library/**'), tagFilter('1.2?')],
    });
    const { decisions } = decidePolicies(
      input('library/nginx:stable', [p], nginx)
    );
    expect(decisions[0]).toMatchObject({
      matched: false,
      doublestar: 'v1.3.4',
      reason: expect.stringMatching(
        /^rejected by the tag filter "1\.2\?" \(matches, doublestar v1\.3\.4\)/
      ) as string,
    });
    expect(decisions[0]?.filters.map((s) => s.outcome)).toEqual([
      'passed',
      'rejected',
    ]);
    // The other tag of the same artifact passes the same filter.
    expect(
      decidePolicies(input('library/nginx:1.26', [p], nginx)).decisions[0]
        ?.matched
    ).toBe(true);
  });

  it('names a label filter the artifact does not satisfy', () => {
    const p = policy({ filters: [labelFilter(['dr-critical'])] });
    const [decision] = decidePolicies(
      input('library/nginx:1.26', [p], nginx)
    ).decisions;
    expect(decision?.matched).toBe(false);
    expect(decision?.filters[0]).toMatchObject({
      outcome: 'rejected',
      detail: 'the artifact\'s labels (prod) do not include ["dr-critical"]',
    });
  });

  it('reads a brace with "/" as the doublestar in use does: v1.1.1 cannot run it, v1.3.4 matches', () => {
    const p = policy({ filters: [nameFilter('{library/nginx,team-a/api}')] });
    const old = decidePolicies(
      input('library/nginx:1.26', [p], nginx, { doublestar: 'v1.1.1' })
    );
    expect(old.decisions[0]).toMatchObject({
      doublestar: 'v1.1.1',
      cannotRun: expect.stringMatching(/syntax error in pattern/) as string,
    });
    expect(old.decisions[0]?.filters[0]?.outcome).toBe('error');
    const current = decidePolicies(input('library/nginx:1.26', [p], nginx));
    expect(current.decisions[0]).toMatchObject({
      matched: true,
      doublestar: 'v1.3.4',
    });
    expect(current.decisions[0]?.cannotRun).toBeUndefined();
  });

  it('flattens the destination as the plan does, and says a disabled policy is disabled', () => {
    const p = policy({
      enabled: false,
      destNamespace: 'mirror',
      destNamespaceReplaceCount: 1,
    });
    const decided = decidePolicies(input('library/nginx:1.26', [p], nginx));
    expect(decided.decisions[0]).toMatchObject({
      inScope: false,
      matched: true,
      destination: { repository: 'mirror/nginx', reference: '1.26' },
      reason: expect.stringMatching(/the policy is disabled/) as string,
    });
    // Out of scope: the audit expects nothing of it.
    expect(decided.expected.get('dr')).toEqual([]);
  });

  it('says that a policy reaching no configured target is not audited', () => {
    const elsewhere = policy({ id: 9, name: 'to-elsewhere' });
    const decided = decidePolicies({
      ...input('library/nginx:1.26', [], nginx),
      unbound: [elsewhere],
    });
    expect(decided.decisions).toEqual([
      expect.objectContaining({
        target: null,
        inScope: false,
        matched: false,
        reason:
          'replicates to https://dr.example.com, which is no configured target: not audited',
      }),
    ]);
  });

  it('decides a pull policy of a Harbor target as the push it is equivalent to', () => {
    const pull = policy({
      srcRegistry: {
        id: 3,
        name: 'primary',
        type: 'harbor',
        url: 'https://primary.example.com',
        insecure: false,
      },
      destRegistry: null,
      destNamespace: 'copies',
    });
    const decided = decidePolicies({
      ...input('library/nginx:1.26', [], nginx),
      bindings: [
        {
          assignment: {
            policy: pull,
            target: 'dr',
            mode: 'pull',
            destinationType: 'harbor',
          },
          inScope: true,
        },
      ],
    });
    expect(decided.decisions[0]).toMatchObject({
      policy: { mode: 'pull' },
      matched: true,
      destination: { repository: 'copies/nginx', reference: '1.26' },
    });
    expect(decided.expected.get('dr')?.map((r) => r.repository)).toEqual([
      'copies/nginx',
    ]);
  });

  it('says where a ref the primary does not hold would land', () => {
    const { decisions } = decidePolicies(
      input('library/nginx:0.9', [policy()], nginx)
    );
    expect(decisions[0]).toMatchObject({
      matched: false,
      destination: { repository: 'library/nginx', reference: '0.9' },
      reason: expect.stringMatching(
        /^the primary does not hold library\/nginx:0\.9/
      ) as string,
    });
    expect(decisions[0]?.filters).toEqual([]);
  });
});

function facts(
  decideInput: DecideInput,
  observed: ObservedRepository,
  extra: Partial<ExplainFacts> = {}
): ExplainFacts {
  return {
    ref: decideInput.ref,
    primary: { name: 'primary', url: 'https://primary.example.com' },
    source: decideInput.source,
    matching: decideInput.matching,
    decided: decidePolicies(decideInput),
    targets: [{ name: 'dr', kind: 'harbor' }],
    observed: new Map([['dr', [observed]]]),
    runs: [
      {
        target: 'dr',
        policyId: 1,
        mode: 'push',
        executions: [],
        inProgress: 0,
        tasks: [],
      },
    ],
    retrigger: {
      enabled: false,
      dryRun: false,
      maxPerRun: 5,
      cooldownMinutes: 60,
    },
    now: new Date('2026-11-30T12:00:00Z'),
    notes: [],
    ...extra,
  };
}

describe('buildExplanation', () => {
  const missing: ObservedRepository = {
    repository: 'library/nginx',
    exists: true,
    refs: [
      {
        repository: 'library/nginx',
        reference: 'stable',
        byDigest: false,
        digest: d('a1'),
      },
    ],
  };

  it('gives the finding the diff gives, what the target holds, and what a start would do', () => {
    const e = explanationSchema.parse(
      buildExplanation(
        facts(
          input(
            'library/nginx:1.26',
            [policy({ trigger: { type: 'manual' } })],
            nginx
          ),
          missing
        )
      )
    );
    const [dr] = e.targets;
    expect(dr?.destinations[0]).toMatchObject({
      repository: 'library/nginx',
      reference: '1.26',
      holding: { observed: true, tagDigest: null, digestPresent: true },
      findings: [{ state: 'missing', expectedDigest: d('a1') }],
    });
    expect(dr?.retrigger).toEqual([
      expect.objectContaining({
        wouldStart: true,
        reason: expect.stringMatching(
          /copies the ref \(missing\); retrigger\.enabled is off/
        ) as string,
      }),
    ]);
    expect(renderExplanation(e)).toContain(
      'finding: missing: expected sha256:a10000000000'
    );
  });

  it('would not start while an execution runs, nor a disabled policy', () => {
    const running = buildExplanation(
      facts(input('library/nginx:1.26', [policy()], nginx), missing, {
        runs: [
          {
            target: 'dr',
            policyId: 1,
            mode: 'push',
            executions: [],
            inProgress: 1,
            tasks: [],
          },
        ],
      })
    );
    expect(running.targets[0]?.retrigger[0]).toMatchObject({
      wouldStart: false,
      reason: expect.stringMatching(
        /an execution of the policy is in progress/
      ) as string,
    });
    const disabled = buildExplanation(
      facts(
        input('library/nginx:1.26', [policy({ enabled: false })], nginx, {
          inScope: true,
        }),
        missing
      )
    );
    expect(disabled.targets[0]?.retrigger[0]).toMatchObject({
      wouldStart: false,
      reason: 'the policy is disabled: Harbor refuses a start (412)',
    });
  });

  it('says UNKNOWN, never synced, when the target could not be read', () => {
    const e = buildExplanation({
      ...facts(input('library/nginx:1.26', [policy()], nginx), missing),
      observed: new Map([
        ['dr', [{ repository: 'library/nginx', reason: 'HTTP 401' }]],
      ]),
    });
    expect(e.targets[0]?.destinations[0]).toMatchObject({
      holding: { observed: false, reason: 'HTTP 401' },
      findings: [{ state: 'unknown', detail: 'observation failed: HTTP 401' }],
    });
  });
});

describe('task logs', () => {
  it('matches tasks by source or destination repository', () => {
    const task = {
      srcResource: 'library/nginx [3 item(s) in total]',
      dstResource: 'mirror/nginx [3 item(s) in total]',
    };
    expect(taskTouches(task, 'library/nginx', [])).toBe(true);
    expect(taskTouches(task, 'team-a/api', ['mirror/nginx'])).toBe(true);
    expect(taskTouches(task, 'library/nginx-x', ['mirror/nginx-x'])).toBe(
      false
    );
  });

  it('keeps the lines naming the ref, else its repository, else the last lines', () => {
    const log = [
      'copying library/nginx:[1.26] ...',
      'copying library/nginx:[latest] ...',
      'done',
    ].join('\n');
    expect(logLinesFor(log, [':[1.26]'], ['library/nginx'])).toEqual({
      lines: ['copying library/nginx:[1.26] ...'],
      naming: 'ref',
    });
    expect(logLinesFor(log, [':[9]'], ['library/nginx']).naming).toBe(
      'repository'
    );
    expect(logLinesFor(log, [':[9]'], ['x/y'])).toEqual({
      lines: log.split('\n'),
      naming: 'none',
    });
  });
});

describe('artifactOf (the primary artifact a REF names)', () => {
  it('finds an index by one of its platform manifests, as the plan expects it (isRefOf)', () => {
    const index = {
      ...art('library/nginx', 'a1', ['1.26']),
      childDigests: [d('c1'), d('c2')],
    };

    expect(artifactOf(parseRef(`library/nginx@${d('c2')}`), [index])).toBe(
      index
    );
    expect(
      artifactOf(parseRef(`library/nginx@${d('c9')}`), [index])
    ).toBeUndefined();
  });
});

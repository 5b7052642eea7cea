import {
  decideRetriggers,
  needOf,
  pastStartsOf,
  retriggerKey,
} from '../../../../lambdas/core/replication/retrigger';
import type {
  RetriggerCandidate,
  RetriggerSettings,
} from '../../../../lambdas/core/replication/retrigger';
import { report, targetReport } from '../../../helpers/report-fixture';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const MIN = 60_000;

function candidate(
  overrides: Partial<RetriggerCandidate> = {}
): RetriggerCandidate {
  const policyId = overrides.policyId ?? 1;
  const target = overrides.target ?? 'dr';
  return {
    key: retriggerKey(target, 'push', policyId),
    target,
    mode: 'push',
    policyId,
    policyName: `p${policyId.toString()}`,
    enabled: true,
    missing: 0,
    mismatched: 0,
    inProgress: false,
    executionsKnown: true,
    harborManualStarts: [],
    ...overrides,
  };
}

const settings = (
  overrides: Partial<RetriggerSettings> = {}
): RetriggerSettings => ({
  enabled: true,
  dryRun: false,
  maxPerRun: 5,
  cooldownMinutes: 60,
  ...overrides,
});

describe('needOf', () => {
  it.each<[string, Partial<RetriggerCandidate>, RegExp | undefined]>([
    ['nothing wrong', {}, undefined],
    ['missing refs', { missing: 3 }, /^3 missing ref\(s\) attributable/],
    [
      'missing and mismatched refs',
      { missing: 1, mismatched: 2 },
      /^1 missing and 2 mismatched/,
    ],
    [
      'a failed latest execution',
      { latest: { id: 7, status: 'Failed', statusText: 'boom' } },
      /latest execution 7 Failed \(boom\)/,
    ],
    [
      'a stopped latest execution',
      { latest: { id: 8, status: 'Stopped', statusText: '' } },
      /latest execution 8 Stopped$/,
    ],
    [
      'a succeeded latest execution only',
      { latest: { id: 9, status: 'Succeed', statusText: '' } },
      undefined,
    ],
  ])('%s', (_name, overrides, expected) => {
    const need = needOf(candidate(overrides));
    if (expected === undefined) expect(need).toBeUndefined();
    else expect(need).toMatch(expected);
  });
});

describe('decideRetriggers', () => {
  it('decides nothing when re-triggering is disabled', () => {
    expect(
      decideRetriggers(
        [candidate({ missing: 1 })],
        [],
        settings({ enabled: false }),
        NOW
      )
    ).toEqual([]);
  });

  it('leaves policies that need nothing out of the decisions', () => {
    const decisions = decideRetriggers(
      [candidate({ policyId: 1 }), candidate({ policyId: 2, missing: 1 })],
      [],
      settings(),
      NOW
    );
    expect(decisions.map((d) => [d.candidate.policyId, d.action])).toEqual([
      [2, 'start'],
    ]);
  });

  it.each<[string, Partial<RetriggerCandidate>, string]>([
    ['a disabled policy', { enabled: false }, 'disabled'],
    ['an execution in progress', { inProgress: true }, 'in-progress'],
    [
      'executions that could not be read',
      { executionsKnown: false },
      'executions-unknown',
    ],
    [
      'a manual execution Harbor lists within the cooldown',
      { harborManualStarts: [NOW.getTime() - 10 * MIN] },
      'cooldown',
    ],
  ])('never starts %s', (_name, overrides, cause) => {
    const [d] = decideRetriggers(
      [candidate({ missing: 2, ...overrides })],
      [],
      settings(),
      NOW
    );
    expect(d).toMatchObject({ action: 'skip', cause });
    expect(d?.action === 'skip' ? d.need : '').toMatch(/2 missing/);
  });

  it('a disabled policy is refused even when everything else would allow it', () => {
    const [d] = decideRetriggers(
      [
        candidate({
          enabled: false,
          latest: { id: 1, status: 'Failed', statusText: '' },
        }),
      ],
      [],
      settings({ cooldownMinutes: 0 }),
      NOW
    );
    expect(d).toMatchObject({ action: 'skip', cause: 'disabled' });
  });

  it('a policy Harbor cannot run is never started: its execution would fail again', () => {
    const [d] = decideRetriggers(
      [
        candidate({
          cannotRun: 'invalid pattern "{a/b,c}": syntax error in pattern',
          latest: { id: 7, status: 'Failed', statusText: 'syntax error' },
        }),
      ],
      [],
      settings({ cooldownMinutes: 0 }),
      NOW
    );
    expect(d).toMatchObject({ action: 'skip', cause: 'cannot-run' });
    expect(d?.reason).toMatch(/syntax error in pattern.*fail again/);
  });

  it('remembers starts of earlier runs (report store) for the cooldown', () => {
    const c = candidate({ missing: 1 });
    const within = decideRetriggers(
      [c],
      [{ key: c.key, at: NOW.getTime() - 59 * MIN }],
      settings(),
      NOW
    );
    const after = decideRetriggers(
      [c],
      [{ key: c.key, at: NOW.getTime() - 61 * MIN }],
      settings(),
      NOW
    );
    const otherPolicy = decideRetriggers(
      [c],
      [
        {
          key: retriggerKey('dr', 'push', 99),
          at: NOW.getTime() - 1 * MIN,
        },
      ],
      settings(),
      NOW
    );
    expect(within[0]).toMatchObject({ action: 'skip', cause: 'cooldown' });
    expect(within[0]?.reason).toContain('until 2026-11-29T12:01:00.000Z');
    expect(after[0]).toMatchObject({ action: 'start' });
    expect(otherPolicy[0]).toMatchObject({ action: 'start' });
  });

  it('a cooldown of 0 allows a start every run', () => {
    const c = candidate({ missing: 1 });
    const [d] = decideRetriggers(
      [c],
      [{ key: c.key, at: NOW.getTime() }],
      settings({ cooldownMinutes: 0 }),
      NOW
    );
    expect(d?.action).toBe('start');
  });

  it('caps the starts per run, most attributable refs first, then failed, then by target and name', () => {
    const decisions = decideRetriggers(
      [
        candidate({ policyId: 1, target: 'b', missing: 1 }),
        candidate({
          policyId: 2,
          target: 'a',
          latest: { id: 5, status: 'Failed', statusText: '' },
        }),
        candidate({ policyId: 3, target: 'a', missing: 9 }),
        candidate({
          policyId: 4,
          target: 'a',
          missing: 1,
          latest: { id: 6, status: 'Stopped', statusText: '' },
        }),
        candidate({ policyId: 5, target: 'a', missing: 1 }),
      ],
      [],
      settings({ maxPerRun: 3 }),
      NOW
    );
    expect(
      decisions.map((d) => [
        d.candidate.policyId,
        d.action,
        d.action === 'skip' ? d.cause : '',
      ])
    ).toEqual([
      [3, 'start', ''],
      [4, 'start', ''],
      [5, 'start', ''],
      [1, 'skip', 'cap'],
      [2, 'skip', 'cap'],
    ]);
  });

  it('skipped policies do not use up the cap', () => {
    const decisions = decideRetriggers(
      [
        candidate({ policyId: 1, missing: 5, inProgress: true }),
        candidate({ policyId: 2, missing: 4, enabled: false }),
        candidate({ policyId: 3, missing: 1 }),
      ],
      [],
      settings({ maxPerRun: 1 }),
      NOW
    );
    expect(decisions.map((d) => [d.candidate.policyId, d.action])).toEqual([
      [1, 'skip'],
      [2, 'skip'],
      [3, 'start'],
    ]);
  });

  it('a cap of 0 starts nothing', () => {
    const [d] = decideRetriggers(
      [candidate({ missing: 1 })],
      [],
      settings({ maxPerRun: 0 }),
      NOW
    );
    expect(d).toMatchObject({ action: 'skip', cause: 'cap' });
  });

  it('a dry run decides the same way and marks its starts', () => {
    const decisions = decideRetriggers(
      [
        candidate({ policyId: 1, missing: 2 }),
        candidate({ policyId: 2, missing: 1 }),
      ],
      [],
      settings({ dryRun: true, maxPerRun: 1 }),
      NOW
    );
    expect(decisions).toMatchObject([
      { action: 'start', dryRun: true },
      { action: 'skip', cause: 'cap' },
    ]);
  });
});

describe('pastStartsOf', () => {
  it('keeps real and unanswered starts, not dry runs or refusals', () => {
    const earlier = report({
      startedAt: '2026-11-29T10:00:00.000Z',
      targets: [
        {
          ...targetReport({ name: 'dr' }),
          replication: {
            executions: [],
            failedTasks: [],
            retriggered: [
              {
                policyId: 1,
                policyName: 'a',
                reason: 'r',
                dryRun: false,
                outcome: 'started',
                executionId: 4,
                at: '2026-11-29T10:05:00.000Z',
              },
              {
                policyId: 2,
                policyName: 'b',
                reason: 'r',
                dryRun: false,
                outcome: 'unknown',
              },
              {
                policyId: 3,
                policyName: 'c',
                reason: 'r',
                dryRun: true,
                outcome: 'dry-run',
              },
              {
                policyId: 4,
                policyName: 'd',
                reason: 'r',
                dryRun: false,
                outcome: 'permission-denied',
              },
              {
                policyId: 5,
                policyName: 'e',
                reason: 'r',
                dryRun: false,
                outcome: 'started',
                mode: 'pull',
              },
            ],
          },
        },
      ],
    });
    expect(pastStartsOf([earlier])).toEqual([
      {
        key: 'dr|push|1',
        at: Date.parse('2026-11-29T10:05:00.000Z'),
      },
      // No `at` (older reports): the run's start stands in.
      { key: 'dr|push|2', at: Date.parse('2026-11-29T10:00:00.000Z') },
      { key: 'dr|pull|5', at: Date.parse('2026-11-29T10:00:00.000Z') },
    ]);
  });
});

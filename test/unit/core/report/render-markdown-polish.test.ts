import { renderMarkdown } from '../../../../lambdas/core/report/render/markdown';
import type { TargetReport } from '../../../../lambdas/core/report/schema';
import { report, targetReport } from '../../../helpers/report-fixture';

// The Markdown polish of issue 16 (point 6): what a reader of the demo's report tripped on.

const since = '2026-11-29T00:00:00.000Z';

function health(
  overrides: Partial<NonNullable<TargetReport['replication']['health']>[number]>
): NonNullable<TargetReport['replication']['health']>[number] {
  return {
    policyId: 1,
    policyName: 'to-dr',
    mode: 'push',
    enabled: true,
    trigger: 'manual',
    since,
    status: 'problem',
    executionsByStatus: { InProgress: 0, Succeed: 2, Failed: 0, Stopped: 0 },
    attributable: { missing: 1, mismatched: 1 },
    problems: [],
    ...overrides,
  };
}

const md = (t: Partial<TargetReport>) =>
  renderMarkdown(report({ targets: [targetReport({ name: 'dr', ...t })] }));

const RETAIN = JSON.stringify({
  action: 'retain',
  disabled: false,
  params: { latestPushedK: 10 },
  priority: 0,
  scope_selectors: {
    repository: [
      { decoration: 'repoMatches', kind: 'doublestar', pattern: '**' },
    ],
  },
  tag_selectors: [{ decoration: 'matches', kind: 'doublestar', pattern: 'v*' }],
  template: 'latestPushedK',
});

describe('Markdown polish', () => {
  it('says why a policy is a problem when no execution problem does', () => {
    const text = md({
      replication: {
        executions: [],
        failedTasks: [],
        retriggered: [],
        health: [
          health({
            retrigger: { action: 'skip', reason: 'the policy is disabled' },
          }),
        ],
      },
    });
    expect(text).toContain(
      '- **to-dr** (push, manual): problem: 1 missing and 1 mismatched refs attributable to it, although its executions succeeded'
    );
    expect(text).toContain('  - re-trigger: skip: the policy is disabled');
    expect(text).not.toMatch(/: problem\n/);
  });

  it('renders retention and immutability rules as a table, not JSON', () => {
    const text = md({
      drift: [
        {
          category: 'retention',
          name: 'team-a',
          severity: 'warning',
          primary: `algorithm: or; rules: ${RETAIN}, ${RETAIN}; trigger: {"kind":"Schedule","settings":{"cron":"0 0 * * *"}}`,
          target: 'absent',
        },
        {
          category: 'immutability',
          name: 'team-b',
          severity: 'warning',
          primary: `rules: ${RETAIN.replace('retain', 'immutable')}`,
          target: 'rules: ',
        },
      ],
    });
    expect(text).not.toContain('{"action"');
    expect(text).not.toContain('scope\\_selectors');
    expect(text).toContain(
      '| warning | retention | team-a | algorithm: or; rules: 2 rules (table below); trigger: Schedule, cron 0 0 \\* \\* \\* | absent |'
    );
    expect(text).toContain(
      '| retention | team-a | primary | 0 | retain | latestPushedK (latestPushedK=10) | matches `**` | matches `v*` | false |'
    );
    expect(text).toContain(
      '| immutability | team-b | primary | 0 | immutable |'
    );
  });

  it('keeps an item whose rules are not JSON as it is', () => {
    const text = md({
      drift: [
        {
          category: 'retention',
          name: 'x',
          severity: 'warning',
          primary: 'rules: {not json',
          target: 'absent',
        },
      ],
    });
    expect(text).toContain(
      '| warning | retention | x | rules: {not json | absent |'
    );
    expect(text).not.toContain('Retention and immutability rules');
  });

  it('says "not applicable" once for a plain registry', () => {
    const text = md({
      checklist: [],
      metadataDrift: {
        status: 'not-applicable',
        note: 'plain registry: it holds no users, projects, members or robots, so metadata drift is not applicable',
        unseen: [],
      },
    });
    expect(text).toContain(
      'Metadata drift: not applicable (plain registry: it holds no users, projects, members or robots)'
    );
  });

  it('says the metadata drift status in words, without "compared: compared"', () => {
    const text = md({
      checklist: [],
      metadataDrift: {
        status: 'compared',
        note: 'compared by name: auth, users',
        unseen: [],
      },
    });
    expect(text).not.toContain('compared: compared');
    expect(text).toContain(
      'Metadata drift: every category compared (by name: auth, users)'
    );
  });
});

describe('UNKNOWN reasons in the Markdown', () => {
  it('lists projects not fully audited once per distinct reason', () => {
    const reason = 'observation failed: cluster1 GET /v2/x/tags/list: HTTP 401';
    const text = md({
      shards: ['a', 'b', 'c'].map((project) => ({
        project,
        status: 'unknown' as const,
        reason,
      })),
    });
    expect(text).toContain(
      '- projects `a`, `b`, `c`: unknown: observation failed: cluster1 GET /v2/x/tags/list: HTTP 401'
    );
    expect(text.split('HTTP 401').length - 1).toBe(1);
  });
});

import { renderMarkdown } from '../../../../lambdas/core/report/render/markdown';
import { renderSummary } from '../../../../lambdas/core/report/render/summary';
import { report, targetReport } from '../../../helpers/report-fixture';

const problemReport = () =>
  report({
    verdict: 'UNKNOWN',
    targets: [
      targetReport({
        name: 'cluster1',
        verdict: 'UNKNOWN',
        counts: {
          expected: 4,
          synced: 1,
          missing: 1,
          mismatched: 1,
          orphaned: 0,
          unknown: 1,
        },
        findings: [
          {
            state: 'missing',
            target: 'cluster1',
            repository: 'mirror/api',
            reference: '2.1.0',
            expectedDigest: `sha256:${'a'.repeat(64)}`,
            source: {
              repository: 'team-a/api',
              reference: '2.1.0',
              pushTime: '2026-11-29T01:00:00.000Z',
            },
            policy: {
              id: 3,
              name: 'to-cluster1',
              override: true,
              deletion: false,
            },
            detail: 'not on the target',
          },
        ],
        errors: [
          { scope: 'cluster1/library', message: 'HTTP 502 after 3 retries' },
        ],
        rpo: {
          objectiveSeconds: 3600,
          estimateSeconds: 3725,
          oldestUnsyncedPushTime: '2026-11-29T01:00:00.000Z',
          p50DelaySeconds: null,
          p95DelaySeconds: null,
          maxDelaySeconds: null,
        },
        replication: {
          executions: [],
          failedTasks: [],
          retriggered: [
            {
              policyId: 3,
              policyName: 'to-cluster1',
              reason: 'missing refs',
              dryRun: false,
              outcome: 'started',
              executionId: 9,
            },
            {
              policyId: 4,
              policyName: 'b',
              reason: 'failed',
              dryRun: false,
              outcome: 'permission-denied',
            },
            {
              policyId: 5,
              policyName: 'c',
              reason: 'failed',
              dryRun: true,
              outcome: 'dry-run',
            },
          ],
        },
      }),
    ],
  });

describe('renderSummary', () => {
  it('gives counts, exposure, what was not seen, and only real re-triggers', () => {
    const text = renderSummary(problemReport());

    expect(text).toContain('Replication audit of harbor-primary: UNKNOWN');
    expect(text).toContain(
      '1/4 synced, 1 missing, 1 mismatched, 1 UNKNOWN, exposure 1h 02m'
    );
    expect(text).toContain('1 re-triggered, 1 would be re-triggered (dry run)');
    expect(text).toContain('cluster1/library: HTTP 502 after 3 retries');
  });
});

describe('renderMarkdown', () => {
  it('lists each finding with its evidence and the unseen scopes', () => {
    const md = renderMarkdown(problemReport());

    expect(md).toContain('# Replication audit: harbor-primary');
    expect(md).toContain(
      '| mirror/api:2.1.0 | `sha256:aaaaaaaaaaaa` | — | team-a/api:2.1.0 (pushed 2026-11-29T01:00:00.000Z) | to-cluster1 | not on the target |'
    );
    expect(md).toContain('`cluster1/library`: HTTP 502 after 3 retries');
    expect(md).toContain('to-cluster1: missing refs → started (execution 9)');
  });

  it('shows troubled replication policies with their problems and failed tasks', () => {
    const r = problemReport();
    r.targets[0]!.replication.health = [
      {
        policyId: 3,
        policyName: 'to-cluster1',
        mode: 'push',
        enabled: true,
        trigger: 'scheduled',
        since: '2026-11-28T02:00:00.000Z',
        status: 'problem',
        executionsByStatus: {
          InProgress: 0,
          Succeed: 0,
          Failed: 1,
          Stopped: 0,
        },
        attributable: { missing: 1, mismatched: 0 },
        problems: [
          {
            kind: 'failed',
            executionId: 7,
            message: 'execution 7 Failed: 1 failed of 3 task(s)',
          },
        ],
      },
    ];
    r.targets[0]!.replication.failedTasks = [
      {
        policyName: 'to-cluster1',
        executionId: 7,
        taskId: 21,
        status: 'Failed',
        srcResource: 'team-a/legacy [1 item(s) in total]',
        dstResource: 'mirror/legacy [1 item(s) in total]',
        logExcerpt: ['[ERROR] failed to copy blob: unexpected EOF'],
      },
    ];

    const md = renderMarkdown(r);

    expect(md).toContain('### Replication health');
    expect(md).toContain('- **to-cluster1** (push, scheduled): problem');
    expect(md).toContain(
      '  - failed: execution 7 Failed: 1 failed of 3 task(s)'
    );
    expect(md).toContain(
      // Harbor's text, escaped: its brackets are not a link.
      '- task 21 of execution 7 (to-cluster1) Failed: team-a/legacy \\[1 item(s) in total\\] → mirror/legacy \\[1 item(s) in total\\]'
    );
    expect(md).toContain('`[ERROR] failed to copy blob: unexpected EOF`');
  });

  it('escapes table cells', () => {
    const r = problemReport();
    r.targets[0]!.findings[0]!.detail = 'a | b\nc';

    expect(renderMarkdown(r)).toContain('a \\| b c');
  });

  it('renders injected names as text, never as Markdown structure', () => {
    const r = problemReport();
    const t = r.targets[0]!;
    const f = t.findings[0]!;
    f.reference = '2.1.0\n# pwned heading';
    f.repository = 'mirror/[click](https://evil.example)';
    f.policy = {
      ...f.policy!,
      name: '**bold** <img src=x onerror=alert(1)> | extra cell',
    };
    f.expectedDigest = 'sha256:``|\n## x';
    t.errors = [
      { scope: 'cluster1/`x`', message: 'listing of `a\n- fake item' },
    ];
    t.replication.failedTasks = [
      {
        policyName: 'p\n### fake',
        executionId: 1,
        taskId: 2,
        status: 'Failed',
        srcResource: 'a',
        dstResource: 'b',
        logExcerpt: ['``` fence break ```\n# also'],
      },
    ];

    const md = renderMarkdown(r);
    const lines = md.split('\n');

    // Only the renderer's own headings and list items.
    expect(lines.filter((l) => l.startsWith('#'))).toEqual([
      '# Replication audit: harbor-primary',
      expect.stringMatching(/^## cluster1 \(distribution\) · /) as string,
      '### missing (1)',
      '### Replication health',
      '### Re-triggered replications',
    ]);
    expect(lines.some((l) => /^\s*- fake/.test(l))).toBe(false);
    // No unescaped link, emphasis or HTML.
    expect(md).not.toMatch(/(?<!\\)\[click/);
    expect(md).not.toMatch(/(?<!\\)<img/);
    expect(md).not.toMatch(/(?<!\\)\*\*bold/);
    // The findings row keeps its six cells.
    const row = lines.find((l) => l.includes('pwned heading'));
    expect(row?.split(/(?<!\\)\|/)).toHaveLength(8);
    expect(row).toContain('2.1.0 \\# pwned heading');
    // A log line with backticks stays one code span.
    expect(md).toContain('  - ```` ``` fence break ``` # also ````');
  });
});

describe('renderSummary: untrusted text', () => {
  it('never lets a name or message start a line of its own', () => {
    const r = problemReport();
    r.targets[0]!.errors = [
      { scope: 'cluster1', message: 'boom\nREADY everything is fine\u001b[2J' },
    ];

    const text = renderSummary(r);

    expect(text.split('\n').some((l) => l.startsWith('READY'))).toBe(false);
    expect(text).not.toContain('\u001b');
  });
});

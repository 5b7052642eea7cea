import {
  buildNotification,
  linkedHumanReport,
  previousOutcome,
  shouldNotify,
  type ReportLinks,
} from '../../../../lambdas/core/report/notify';
import { reportKeys } from '../../../../lambdas/core/report/layout';
import type { ChatNotification } from '../../../../lambdas/core/report/notify-chat';
import type {
  FindingCounts,
  TargetReport,
} from '../../../../lambdas/core/report/schema';
import { report, targetReport } from '../../../helpers/report-fixture';

const counts = (over: Partial<FindingCounts> = {}): FindingCounts => ({
  expected: 3,
  synced: 3,
  missing: 0,
  mismatched: 0,
  orphaned: 0,
  unknown: 0,
  ...over,
});

const ready = report();
const degraded = report({
  verdict: 'DEGRADED',
  targets: [
    targetReport({
      verdict: 'DEGRADED',
      counts: counts({ synced: 2, missing: 1 }),
    }),
  ],
});

const LINKS: ReportLinks = {
  human: 's3://bucket/reports/audit/2026/11/29/r.md',
  humanConsoleUrl:
    'https://eu-west-1.console.aws.amazon.com/s3/object/bucket?region=eu-west-1&prefix=reports%2Faudit%2F2026%2F11%2F29%2Fr.md',
  json: 's3://bucket/reports/audit/2026/11/29/r.json',
};

/** The lab's three targets as an audit sees them, plus `extra` more. */
function labRun(over: Partial<TargetReport>[] = []) {
  const targets = [
    targetReport({
      name: 'harbor-dr',
      verdict: 'DEGRADED',
      counts: counts({ expected: 10, synced: 9, missing: 1 }),
      rpo: { ...targetReport().rpo, estimateSeconds: 600 },
    }),
    targetReport({
      name: 'cluster-1',
      verdict: 'NOT_READY',
      counts: counts({ expected: 10, synced: 8, missing: 2 }),
      rpo: { ...targetReport().rpo, estimateSeconds: 5_100 },
    }),
    targetReport({ name: 'cluster-2' }),
  ].map((t, i) => ({ ...t, ...over[i] }));
  return report({ verdict: 'NOT_READY', targets });
}

describe('shouldNotify', () => {
  it.each([
    ['always', ready, ready, true],
    ['problem', ready, undefined, false],
    ['problem', degraded, degraded, true],
    ['problem', report({ verdict: 'UNKNOWN' }), undefined, true],
    ['change', ready, undefined, true], // a first run
    ['change', ready, ready, false],
    ['change', degraded, ready, true],
    ['change', degraded, degraded, false],
  ] as const)('%s: %#', (mode, current, previous, expected) => {
    expect(shouldNotify(mode, current, previous)).toBe(expected);
  });

  it('change: pushes that move the expected total and synced count are no change', () => {
    // A busy registry: every night more is expected and more is synced, nothing is wrong.
    const before = labRun();
    const after = labRun([
      { counts: counts({ expected: 50, synced: 49, missing: 1 }) },
      { counts: counts({ expected: 70, synced: 68, missing: 2 }) },
      { counts: counts({ expected: 9, synced: 9 }) },
    ]);

    expect(shouldNotify('change', after, before)).toBe(false);
  });

  it.each(['missing', 'mismatched', 'orphaned', 'unknown'] as const)(
    'change: a change of the %s count is a change',
    (key) => {
      const before = labRun();
      const after = labRun([
        {},
        {},
        { counts: counts({ [key]: 1 }), verdict: 'READY' },
      ]);

      expect(shouldNotify('change', after, before)).toBe(true);
    }
  );

  it('change: a target added to or gone from the config is a change', () => {
    const before = labRun();
    const after = report({
      verdict: before.verdict,
      targets: before.targets.slice(0, 2),
    });

    expect(shouldNotify('change', after, before)).toBe(true);
    expect(shouldNotify('change', before, after)).toBe(true);
  });
});

describe('buildNotification (text)', () => {
  it('names the worst target and its main reason in the subject, with filterable attributes', () => {
    const n = buildNotification(labRun(), { links: LINKS });

    expect(n.subject).toBe(
      'NOT_READY cluster-1: 2 missing, exposure 1h25m > 1h (+1 not READY) [audit harbor-primary]'
    );
    expect(n.attributes).toEqual({
      kind: 'audit',
      verdict: 'NOT_READY',
      severity: 'problem',
      target: 'cluster-1',
      targets: ['cluster-1', 'harbor-dr'],
      format: 'text',
    });
  });

  it('gives a READY run a subject and the (none) target', () => {
    const n = buildNotification(ready, { links: LINKS });

    expect(n.subject).toBe('READY: 1 target in sync [audit harbor-primary]');
    expect(n.attributes.target).toBe('(none)');
    expect(n.attributes.targets).toEqual([]);
    expect(n.attributes.severity).toBe('ok');
    expect(
      buildNotification(report({ verdict: 'UNKNOWN' }), { links: LINKS })
        .attributes.severity
    ).toBe('unknown');
  });

  it('has the summary, what changed since the previous run, and the human report links in the body', () => {
    const previous = labRun([
      {},
      {
        verdict: 'DEGRADED',
        counts: counts({ expected: 8, synced: 7, missing: 1 }),
      },
    ]);
    const n = buildNotification(labRun(), { links: LINKS, previous });

    expect(n.body).toContain('Replication audit of harbor-primary: NOT_READY');
    expect(n.body).toContain(
      `Changes since run ${previous.runId} (${previous.startedAt}):\n  cluster-1: DEGRADED -> NOT_READY, missing 1 -> 2\n`
    );
    // harbor-dr's expected and synced moved in no run here; cluster-2 did not change.
    expect(n.body).not.toContain('harbor-dr: DEGRADED');
    expect(n.body).toContain(
      `Report (human):\n  ${LINKS.humanConsoleUrl ?? ''}\n  ${LINKS.human}\nReport (JSON): ${LINKS.json}\n`
    );
  });

  it('says when nothing changed, and when there was no earlier report', () => {
    expect(
      buildNotification(labRun(), { links: LINKS, previous: labRun() }).body
    ).toContain('none (same verdicts and problem counts)');
    expect(buildNotification(labRun(), { links: LINKS }).body).toContain(
      'Changes: none to show, no earlier audit report was read.'
    );
  });

  it('carries the replication block the CLI prints', () => {
    const run = labRun([
      {},
      {
        replication: {
          executions: [],
          failedTasks: [],
          retriggered: [
            {
              policyId: 7,
              policyName: 'to-cluster-1',
              reason: '2 missing',
              dryRun: false,
              executionId: 42,
              outcome: 'started',
            },
          ],
        },
      },
    ]);

    const n = buildNotification(run, { links: LINKS });

    expect(n.body).toContain(
      'Replication:\n  cluster-1: re-trigger to-cluster-1: started (execution 42)\n'
    );
  });

  it('keeps the subject within SNS’s 100 printable ASCII characters on one line', () => {
    const long = report({
      verdict: 'UNKNOWN',
      primary: { name: 'p'.repeat(150), url: 'https://h' },
      targets: [
        targetReport({
          name: `t-${'x'.repeat(120)}`,
          verdict: 'UNKNOWN',
          counts: counts({ synced: 0, unknown: 3 }),
          errors: [{ scope: 't', message: 'déjà vu\nconnect ECONNREFUSED ✓' }],
        }),
      ],
    });

    const { subject } = buildNotification(long, { links: LINKS });

    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toMatch(/^UNKNOWN t-x+\.\.\.$/);
  });
});

describe('buildNotification (chat)', () => {
  it('is an Amazon Q Developer custom notification: version 1.0, source custom, markdown content', () => {
    const previous = labRun([{}, { verdict: 'DEGRADED' }]);

    const n = buildNotification(labRun(), {
      links: LINKS,
      previous,
      format: 'chat',
    });

    const chat = JSON.parse(n.body) as ChatNotification;
    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: labRun().runId,
      content: {
        textType: 'client-markdown',
        title: n.subject,
        nextSteps: [`Read the report: ${LINKS.humanConsoleUrl ?? ''}`],
        keywords: ['audit', 'NOT_READY', 'harbor-primary'],
      },
      metadata: {
        summary: n.subject,
        eventType: 'harbor-dr-audit',
        relatedResources: [LINKS.human, LINKS.json],
        additionalContext: {
          kind: 'audit',
          verdict: 'NOT_READY',
          severity: 'problem',
          target: 'cluster-1',
          format: 'chat',
          primary: 'harbor-primary',
          runId: labRun().runId,
        },
      },
    });
    expect(chat.content.description.split('\n')).toEqual([
      '• *NOT_READY* `cluster-1`: 2 missing, exposure 1h25m > 1h',
      '• *DEGRADED* `harbor-dr`: 1 missing',
      'Changed since the previous run: cluster-1: DEGRADED -> NOT_READY',
    ]);
    expect(n.attributes.format).toBe('chat');
  });

  it('lists at most 10 targets in a chat message, counting the rest', () => {
    const many = report({
      verdict: 'UNKNOWN',
      targets: Array.from({ length: 200 }, (_, i) =>
        targetReport({
          name: `c${String(i)}`,
          verdict: 'UNKNOWN',
          errors: [{ scope: `c${String(i)}`, message: 'connect ECONNREFUSED' }],
        })
      ),
    });

    const chat = JSON.parse(
      buildNotification(many, { links: LINKS, format: 'chat' }).body
    ) as ChatNotification;

    const lines = chat.content.description.split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe('• … and 190 more not READY');
  });
});

describe('linkedHumanReport', () => {
  it('links the HTML report the store wrote beside the JSON', () => {
    const keys = reportKeys(ready);

    expect(
      linkedHumanReport({
        json: `s3://b/${keys.json}`,
        human: `s3://b/${keys.human}`,
        html: `s3://b/${keys.html}`,
      })
    ).toBe(`s3://b/${keys.html}`);
  });

  it('links the Markdown report where no HTML was written', () => {
    const keys = reportKeys(ready);

    expect(
      linkedHumanReport({
        json: `s3://b/${keys.json}`,
        human: `s3://b/${keys.human}`,
      })
    ).toBe(`s3://b/${keys.human}`);
  });
});

describe('previousOutcome (what change compares with)', () => {
  const full = (startedAt: string, clusterMissing: number) => {
    const r = labRun([
      {},
      {
        counts: counts({
          expected: 10,
          synced: 10 - clusterMissing,
          missing: clusterMissing,
        }),
      },
    ]);
    return { ...r, startedAt, runId: startedAt };
  };
  const partial = (startedAt: string) => {
    const r = full(startedAt, 2);
    return { ...r, targets: r.targets.filter((t) => t.name === 'cluster-1') };
  };

  it('a run of some targets is no change for the others', () => {
    const nightly = full('2026-11-29T02:00:00Z', 2);
    const onDemand = partial('2026-11-29T09:00:00Z');

    const previous = previousOutcome(onDemand, [nightly]);

    expect(previous?.targets.map((t) => t.name)).toEqual(['cluster-1']);
    expect(shouldNotify('change', onDemand, previous)).toBe(false);
  });

  it('the next full run compares each target with its own last outcome, not with a partial run', () => {
    const nightly = full('2026-11-29T02:00:00Z', 2);
    const onDemand = partial('2026-11-29T09:00:00Z');
    const next = full('2026-11-30T02:00:00Z', 2);

    const previous = previousOutcome(next, [onDemand, nightly]);

    expect(previous?.targets.map((t) => t.name)).toEqual([
      'harbor-dr',
      'cluster-1',
      'cluster-2',
    ]);
    expect(previous?.verdict).toBe('NOT_READY');
    expect(shouldNotify('change', next, previous)).toBe(false);
    // A real change still counts: cluster-1 from 2 missing to 3.
    const worse = full('2026-11-30T02:00:00Z', 3);
    expect(
      shouldNotify('change', worse, previousOutcome(worse, [onDemand, nightly]))
    ).toBe(true);
  });

  it('is undefined when no earlier run had any of the targets (a first run notifies)', () => {
    expect(
      previousOutcome(full('2026-11-30T02:00:00Z', 0), [])
    ).toBeUndefined();
  });
});

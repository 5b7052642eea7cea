import type {
  Notification,
  Notifier,
  ReportStore,
} from '../../../lambdas/core/ports';
import { reportKeys } from '../../../lambdas/core/report/layout';
import type { Report } from '../../../lambdas/core/report/schema';
import { parseConfig } from '../../../lambdas/shared/config';
import { publish } from '../../../lambdas/use-cases/publish';
import { report, targetReport } from '../../helpers/report-fixture';

const NOW = new Date('2026-11-29T02:00:10Z');

/** A store that keeps nothing and answers with s3:// locations of the design's layout. */
const store: ReportStore = {
  save: (r: Report) => {
    const keys = reportKeys(r);
    return Promise.resolve({
      json: `s3://reports-bucket/${keys.json}`,
      human: `s3://reports-bucket/${keys.human}`,
      html: `s3://reports-bucket/${keys.html}`,
      latest: `s3://reports-bucket/${keys.latest}`,
    });
  },
  recent: () => Promise.resolve([]),
  read: () => Promise.resolve(null),
};

function notifierSpy(): Notifier & { sent: Notification[] } {
  const sent: Notification[] = [];
  return {
    sent,
    publish: (n) => {
      sent.push(n);
      return Promise.resolve();
    },
    consoleUrl: (location) => `https://console.test/?at=${location}`,
  };
}

const config = (notify: object) =>
  parseConfig(
    {
      primary: { name: 'harbor-primary', url: 'https://harbor.corp.internal' },
      targets: [
        {
          name: 'cluster1',
          url: 'https://r1.corp.internal',
          kind: 'distribution',
        },
      ],
      notify,
    },
    'test'
  );

const degraded = (missing: number, expected: number) =>
  report({
    verdict: 'DEGRADED',
    targets: [
      targetReport({
        verdict: 'DEGRADED',
        counts: {
          expected,
          synced: expected - missing,
          missing,
          mismatched: 0,
          orphaned: 0,
          unknown: 0,
        },
      }),
    ],
  });

describe('publish', () => {
  it('links the HTML report with its console page, and says what changed since the previous run', async () => {
    const notifier = notifierSpy();
    const run = degraded(2, 10);
    const human = `s3://reports-bucket/${reportKeys(run).html}`;

    const result = await publish(
      { store, notifier, clock: { now: () => NOW } },
      config({ on: 'change' }),
      run,
      { reports: [degraded(1, 9)] }
    );

    expect(result.notified).toBe(true);
    const [sent] = notifier.sent;
    expect(human).toMatch(/\.html$/);
    expect(sent?.body).toContain(
      `Report (human):\n  https://console.test/?at=${human}\n  ${human}\n`
    );
    expect(sent?.body).toContain('cluster1: DEGRADED, missing 1 -> 2');
    expect(sent?.subject).toBe(
      'DEGRADED cluster1: 2 missing [audit harbor-primary]'
    );
  });

  it('on change: stays silent when only the expected total and synced count moved', async () => {
    const notifier = notifierSpy();

    const result = await publish(
      { store, notifier, clock: { now: () => NOW } },
      config({ on: 'change' }),
      degraded(1, 50),
      { reports: [degraded(1, 9)] }
    );

    expect(result.notified).toBe(false);
    expect(notifier.sent).toEqual([]);
  });

  it('sends the chat JSON when notify.format is chat', async () => {
    const notifier = notifierSpy();

    await publish(
      { store, notifier, clock: { now: () => NOW } },
      config({ on: 'always', format: 'chat' }),
      degraded(2, 10),
      undefined
    );

    const [sent] = notifier.sent;
    expect(JSON.parse(sent?.body ?? '')).toMatchObject({
      version: '1.0',
      source: 'custom',
    });
    expect(sent?.attributes.format).toBe('chat');
  });
});

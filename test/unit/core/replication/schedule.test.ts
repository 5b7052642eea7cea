import { scheduleProblems } from '../../../../lambdas/core/replication/schedule';
import {
  parseHarborCron,
  previousFire,
} from '../../../../lambdas/core/harbor/cron';
import { policy } from '../../../helpers/policy-fixture';
import { NOW, execution } from './fixtures';

describe('Harbor cron', () => {
  it.each<[string, string, string]>([
    ['daily at 02:00', '0 0 2 * * *', '2026-11-29T02:00:00.000Z'],
    ['every 6 hours at :30', '0 30 */6 * * *', '2026-11-29T06:30:00.000Z'],
    // 2026-11-29 is a Sunday.
    ['weekdays at 23:00', '0 0 23 * * MON-FRI', '2026-11-27T23:00:00.000Z'],
    ['Sundays written as 7', '0 0 1 * * 7', '2026-11-29T01:00:00.000Z'],
    ['first of the month', '0 15 10 1 * ?', '2026-11-01T10:15:00.000Z'],
    ['a named month', '0 0 0 1 JUN *', '2026-06-01T00:00:00.000Z'],
    // robfig: day-of-month OR day-of-week when neither is a star.
    ['the 15th or Fridays', '0 0 0 15 * FRI', '2026-11-27T00:00:00.000Z'],
  ])('%s: %s last fired at %s', (_name, expr, expected) => {
    const cron = parseHarborCron(expr);
    expect(previousFire(cron, NOW)?.toISOString()).toBe(expected);
  });

  it('a fire time equal to now counts', () => {
    expect(
      previousFire(parseHarborCron('0 0 12 * * *'), NOW)?.toISOString()
    ).toBe(NOW.toISOString());
  });

  it('a schedule that never fires has no previous fire time', () => {
    expect(previousFire(parseHarborCron('0 0 0 30 2 *'), NOW)).toBeUndefined();
  });

  it.each([
    ['five fields', '0 2 * * *', /6 fields/],
    ['a minute of 60', '0 60 * * * *', /outside 0-59/],
    ['a word', '0 0 2 * * funday', /not a number/],
    ['a zero step', '0 */0 * * * *', /outside/],
  ])('rejects %s', (_name, expr, message) => {
    expect(() => parseHarborCron(expr)).toThrow(message);
  });
});

describe('scheduleProblems', () => {
  const scheduled = policy({
    trigger: { type: 'scheduled', cron: '0 0 2 * * *' },
    creationTime: '2026-01-01T00:00:00.000Z',
  });

  it('flags a schedule whose latest scheduled run is older than its latest fire time', () => {
    const problems = scheduleProblems(
      scheduled,
      execution({
        id: 4,
        trigger: 'scheduled',
        startTime: '2026-11-27T02:00:01.000Z',
      }),
      NOW
    );
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'schedule-stale',
        executionId: 4,
        message: expect.stringContaining(
          'should have run at 2026-11-29T02:00:00.000Z'
        ) as unknown,
      }),
    ]);
  });

  it('flags a schedule that never ran at all', () => {
    expect(scheduleProblems(scheduled, undefined, NOW)[0]?.message).toMatch(
      /latest scheduled execution is not listed/
    );
  });

  it.each<[string, Parameters<typeof scheduleProblems>]>([
    [
      'a run at the fire time',
      [
        scheduled,
        execution({
          trigger: 'scheduled',
          startTime: '2026-11-29T02:00:03.000Z',
        }),
        NOW,
      ],
    ],
    [
      'a policy changed after the fire time',
      [
        { ...scheduled, updateTime: '2026-11-29T08:00:00.000Z' },
        undefined,
        NOW,
      ],
    ],
    [
      'a fire time within the grace period (yesterday’s run is there)',
      [
        scheduled,
        execution({
          trigger: 'scheduled',
          startTime: '2026-11-28T02:00:02.000Z',
        }),
        new Date('2026-11-29T02:03:00.000Z'),
      ],
    ],
    [
      'a manual policy',
      [policy({ trigger: { type: 'manual' } }), undefined, NOW],
    ],
    ['a disabled policy', [{ ...scheduled, enabled: false }, undefined, NOW]],
  ])('does not flag %s', (_name, args) => {
    expect(scheduleProblems(...args)).toEqual([]);
  });

  it('reports a cron it cannot evaluate instead of guessing', () => {
    const [p] = scheduleProblems(
      policy({ trigger: { type: 'scheduled', cron: '0 0 2 * *' } }),
      undefined,
      NOW
    );
    expect(p?.kind).toBe('unreadable');
  });
});

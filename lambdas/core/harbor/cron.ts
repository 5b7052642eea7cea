/**
 * Harbor's 6-field cron (robfig/cron with a seconds field: `sec min hour dom month dow`),
 * evaluated in UTC as Harbor's job service does. Enough of it to find when a schedule last
 * should have fired: lists, ranges, steps, `*`, `?`, month and weekday names.
 */
export interface HarborCron {
  readonly expression: string;
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: CronDays;
  readonly months: readonly number[];
  readonly daysOfWeek: CronDays;
}

/** A day field; `star` matters to robfig's day-of-month / day-of-week rule. */
export interface CronDays {
  values: readonly number[];
  star: boolean;
}

const MONTHS = 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'.split(' ');
const WEEKDAYS = 'SUN MON TUE WED THU FRI SAT'.split(' ');
// Weekdays accept 7 for Sunday, folded to 0 after expansion.
const BOUNDS: readonly [number, number][] = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

function valueOf(text: string, index: number): number {
  const upper = text.toUpperCase();
  if (index === 4 && MONTHS.includes(upper)) return MONTHS.indexOf(upper) + 1;
  if (index === 5 && WEEKDAYS.includes(upper)) return WEEKDAYS.indexOf(upper);
  if (!/^\d+$/.test(text)) throw new RangeError(`"${text}" is not a number`);
  return Number(text);
}

function parseField(text: string, index: number): CronDays {
  const [lo, hi] = BOUNDS[index] ?? [0, 0];
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = lo;
    let to = index === 5 ? 6 : hi;
    if (range !== '*' && range !== '?') {
      const [a = '', b] = range.split('-');
      from = valueOf(a, index);
      to =
        b === undefined
          ? stepText === undefined
            ? from
            : hi
          : valueOf(b, index);
    }
    if (
      !Number.isInteger(step) ||
      step < 1 ||
      from < lo ||
      to > hi ||
      from > to
    ) {
      throw new RangeError(
        `field "${part}" is outside ${lo.toString()}-${hi.toString()}`
      );
    }
    for (let v = from; v <= to; v += step) values.add(index === 5 ? v % 7 : v);
  }
  return {
    values: [...values].sort((x, y) => x - y),
    star: text === '*' || text === '?',
  };
}

/**
 * Parses a Harbor replication cron (6 fields, seconds first).
 * @throws RangeError naming the problem
 */
export function parseHarborCron(expression: string): HarborCron {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new RangeError(
      `"${expression}" must have 6 fields (seconds first), not ${parts.length.toString()}`
    );
  }
  const [sec, min, hour, dom, mon, dow] = parts.map((p, i) =>
    parseField(p, i)
  ) as [CronDays, CronDays, CronDays, CronDays, CronDays, CronDays];
  return {
    expression,
    seconds: sec.values,
    minutes: min.values,
    hours: hour.values,
    daysOfMonth: dom,
    months: mon.values,
    daysOfWeek: dow,
  };
}

function dayMatches(cron: HarborCron, day: Date): boolean {
  if (!cron.months.includes(day.getUTCMonth() + 1)) return false;
  const domOk = cron.daysOfMonth.values.includes(day.getUTCDate());
  const dowOk = cron.daysOfWeek.values.includes(day.getUTCDay());
  // robfig: when either day field is a star, both must match; otherwise either may.
  return cron.daysOfMonth.star || cron.daysOfWeek.star
    ? domOk && dowOk
    : domOk || dowOk;
}

/**
 * The latest time at or before `at` when the schedule fires, or undefined when it has not
 * fired within `maxDays` (a schedule of February 30th never does).
 */
export function previousFire(
  cron: HarborCron,
  at: Date,
  maxDays = 400
): Date | undefined {
  const limit = Math.floor(at.getTime() / 1000) * 1000;
  const day = new Date(limit);
  day.setUTCHours(0, 0, 0, 0);
  const hours = [...cron.hours].reverse();
  const minutes = [...cron.minutes].reverse();
  const seconds = [...cron.seconds].reverse();
  for (let i = 0; i <= maxDays; i++) {
    if (dayMatches(cron, day)) {
      for (const h of hours) {
        for (const m of minutes) {
          for (const s of seconds) {
            const t = day.getTime() + ((h * 60 + m) * 60 + s) * 1000;
            if (t <= limit) return new Date(t);
          }
        }
      }
    }
    day.setUTCDate(day.getUTCDate() - 1);
  }
  return undefined;
}

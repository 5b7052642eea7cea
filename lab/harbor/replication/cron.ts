/** Harbor's 6-field cron (seconds first), evaluated in UTC. */
export interface Cron {
  matches(d: Date): boolean;
}

const RANGES: [number, number][] = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

function parseField(
  expr: string,
  [lo, hi]: [number, number]
): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  const star = expr === '*' || expr === '?';
  for (const part of expr.split(',')) {
    const [rangePart = '', stepPart] = part.split('/');
    const step = stepPart === undefined ? 1 : Number(stepPart);
    let a = lo;
    let b = hi;
    if (rangePart !== '*' && rangePart !== '?') {
      const [x = '', y] = rangePart.split('-');
      a = Number(x);
      b = y === undefined ? (stepPart === undefined ? a : hi) : Number(y);
    }
    if (
      ![a, b, step].every(Number.isInteger) ||
      a < lo ||
      b > hi ||
      a > b ||
      step < 1
    ) {
      throw new Error(`invalid cron field "${expr}"`);
    }
    for (let v = a; v <= b; v += step) set.add(v);
  }
  return { set, star };
}

/** Parses a 6-field cron; throws with Harbor-like messages on invalid ones. */
export function parseCron(expr: string): Cron {
  const f = expr.trim().split(/\s+/);
  if (f.length !== 6)
    throw new Error(
      `invalid cron "${expr}": 6 fields (seconds first) are required`
    );
  const [sec, min, hour, dom, mon, dow] = f.map((x, i) =>
    parseField(x, RANGES[i] ?? [0, 0])
  );
  if (!sec || !min || !hour || !dom || !mon || !dow)
    throw new Error(`invalid cron "${expr}"`);
  if (dow.set.has(7)) dow.set.add(0);
  return {
    matches(d: Date): boolean {
      const domOk = dom.set.has(d.getUTCDate());
      const dowOk = dow.set.has(d.getUTCDay());
      const day = dom.star || dow.star ? domOk && dowOk : domOk || dowOk;
      return (
        sec.set.has(d.getUTCSeconds()) &&
        min.set.has(d.getUTCMinutes()) &&
        hour.set.has(d.getUTCHours()) &&
        mon.set.has(d.getUTCMonth() + 1) &&
        day
      );
    },
  };
}

/** Harbor's policy validation of a replication cron: first field 0, minutes not `*`. */
export function validateReplicationCron(expr: string): void {
  parseCron(expr);
  const f = expr.trim().split(/\s+/);
  if (f[0] !== '0')
    throw new Error(
      `invalid cron "${expr}": the 1st field (indicating Seconds of time) must be 0`
    );
  if (f[1] === '*')
    throw new Error(
      `invalid cron "${expr}": the 2nd field (indicating Minutes of time) should not be *`
    );
}

/** Whether the cron fires at some whole second in (from, to]; scans at most one day. */
export function firesBetween(cron: Cron, from: Date, to: Date): boolean {
  const start = Math.floor(from.getTime() / 1000) + 1;
  const end = Math.min(Math.floor(to.getTime() / 1000), start + 86_400);
  for (let t = start; t <= end; t++)
    if (cron.matches(new Date(t * 1000))) return true;
  return false;
}

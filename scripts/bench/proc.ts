import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** Peak resident set of this process so far, in MiB (getrusage ru_maxrss). */
export function peakRssMiB(): number {
  return round(process.resourceUsage().maxRSS / 1024, 1);
}

/** VmHWM (peak RSS) and VmRSS of this process from /proc/self/status, in MiB. */
export function procStatusMiB(): { vmHwm: number; vmRss: number } {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m?.[1] === undefined ? 0 : Number(m[1]);
  };
  return {
    vmHwm: round(kb('VmHWM') / 1024, 1),
    vmRss: round(kb('VmRSS') / 1024, 1),
  };
}

/** This process's CPU time (user + system) in seconds. */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** User + system CPU seconds a process has used, from /proc/<pid>/stat; undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid.toString()}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** Pids of this process's direct children whose command name is `comm`. */
export function childPidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (name === comm && ppid === process.pid) pids.push(Number(entry));
    } catch {
      // The process ended while /proc was read.
    }
  }
  return pids;
}

/** The 1-minute load average (other work on the machine skews every rate). */
export function loadAverage1m(): number {
  return round(loadavg()[0] ?? 0, 2);
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

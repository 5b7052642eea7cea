import type { Report } from '../report/schema';

/** The `retrigger` settings that decisions depend on. */
export interface RetriggerSettings {
  enabled: boolean;
  dryRun: boolean;
  /** Starts per run, over every target. */
  maxPerRun: number;
  /** One start per policy within this many minutes, across runs. */
  cooldownMinutes: number;
}

/** What is known of one policy (on one target) when deciding. */
export interface RetriggerCandidate {
  /** Identifies the policy across runs: see retriggerKey. */
  key: string;
  target: string;
  mode: 'push' | 'pull';
  policyId: number;
  policyName: string;
  enabled: boolean;
  /** Missing (and, when the policy overrides, mismatched) refs the audit attributes to it. */
  missing: number;
  mismatched: number;
  /** Why Harbor cannot run the policy (a filter or flattening error): a start fails again. */
  cannotRun?: string;
  /** The latest execution that really ran (single-active skips do not count). */
  latest?: { id: number; status: string; statusText: string };
  /** Some execution of the policy is InProgress (or was, before a stop this run). */
  inProgress: boolean;
  /** False when the executions could not be read: nothing proves none is running. */
  executionsKnown: boolean;
  /** Start times (ms) of manual executions Harbor still lists for the policy. */
  harborManualStarts: readonly number[];
}

/** A start that an earlier run asked for (from its report's `retriggered[]`). */
export interface PastStart {
  key: string;
  /** Epoch milliseconds. */
  at: number;
}

/** Why a candidate was left alone. */
export type SkipCause =
  | 'disabled'
  | 'cannot-run'
  | 'in-progress'
  | 'executions-unknown'
  | 'cooldown'
  | 'cap';

/** One decision, for a candidate that needed a re-trigger. */
export type RetriggerDecision =
  | {
      candidate: RetriggerCandidate;
      action: 'start';
      /** Why the policy needs it. */
      reason: string;
      dryRun: boolean;
    }
  | {
      candidate: RetriggerCandidate;
      action: 'skip';
      reason: string;
      cause: SkipCause;
      /** Why the policy would need it. */
      need: string;
    };

/** The key of a policy on a target, stable across runs. */
export function retriggerKey(
  target: string,
  mode: 'push' | 'pull',
  policyId: number
): string {
  return `${target}|${mode}|${policyId.toString()}`;
}

/**
 * Why a policy needs a re-trigger, or undefined when it does not: missing or mismatched
 * findings attributable to it, or its latest execution Failed or Stopped.
 */
export function needOf(c: RetriggerCandidate): string | undefined {
  const parts: string[] = [];
  if (c.missing > 0 || c.mismatched > 0) {
    const refs = [
      c.missing > 0 ? `${c.missing.toString()} missing` : '',
      c.mismatched > 0 ? `${c.mismatched.toString()} mismatched` : '',
    ].filter((p) => p !== '');
    parts.push(`${refs.join(' and ')} ref(s) attributable to the policy`);
  }
  if (c.latest?.status === 'Failed' || c.latest?.status === 'Stopped') {
    parts.push(
      `its latest execution ${c.latest.id.toString()} ${c.latest.status}${c.latest.statusText ? ` (${c.latest.statusText})` : ''}`
    );
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * Starts that earlier runs asked for, from their reports: real starts (with or without an
 * execution id) and starts whose answer never came (they may have happened). Dry runs,
 * refusals and permission errors started nothing.
 */
export function pastStartsOf(reports: readonly Report[]): PastStart[] {
  const out: PastStart[] = [];
  for (const report of reports) {
    const fallback = Date.parse(report.startedAt);
    for (const target of report.targets) {
      for (const r of target.replication.retriggered) {
        if (r.dryRun) continue;
        if (r.outcome !== 'started' && r.outcome !== 'unknown') continue;
        const at = r.at !== undefined ? Date.parse(r.at) : fallback;
        if (Number.isNaN(at)) continue;
        out.push({
          key: retriggerKey(target.name, r.mode ?? 'push', r.policyId),
          at,
        });
      }
    }
  }
  return out;
}

/**
 * Decides which policies to start again. Pure.
 *
 * Rules, in order, for each policy that needs it (see needOf):
 * 1. never a disabled policy;
 * 2. never while one of its executions is InProgress, or when that cannot be known;
 * 3. one start per policy per `cooldownMinutes`, counted from the latest start recorded in
 *    an earlier report or listed by Harbor as a manual execution;
 * 4. at most `maxPerRun` starts per run, the policies with the most attributable refs
 *    first, then failed latest executions, then by target and name.
 * A dry run decides the same way and marks its starts `dryRun`.
 * @returns one decision per candidate that needs a re-trigger; none when disabled
 */
export function decideRetriggers(
  candidates: readonly RetriggerCandidate[],
  past: readonly PastStart[],
  settings: RetriggerSettings,
  now: Date
): RetriggerDecision[] {
  if (!settings.enabled) return [];
  const needing = candidates
    .map((candidate) => ({ candidate, need: needOf(candidate) }))
    .filter(
      (x): x is { candidate: RetriggerCandidate; need: string } =>
        x.need !== undefined
    )
    .sort((a, b) => priority(a.candidate, b.candidate));
  const decisions: RetriggerDecision[] = [];
  const cooldownMs = settings.cooldownMinutes * 60_000;
  let started = 0;
  for (const { candidate: c, need } of needing) {
    const skip = (cause: SkipCause, reason: string): void => {
      decisions.push({ candidate: c, action: 'skip', cause, reason, need });
    };
    if (!c.enabled) {
      skip('disabled', 'the policy is disabled: Harbor would refuse (412)');
      continue;
    }
    if (c.cannotRun !== undefined) {
      skip(
        'cannot-run',
        `Harbor cannot run the policy (${c.cannotRun}): a start would fail again`
      );
      continue;
    }
    if (!c.executionsKnown) {
      skip(
        'executions-unknown',
        'its executions could not be read: one may be in progress'
      );
      continue;
    }
    if (c.inProgress) {
      skip('in-progress', 'an execution of the policy is in progress');
      continue;
    }
    const last = Math.max(
      -Infinity,
      ...past.filter((p) => p.key === c.key).map((p) => p.at),
      ...c.harborManualStarts
    );
    if (cooldownMs > 0 && now.getTime() - last < cooldownMs) {
      skip(
        'cooldown',
        `started at ${new Date(last).toISOString()}: cooldown of ${settings.cooldownMinutes.toString()} min until ${new Date(last + cooldownMs).toISOString()}`
      );
      continue;
    }
    if (started >= settings.maxPerRun) {
      skip(
        'cap',
        `the run's limit of ${settings.maxPerRun.toString()} start(s) is reached`
      );
      continue;
    }
    started += 1;
    decisions.push({
      candidate: c,
      action: 'start',
      reason: need,
      dryRun: settings.dryRun,
    });
  }
  return decisions;
}

function priority(a: RetriggerCandidate, b: RetriggerCandidate): number {
  const refs = b.missing + b.mismatched - (a.missing + a.mismatched);
  if (refs !== 0) return refs;
  const failed = (c: RetriggerCandidate) =>
    c.latest?.status === 'Failed' || c.latest?.status === 'Stopped' ? 1 : 0;
  const f = failed(b) - failed(a);
  if (f !== 0) return f;
  return a.target < b.target
    ? -1
    : a.target > b.target
      ? 1
      : a.policyName < b.policyName
        ? -1
        : a.policyName > b.policyName
          ? 1
          : a.policyId - b.policyId;
}

import type { z } from 'zod';
import { worstVerdict } from '../readiness/verdict';
import {
  REPORT_SCHEMA_VERSION,
  reportSchema,
  scopeErrorSchema,
} from './schema';
import type { Report, ScopeError, Verdict } from './schema';

/** The scope of the error entry a degraded report carries. */
export const DEGRADED_SCOPE = 'report';

const MAX_ROUNDS = 8;
const MAX_LISTED = 20;

/** A report as it is stored: sound, or degraded with what had to be removed. */
export interface ConformingReport {
  report: Report;
  /** Set when the report broke its own schema and was degraded to be stored. */
  validationErrors?: string[];
}

/**
 * A report that fits the report schema, whatever the run produced: never dropped for one bad
 * field. A sound report is returned as parsed. Otherwise each offending value is removed (an
 * optional field) or, when that is not enough, the list entry holding it (a finding, a shard),
 * round after round until it fits; what cannot be mended leaves a bare report that keeps the
 * run's identity and verdict. The result carries `validationErrors` (path and rule, never the
 * value), an error of scope `report`, and reads at least UNKNOWN for each target touched and
 * for the run: something counted is no longer shown.
 * @param now the run's clock, for a start or finish time that itself broke the schema
 */
export function conformReport(report: unknown, now: Date): ConformingReport {
  const first = reportSchema.safeParse(report);
  if (first.success) return { report: first.data };
  const validationErrors = describe(first.error.issues);
  const touched = touchedTargets(report, first.error.issues);
  // A broken run id or time cannot be removed (they are required): it is replaced, so that
  // the targets and errors the run learned are still mended and kept.
  let draft: unknown = withIdentity(structuredClone(report), now);
  const pruned = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const parsed = reportSchema.safeParse(draft);
    if (parsed.success) {
      return finish(parsed.data, validationErrors, touched);
    }
    for (const issue of parsed.error.issues) {
      draft = prune(draft, issue.path, pruned);
    }
    draft = sweep(draft);
  }
  return finish(bareReport(report, now), validationErrors, touched);
}

const REMOVED = Symbol('removed');

/**
 * Removes the value at `path`: the key the first time, then (when the path fails again,
 * i.e. the key was required) the nearest list entry that holds it.
 */
function prune(
  root: unknown,
  path: readonly PropertyKey[],
  pruned: Set<string>
): unknown {
  const key = JSON.stringify(path.map(String));
  const again = pruned.has(key);
  pruned.add(key);
  let cut = path.length;
  if (again || typeof path[path.length - 1] === 'number') {
    // The innermost list entry on the path.
    cut = -1;
    for (let i = path.length - 1; i >= 0; i--) {
      if (typeof path[i] === 'number') {
        cut = i + 1;
        break;
      }
    }
    if (cut < 0) return root;
  }
  if (cut === 0) return root;
  const parent = walk(root, path.slice(0, cut - 1));
  const last = path[cut - 1];
  if (Array.isArray(parent) && typeof last === 'number') {
    if (last < parent.length) parent[last] = REMOVED;
  } else if (isRecord(parent) && last !== undefined) {
    Reflect.deleteProperty(parent, last);
  }
  return root;
}

function walk(root: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = root;
  for (const key of path) {
    if (Array.isArray(at) && typeof key === 'number') at = at[key];
    else if (isRecord(at)) at = at[key as string];
    else return undefined;
  }
  return at;
}

/** Drops the list entries marked for removal, everywhere. */
function sweep(value: unknown): unknown {
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    for (const v of value) if (v !== REMOVED) kept.push(sweep(v));
    return kept;
  }
  if (isRecord(value)) {
    for (const k of Object.keys(value)) value[k] = sweep(value[k]);
  }
  return value;
}

function isRecord(v: unknown): v is Record<string | symbol, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines = issues
    .slice(0, MAX_LISTED)
    .map((i) => `${formatPath(i.path)}: ${i.message}`);
  if (issues.length > MAX_LISTED) {
    lines.push(`(${(issues.length - MAX_LISTED).toString()} more)`);
  }
  return lines;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key.toString()}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Names of the targets an issue lies in (names, since entries may be removed). */
function touchedTargets(
  report: unknown,
  issues: readonly z.core.$ZodIssue[]
): Set<string> {
  const names = new Set<string>();
  const targets = isRecord(report) ? report.targets : undefined;
  for (const issue of issues) {
    const [head, index] = issue.path;
    if (head !== 'targets' || typeof index !== 'number') continue;
    const t: unknown = Array.isArray(targets) ? targets[index] : undefined;
    if (isRecord(t) && typeof t.name === 'string') names.add(t.name);
  }
  return names;
}

const atLeastUnknown = (v: Verdict): Verdict => worstVerdict([v, 'UNKNOWN']);

function finish(
  report: Report,
  validationErrors: string[],
  touched: ReadonlySet<string>
): ConformingReport {
  const targets = report.targets.map((t) =>
    touched.has(t.name) ? { ...t, verdict: atLeastUnknown(t.verdict) } : t
  );
  const degraded: Report = {
    ...report,
    verdict: atLeastUnknown(report.verdict),
    targets,
    errors: [
      ...report.errors,
      {
        scope: DEGRADED_SCOPE,
        message: `degraded report: ${validationErrors.length.toString()} value(s) broke the report schema and were removed to store it (${validationErrors.slice(0, 3).join('; ')}${validationErrors.length > 3 ? '; …' : ''})`,
      },
    ],
    validationErrors,
  };
  return { report: degraded, validationErrors };
}

/** The report with each broken field of its identity replaced by the bare report's. */
function withIdentity(raw: unknown, now: Date): unknown {
  if (!isRecord(raw)) return bareReport(raw, now);
  const bare = bareReport(raw, now);
  const out: Record<string, unknown> = { ...raw };
  for (const key of IDENTITY) {
    if (!reportSchema.shape[key].safeParse(out[key]).success)
      out[key] = bare[key];
  }
  for (const key of ['policies', 'targets', 'errors'] as const) {
    if (!Array.isArray(out[key])) out[key] = [];
  }
  return out;
}

const IDENTITY = [
  'schemaVersion',
  'runId',
  'kind',
  'startedAt',
  'finishedAt',
  'tool',
  'primary',
  'verdict',
] as const;

/**
 * What is left when the report cannot be mended: its identity, verdict and the errors that
 * still read as errors, and an error for each target whose results could not be kept.
 */
function bareReport(raw: unknown, now: Date): Report {
  const r = isRecord(raw) ? raw : {};
  const text = (v: unknown, fallback: string): string =>
    typeof v === 'string' && v !== '' ? v : fallback;
  const time = (v: unknown): string =>
    typeof v === 'string' && reportSchema.shape.startedAt.safeParse(v).success
      ? v
      : now.toISOString();
  const kind = r.kind === 'readiness' ? 'readiness' : 'audit';
  const verdict = reportSchema.shape.verdict.safeParse(r.verdict);
  const primary = isRecord(r.primary) ? r.primary : {};
  const tool = isRecord(r.tool) ? r.tool : {};
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: text(r.runId, `degraded-${now.getTime().toString()}`),
    kind,
    startedAt: time(r.startedAt),
    finishedAt: time(r.finishedAt),
    tool: { name: 'harbor-dr-auditor', version: text(tool.version, '') },
    primary: {
      name: text(primary.name, ''),
      url: text(primary.url, ''),
    },
    verdict: verdict.success ? verdict.data : 'UNKNOWN',
    policies: [],
    targets: [],
    errors: [
      ...(Array.isArray(r.errors) ? r.errors : []).filter(
        (e): e is ScopeError => scopeErrorSchema.safeParse(e).success
      ),
      ...(Array.isArray(r.targets) ? r.targets : []).flatMap((t) =>
        isRecord(t) && typeof t.name === 'string' && t.name !== ''
          ? [
              {
                scope: t.name,
                message:
                  'the results of this target broke the report schema and could not be kept: it was not seen to be ready',
              },
            ]
          : []
      ),
    ],
  };
}

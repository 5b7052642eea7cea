import { z } from 'zod';
import { FINDING_STATE_NAMES } from '../findings';
import { TARGET_KINDS } from '../model';

export type { FindingState } from '../findings';

/** Bumped on any incompatible change of the report shape. */
export const REPORT_SCHEMA_VERSION = 1;

/**
 * A point in time as reports carry it (ISO 8601 with `Z` or an offset). Adapters validate
 * upstream times with it where they enter, so a value that reaches a report fits it.
 */
export const isoTimeSchema = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date-time with Z or an offset',
});
/**
 * A digest as the OCI image spec defines it (`algorithm:encoded`), as reports carry it.
 * Adapters validate upstream digests with it where they enter.
 */
export const digestSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, {
    error: 'must be a digest (algorithm:hex)',
  });
const isoTime = isoTimeSchema;
const digest = digestSchema;

export const findingStateSchema = z.enum(FINDING_STATE_NAMES);

/** Where an expected ref comes from on the primary. */
export const findingSourceSchema = z.object({
  repository: z.string(),
  /** Tag name, or digest when replicated by digest. */
  reference: z.string(),
  pushTime: isoTime.optional(),
  /** Set when this ref is an accessory of `digest`. */
  accessoryOf: z.object({ digest, type: z.string() }).optional(),
});

/** The policy that expects a ref, as findings and the plan name it. */
export const policyRefSchema = z.object({
  id: z.int(),
  name: z.string(),
  override: z.boolean(),
  deletion: z.boolean(),
});

/** One of the sources that compete for the same destination ref. */
export const collisionCandidateSchema = z.object({
  digest,
  source: findingSourceSchema,
  policy: policyRefSchema,
});

/** One difference (or confirmation), with its evidence. */
export const findingSchema = z.object({
  state: findingStateSchema,
  target: z.string(),
  /** Destination repository and reference. */
  repository: z.string(),
  reference: z.string(),
  /** What the primary holds (absent for unexpected/orphaned refs). */
  expectedDigest: digest.optional(),
  /** What the target holds (absent when missing or unknown). */
  observedDigest: digest.optional(),
  source: findingSourceSchema.optional(),
  policy: policyRefSchema.optional(),
  /** A human sentence: why this state, what will or will not converge. */
  detail: z.string().optional(),
  /** Missing index children or accessories, by digest. */
  missingDigests: z.array(digest).optional(),
  /**
   * Why the policy that expects this ref cannot run on the primary (a filter or flattening
   * error fails Harbor's execution): a re-trigger of it would fail again.
   */
  cannotRun: z.string().optional(),
  /** When the target's copy was pushed (Harbor targets), for replication lag. */
  observedPushTime: isoTime.optional(),
  /** For `collision`: every competing source. */
  candidates: z.array(collisionCandidateSchema).optional(),
});

/** Why some scope could not be seen completely; makes that scope UNKNOWN. */
export const scopeErrorSchema = z.object({
  /** `primary`, `primary/<project>`, `<target>`, `<target>/<project>`, `<target>/<repo>`, ... */
  scope: z.string(),
  message: z.string(),
});

/** Counts per target, as in the report contract. */
export const countsSchema = z.object({
  expected: z.int().nonnegative(),
  synced: z.int().nonnegative(),
  missing: z.int().nonnegative(),
  mismatched: z.int().nonnegative(),
  orphaned: z.int().nonnegative(),
  unknown: z.int().nonnegative(),
});

/** The four verdicts. UNKNOWN = the audit could not see everything that it counts. */
export const verdictSchema = z.enum([
  'READY',
  'DEGRADED',
  'NOT_READY',
  'UNKNOWN',
]);

/** How much of a shard (target, destination project) was seen. */
/**
 * One cause of a shard not fully audited: the run's deadline cut it, some of its repositories
 * could not be observed (each has an unknown finding saying why), or its namespace could not
 * be listed (orphans unseen). `reason` joins their texts.
 */
export const shardCauseSchema = z.object({
  kind: z.enum(['deadline', 'repositories', 'namespace']),
  text: z.string(),
});

export const shardStatusSchema = z.object({
  project: z.string(),
  status: z.enum(['audited', 'unknown', 'not-audited']),
  reason: z.string().optional(),
  /** The causes `reason` joins; absent from reports written before they were kept apart. */
  causes: z.array(shardCauseSchema).optional(),
});

/** One run's RPO figures for a target. */
export const trendPointSchema = z.object({
  runId: z.string(),
  kind: z.enum(['audit', 'readiness']),
  at: isoTime,
  verdict: verdictSchema,
  estimateSeconds: z.number().nonnegative().nullable(),
  /** The run's rpo.estimateAtLeastSeconds: the lower bound when the estimate is unknown. */
  estimateAtLeastSeconds: z.number().nonnegative().optional(),
  p95DelaySeconds: z.number().nonnegative().nullable(),
});

export const rpoSchema = z.object({
  objectiveSeconds: z.int().nonnegative(),
  /**
   * now − the oldest source push time among missing or mismatched refs; 0 when none; null
   * when it cannot be known: refs or scopes went unseen, or unsynced refs carry no push time.
   */
  estimateSeconds: z.number().nonnegative().nullable(),
  /**
   * A lower bound of the exposure when `estimateSeconds` is null: now − the oldest push
   * among the unsynced refs that were seen. The exposure is at least this (refs or scopes
   * that went unseen, or unsynced refs without a push time, may be older). Set only when
   * positive; absent when the estimate is known or the seen refs prove nothing, and in
   * reports written before it existed. A bound over the objective makes the verdict
   * NOT_READY although the estimate is unknown.
   */
  estimateAtLeastSeconds: z.number().nonnegative().optional(),
  /** The oldest source push among the unsynced refs that were seen; null when none. */
  oldestUnsyncedPushTime: isoTime.nullable(),
  p50DelaySeconds: z.number().nonnegative().nullable(),
  p95DelaySeconds: z.number().nonnegative().nullable(),
  maxDelaySeconds: z.number().nonnegative().nullable(),
  // --- readiness (issue 6): optional, so earlier reports stay valid ---
  /** Where delays come from: target push times (Harbor) or first-seen times across runs. */
  delayBasis: z.enum(['push-time', 'first-seen']).optional(),
  /** Leading indicators: executions in progress, schedules that stopped. */
  indicators: z
    .array(
      z.object({
        policy: z.string(),
        kind: z.enum(['in-progress', 'schedule-stale']),
        seconds: z.number().nonnegative().nullable(),
        late: z.boolean(),
        detail: z.string().optional(),
      })
    )
    .optional(),
  /** Earlier runs (oldest first), then this one. */
  trend: z.array(trendPointSchema).optional(),
  // --- end readiness ---
});

export const executionSummarySchema = z.object({
  policyId: z.int(),
  policyName: z.string(),
  id: z.int(),
  status: z.string(),
  statusText: z.string(),
  trigger: z.string(),
  startTime: isoTime.optional(),
  endTime: isoTime.optional(),
  total: z.int(),
  failed: z.int(),
  succeed: z.int(),
  inProgress: z.int(),
  stopped: z.int(),
  /** Push: a policy of the primary; pull: a policy of the Harbor target. */
  mode: z.enum(['push', 'pull']).optional(),
});

export const failedTaskSchema = z.object({
  policyName: z.string(),
  executionId: z.int(),
  taskId: z.int(),
  status: z.string(),
  srcResource: z.string(),
  dstResource: z.string(),
  logExcerpt: z.array(z.string()).optional(),
  policyId: z.int().optional(),
  /** `copy`, `deletion` or `tag deletion`. */
  operation: z.string().optional(),
});

/** After a re-trigger: did the policy's refs arrive (`retrigger.verify`)? */
export const retriggerVerifySchema = z.object({
  outcome: z.enum(['healed', 'still-missing', 'unknown']),
  /** The started execution's status when the wait ended. */
  executionStatus: z.string().optional(),
  /** Missing or mismatched refs of the policy still seen on the target. */
  remaining: z.int().nonnegative().optional(),
  detail: z.string().optional(),
});

export const retriggerSchema = z.object({
  policyId: z.int(),
  policyName: z.string(),
  reason: z.string(),
  dryRun: z.boolean(),
  executionId: z.int().optional(),
  /**
   * `started`, `dry-run`, `permission-denied`, `rejected` (412 disabled, 404...), or
   * `unknown` (no answer: an execution may have started; never retried), or `not-sent`
   * (the run's deadline came first: nothing started).
   */
  outcome: z.string(),
  mode: z.enum(['push', 'pull']).optional(),
  /** When the start was asked for: the cooldown of later runs counts from here. */
  at: isoTime.optional(),
  detail: z.string().optional(),
  verify: retriggerVerifySchema.optional(),
});

/** One replication-health problem of a policy. */
export const healthProblemSchema = z.object({
  kind: z.enum([
    'failed',
    'stopped',
    'stuck',
    'empty-success',
    'schedule-stale',
    'disabled',
    'single-active-skipped',
    'unreadable',
  ]),
  message: z.string(),
  executionId: z.int().optional(),
});

/** Replication health of one policy on one target, over the look-back window. */
export const policyHealthSchema = z.object({
  policyId: z.int(),
  policyName: z.string(),
  mode: z.enum(['push', 'pull']),
  enabled: z.boolean(),
  trigger: z.string(),
  cron: z.string().optional(),
  /** Start of the look-back window. */
  since: isoTime,
  status: z.enum(['healthy', 'problem', 'unknown']),
  executionsByStatus: z.object({
    InProgress: z.int().nonnegative(),
    Succeed: z.int().nonnegative(),
    Failed: z.int().nonnegative(),
    Stopped: z.int().nonnegative(),
  }),
  latestExecution: z
    .object({
      id: z.int(),
      status: z.string(),
      statusText: z.string(),
      trigger: z.string(),
      startTime: isoTime.optional(),
      endTime: isoTime.optional(),
    })
    .optional(),
  /** Missing (and, with override, mismatched) refs of this policy found by the audit. */
  attributable: z.object({
    missing: z.int().nonnegative(),
    mismatched: z.int().nonnegative(),
  }),
  problems: z.array(healthProblemSchema),
  /** Why the policy was or was not re-triggered, when it needed it. */
  retrigger: z
    .object({
      action: z.enum(['start', 'skip']),
      reason: z.string(),
    })
    .optional(),
  /** Stuck executions stopped (or that would be, in a dry run). */
  stops: z
    .array(
      z.object({
        executionId: z.int(),
        dryRun: z.boolean(),
        outcome: z.string(),
        detail: z.string().optional(),
      })
    )
    .optional(),
});

export const driftItemSchema = z.object({
  category: z.string(),
  name: z.string(),
  severity: z.enum(['critical', 'warning', 'info']),
  primary: z.string().optional(),
  target: z.string().optional(),
});

export const targetReportSchema = z.object({
  name: z.string(),
  kind: z.enum(TARGET_KINDS),
  url: z.string(),
  verdict: verdictSchema,
  counts: countsSchema,
  /** Every finding but `synced` (those are counted, not listed). */
  findings: z.array(findingSchema),
  shards: z.array(shardStatusSchema),
  rpo: rpoSchema,
  replication: z.object({
    executions: z.array(executionSummarySchema),
    failedTasks: z.array(failedTaskSchema),
    retriggered: z.array(retriggerSchema),
    /** Per policy in scope; absent from reports written before health checks existed. */
    health: z.array(policyHealthSchema).optional(),
  }),
  drift: z.array(driftItemSchema),
  errors: z.array(scopeErrorSchema),
  // --- readiness (issue 6): optional, absent from audit reports ---
  /** The failover readiness checklist; the verdict follows from it. */
  checklist: z
    .array(
      z.object({
        id: z.string(),
        title: z.string(),
        status: z.enum(['pass', 'warn', 'fail', 'unknown']),
        evidence: z.string(),
        required: z.boolean(),
      })
    )
    .optional(),
  /** How far metadata could be compared ("not-applicable" on plain registries). */
  metadataDrift: z
    .object({
      status: z.enum(['compared', 'partial', 'not-applicable', 'unknown']),
      note: z.string(),
      unseen: z.array(
        z.object({
          category: z.string(),
          side: z.enum(['primary', 'target']),
          reason: z.string(),
        })
      ),
      /** Categories an instance does not have (audit logs before Harbor 2.13): not unseen. */
      notApplicable: z
        .array(
          z.object({
            category: z.string(),
            side: z.enum(['primary', 'target']),
            reason: z.string(),
          })
        )
        .optional(),
    })
    .optional(),
  // --- end readiness ---
});

export const policyReportSchema = z.object({
  id: z.int(),
  name: z.string(),
  targets: z.array(z.string()),
  expected: z.int().nonnegative(),
  warnings: z.array(z.string()),
  errors: z.array(z.string()),
});

/**
 * Which doublestar v1 the run read replication filters with (Harbor 2.8.0–2.9.4 and
 * 2.10.0–2.10.2 link v1.1.1, later releases v1.3.4), and why: the primary's systeminfo, the
 * config (`primary.doublestar`), or the default when the release could not be told.
 */
export const matchingSchema = z.object({
  doublestar: z.enum(['v1.1.1', 'v1.3.4']),
  source: z.enum(['systeminfo', 'config', 'default']),
  /** The primary's `harbor_version`, when it was read. */
  harborVersion: z.string().optional(),
  /** One sentence for people: the version, where it came from, or why it is a guess. */
  note: z.string(),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  runId: z.string().min(1),
  kind: z.enum(['audit', 'readiness']),
  startedAt: isoTime,
  finishedAt: isoTime,
  tool: z.object({ name: z.literal('harbor-dr-auditor'), version: z.string() }),
  primary: z.object({ name: z.string(), url: z.string() }),
  verdict: verdictSchema,
  policies: z.array(policyReportSchema),
  targets: z.array(targetReportSchema),
  errors: z.array(scopeErrorSchema),
  /** Audits (optional in schema version 1): how the replication filters were read. */
  matching: matchingSchema.optional(),
  /**
   * Set only on a degraded report: the report broke this schema when it was saved, so the
   * fields named here (path and rule, never the value) were removed to store it, and the
   * targets they belonged to (and the run) read at least UNKNOWN. Absent on a sound report.
   */
  validationErrors: z.array(z.string()).optional(),
});

/** A run's report: the JSON contract of the design, validated by this same schema. */
export type Report = z.infer<typeof reportSchema>;
export type TargetReport = z.infer<typeof targetReportSchema>;
export type PolicyReport = z.infer<typeof policyReportSchema>;
export type ShardStatus = z.infer<typeof shardStatusSchema>;
export type ShardCause = z.infer<typeof shardCauseSchema>;
export type RpoEstimate = z.infer<typeof rpoSchema>;
export type ReportKind = Report['kind'];
export type ChecklistItem = NonNullable<TargetReport['checklist']>[number];
export type TrendPoint = z.infer<typeof trendPointSchema>;
export type PolicyHealth = z.infer<typeof policyHealthSchema>;
export type RetriggerRecord = z.infer<typeof retriggerSchema>;
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;
export type FailedTask = z.infer<typeof failedTaskSchema>;
export type Finding = z.infer<typeof findingSchema>;
export type FindingSource = z.infer<typeof findingSourceSchema>;
export type PolicyRef = z.infer<typeof policyRefSchema>;
export type CollisionCandidate = z.infer<typeof collisionCandidateSchema>;
export type FindingCounts = z.infer<typeof countsSchema>;
export type Verdict = z.infer<typeof verdictSchema>;
export type ScopeError = z.infer<typeof scopeErrorSchema>;
export type Matching = z.infer<typeof matchingSchema>;

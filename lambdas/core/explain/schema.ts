/**
 * The answer of `harbor-dr explain REF`: one Explanation, typed from its zod schema so that the
 * `--json` output and the text rendering share a single source.
 */
import { z } from 'zod';
import { digestSchema, findingSchema } from '../report/schema';

/** A primary ref as the user names it: `repo:tag` or `repo@digest` (repo includes its project). */
const refSchema = z.object({
  /** As typed. */
  input: z.string(),
  repository: z.string(),
  /** The tag, or the digest. */
  reference: z.string(),
  byDigest: z.boolean(),
});

/** What one filter of a policy did to the ref, in policy order. */
const filterStepSchema = z.object({
  type: z.enum(['name', 'tag', 'label', 'resource']),
  decoration: z.enum(['matches', 'excludes']),
  value: z.union([z.string(), z.array(z.string())]),
  /**
   * passed / rejected: the ref went on or was dropped here; error: Harbor cannot run the filter;
   * not-applied: Harbor ignores it; not-evaluated: a later or unknowable step (see detail).
   */
  outcome: z.enum([
    'passed',
    'rejected',
    'error',
    'not-applied',
    'not-evaluated',
  ]),
  detail: z.string(),
});

/** Where a policy puts the ref on its target. */
const destinationSchema = z.object({
  repository: z.string(),
  reference: z.string(),
});

/** One policy (bound to one target, or to none configured) and its decision for the ref. */
const policyDecisionSchema = z.object({
  policy: z.object({
    id: z.int(),
    name: z.string(),
    /** push: a rule of the primary; pull: a rule of a Harbor target whose source is the primary. */
    mode: z.enum(['push', 'pull']),
    enabled: z.boolean(),
    trigger: z.string(),
    cron: z.string().optional(),
    destNamespace: z.string(),
    replaceCount: z.int(),
    override: z.boolean(),
    deletion: z.boolean(),
  }),
  /** The configured target the policy replicates to; null when none is configured for it. */
  target: z.string().nullable(),
  /** Audited: selected by the config's `policies` (auto: every enabled one). */
  inScope: z.boolean(),
  /** Whether the policy's filters select the ref (a disabled policy can match). */
  matched: z.boolean(),
  /** One sentence: why it matches or not, and what that means. */
  reason: z.string(),
  /** The doublestar the filters were read with (v1.1.1 or v1.3.4). */
  doublestar: z.string(),
  filters: z.array(filterStepSchema),
  /** After namespace replacement and flattening. */
  destination: destinationSchema.optional(),
  /** Why there is no destination name (a flattening error). */
  destinationError: z.string().optional(),
  /** Why Harbor cannot run the policy (a filter or flattening error fails the execution). */
  cannotRun: z.string().optional(),
  /** The plan's warnings for this policy (proxy-cache destination, regex-looking filter...). */
  warnings: z.array(z.string()),
});

/** What a target holds at one destination. */
const holdingSchema = z.object({
  /** False when the target could not be read (reason says why): nothing is claimed. */
  observed: z.boolean(),
  reason: z.string().optional(),
  repositoryExists: z.boolean().optional(),
  /** For a tag: the digest it points to on the target (null: no such tag). */
  tagDigest: digestSchema.nullable().optional(),
  /** Whether the expected digest is on the target (as a manifest or an index child). */
  digestPresent: z.boolean().optional(),
  /** Harbor targets: when the target's copy was pushed. */
  pushTime: z.string().optional(),
});

/** One task of an execution that touched the ref's repository, with its log lines. */
const taskEvidenceSchema = z.object({
  policyName: z.string(),
  executionId: z.int(),
  executionStatus: z.string(),
  executionTrigger: z.string(),
  executionStart: z.string().optional(),
  taskId: z.int(),
  status: z.string(),
  operation: z.string(),
  srcResource: z.string(),
  dstResource: z.string(),
  startTime: z.string().optional(),
  /** The log lines that name the ref; else its repositories; else the log's last lines. */
  log: z.array(z.string()),
  /** What the lines in `log` name: the ref, only its repositories, or neither (unreadable log: none). */
  logNames: z.enum(['ref', 'repository', 'none']),
});

/** What starting a policy again would do for the ref on a target. */
const retriggerAnswerSchema = z.object({
  policyName: z.string(),
  policyId: z.int(),
  mode: z.enum(['push', 'pull']),
  /** start: a start would bring the ref; no: it would not (reason says why). */
  wouldStart: z.boolean(),
  reason: z.string(),
});

const destinationExplanationSchema = z.object({
  repository: z.string(),
  reference: z.string(),
  expectedDigest: digestSchema.optional(),
  /** The policies in scope that put the ref there. */
  policies: z.array(z.string()),
  holding: holdingSchema,
  /** The audit's finding(s) for the ref there, computed the way the audit computes them. */
  findings: z.array(findingSchema),
});

const targetExplanationSchema = z.object({
  name: z.string(),
  kind: z.string(),
  /** When nothing in scope puts the ref on this target: why. */
  notCovered: z.string().optional(),
  destinations: z.array(destinationExplanationSchema),
  /** The latest execution tasks (per policy) that touched the ref's repository. */
  tasks: z.array(taskEvidenceSchema),
  /** Problems reading executions, tasks or logs (the rest of the answer stands). */
  taskErrors: z.array(z.string()),
  retrigger: z.array(retriggerAnswerSchema),
});

export const explanationSchema = z.object({
  ref: refSchema,
  primary: z.object({
    name: z.string(),
    url: z.string(),
    /** Whether the primary holds the ref; null when that could not be read. */
    holds: z.boolean().nullable(),
    /** The digest of the ref on the primary. */
    digest: digestSchema.optional(),
    /** Every tag of that artifact. */
    tags: z.array(z.string()).optional(),
    pushTime: z.string().optional(),
    /** Why the primary side could not be read. */
    error: z.string().optional(),
  }),
  /** Which doublestar read the filters, and why. */
  matching: z.object({ doublestar: z.string(), note: z.string() }),
  policies: z.array(policyDecisionSchema),
  targets: z.array(targetExplanationSchema),
  /** What explain does not check, and run-level problems. */
  notes: z.array(z.string()),
});

export type Explanation = z.infer<typeof explanationSchema>;
export type ExplainRef = z.infer<typeof refSchema>;
export type FilterStep = z.infer<typeof filterStepSchema>;
export type PolicyDecision = z.infer<typeof policyDecisionSchema>;
export type TargetExplanation = z.infer<typeof targetExplanationSchema>;
export type DestinationExplanation = z.infer<
  typeof destinationExplanationSchema
>;
export type Holding = z.infer<typeof holdingSchema>;
export type TaskEvidence = z.infer<typeof taskEvidenceSchema>;
export type RetriggerAnswer = z.infer<typeof retriggerAnswerSchema>;

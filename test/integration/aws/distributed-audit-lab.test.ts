import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import {
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { z } from 'zod';
import { startDemoLab, type Lab } from '../../../lab/index';
import { DISTRIBUTED_STATES } from '../../../lib/constructs/distributed-audit';
import { reportSchema, type Report } from '../../../lambdas/core/report/schema';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { ENV_KEYS } from '../../../lambdas/shared/env-keys';
import { S3ReportStore } from '../../../lambdas/adapters/aws/s3-report-store';
import { makeRunId } from '../../../lambdas/core/report/layout';
import {
  NO_PARTIAL,
  SHARD_FAILED,
} from '../../../lambdas/use-cases/audit-merge';
import { synthStack } from '../../infra/helpers/stack';
import { configWith } from '../../infra/helpers/synth';
import { stateMachineDefinitions } from '../../helpers/state-machine';
import { startFauxqsProcess, type Fauxqs } from './fauxqs';

// The state machine the stack synthesizes (deployment.mode: distributed), executed locally
// by aws-local-stepfunctions 3.0.0 against the demo lab and fauxqs S3: each Task runs the
// real handler in this process; every state runs as written but one. The package does not
// implement ItemReader (a Map iterates an array of its input), so the test supplies the items
// the reader would load: the Plan's override returns the plan handler's real output plus the
// shard list read from S3 (the object the ItemReader names), and the Map reads them through
// ItemsPath in place of its ItemReader. That is the whole shim.
jest.setTimeout(300_000);

type Handler = (event: unknown, context: Context) => Promise<unknown>;
/** What a local Task handler returns: JSON. */
type Json = Awaited<
  ReturnType<
    NonNullable<
      NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
    >[string]
  >
>;
/** Handlers return JSON-serializable summaries; the engine wants its JSON type. */
const asJson = async (value: Promise<unknown>): Promise<Json> =>
  (await value) as Json;

let lab: Lab;
let fauxqs: Fauxqs;
const savedEnv = { ...process.env };
let handlers: Record<'audit' | 'plan' | 'shard' | 'merge', Handler>;
let definition: Record<string, unknown>;

const context = {
  awsRequestId: 'local',
  functionName: 'harbor-dr-local',
  getRemainingTimeInMillis: () => 120_000,
} as unknown as Context;

beforeAll(async () => {
  [lab, fauxqs] = await Promise.all([
    startDemoLab(),
    startFauxqsProcess({
      buckets: ['reports', 'assets'],
      topics: [{ name: 'harbor-dr' }],
    }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-sfn-'));
  const config = loadConfigFile(lab.writeConfig(dir).configPath);
  const s3 = new S3Client(fauxqs.clientConfig);
  await s3.send(
    new PutObjectCommand({
      Bucket: 'assets',
      Key: 'lab.json',
      Body: JSON.stringify(config),
    })
  );
  s3.destroy();
  const sns = new SNSClient(fauxqs.clientConfig);
  const topicArn = z
    .string()
    .parse(
      (await sns.send(new CreateTopicCommand({ Name: 'harbor-dr' }))).TopicArn
    );
  sns.destroy();
  Object.assign(process.env, {
    [ENV_KEYS.configBucket]: 'assets',
    [ENV_KEYS.configKey]: 'lab.json',
    [ENV_KEYS.reportBucket]: 'reports',
    [ENV_KEYS.topicArn]: topicArn,
    AWS_ENDPOINT_URL: fauxqs.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  // The handlers read their environment at module scope, as at a cold start.
  const load = (name: string) =>
    jest.requireActual<{ handler: Handler }>(
      `../../../lambdas/handlers/${name}`
    ).handler;
  handlers = {
    audit: load('audit'),
    plan: load('audit-plan'),
    shard: load('audit-shard'),
    merge: load('audit-merge'),
  };

  // One repository per shard: the demo lab splits into more than 10 shards.
  const { template } = synthStack(
    configWith({
      deployment: {
        mode: 'distributed',
        distributed: { maxRefsPerShard: 1, maxConcurrency: 4 },
      },
    })
  );
  const machines = stateMachineDefinitions(
    template().toJSON() as Parameters<typeof stateMachineDefinitions>[0]
  );
  expect(machines.size).toBe(1);
  definition = [...machines.values()][0]!;
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([lab.stop(), fauxqs.stop()]);
});

async function readJson(key: string): Promise<unknown> {
  const s3 = new S3Client(fauxqs.clientConfig);
  try {
    const out = await s3.send(
      new GetObjectCommand({ Bucket: 'reports', Key: key })
    );
    return JSON.parse((await out.Body?.transformToString()) ?? 'null');
  } finally {
    s3.destroy();
  }
}

/** The one shim: the Map reads the items the ItemReader would load, through ItemsPath. */
function withItemsShim(def: Record<string, unknown>): StateMachineDefinition {
  const copy = structuredClone(def) as {
    States: Record<string, Record<string, unknown>>;
  };
  const map = copy.States[DISTRIBUTED_STATES.shards]!;
  expect(map.ItemReader).toBeDefined();
  delete map.ItemReader;
  map.ItemsPath = '$.itemsTheReaderWouldLoad';
  return copy as unknown as StateMachineDefinition;
}

const planResultSchema = z.object({
  skipped: z.literal(false),
  runId: z.string(),
  bucket: z.literal('reports'),
  shardList: z.string(),
  shards: z.number(),
});

/** Runs the state machine; its output, the plan's shard count and the shard invocations. */
async function execute(
  shardOverride?: (event: unknown) => Promise<unknown>
): Promise<{ output: unknown; shards: number; invoked: number }> {
  let shards = 0;
  let invoked = 0;
  const machine = new StateMachine(withItemsShim(definition), {
    validationOptions: { checkArn: false, checkPaths: false },
  });
  const execution = machine.run(
    {},
    {
      overrides: {
        taskResourceLocalHandlers: {
          [DISTRIBUTED_STATES.plan]: async (input: unknown) => {
            const planned = await handlers.plan(input, context);
            // Skipped (the lease is held): as returned, the state machine ends on it.
            if (
              z.object({ skipped: z.literal(true) }).safeParse(planned).success
            )
              return asJson(Promise.resolve(planned));
            const result = planResultSchema.parse(planned);
            shards = result.shards;
            return asJson(
              Promise.resolve({
                ...result,
                itemsTheReaderWouldLoad: await readJson(result.shardList),
              })
            );
          },
          [DISTRIBUTED_STATES.shard]: (input: unknown) => {
            invoked += 1;
            return asJson(
              shardOverride
                ? shardOverride(input)
                : handlers.shard(input, context)
            );
          },
          [DISTRIBUTED_STATES.recordFailure]: (input: unknown) =>
            asJson(handlers.shard(input, context)),
          [DISTRIBUTED_STATES.merge]: (input: unknown) =>
            asJson(handlers.merge(input, context)),
        },
        retryIntervalOverrides: {
          [DISTRIBUTED_STATES.shard]: 0,
          [DISTRIBUTED_STATES.recordFailure]: 0,
        },
      },
    }
  );
  return { output: await execution.result, shards, invoked };
}

async function runStateMachine(
  shardOverride?: (event: unknown) => Promise<unknown>
): Promise<{ summary: unknown; shards: number; report: Report }> {
  const { output, shards } = await execute(shardOverride);
  const summary = z.object({ report: z.string() }).parse(output);
  const key = summary.report.replace(/^s3:\/\/reports\//, '');
  return { summary, shards, report: reportSchema.parse(await readJson(key)) };
}

/** A marker of another run holding the run lease (a readiness run's, an hour long). */
function holderMarker() {
  const startedAt = new Date(Date.now() - 60_000);
  return {
    runId: makeRunId(startedAt, 'aaaaaa'),
    kind: 'readiness' as const,
    startedAt: startedAt.toISOString(),
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const s3 = new S3Client(fauxqs.clientConfig);
  try {
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: 'reports', Prefix: prefix })
    );
    return (out.Contents ?? []).flatMap((c) => (c.Key ? [c.Key] : []));
  } finally {
    s3.destroy();
  }
}

/** What both paths must agree on: findings, counts, shard statuses and verdicts. */
function outcome(report: Report) {
  return {
    verdict: report.verdict,
    errors: report.errors,
    policies: report.policies,
    targets: report.targets.map((t) => ({
      name: t.name,
      verdict: t.verdict,
      counts: t.counts,
      shards: t.shards,
      findings: t.findings,
      errors: t.errors,
    })),
  };
}

describe('the synthesized distributed audit, executed locally against the demo lab', () => {
  it('splits the lab into at least 10 shards and yields the findings and verdicts of the single-Lambda audit', async () => {
    const single = z
      .object({ report: z.string() })
      .parse(await handlers.audit({}, context));
    const singleReport = reportSchema.parse(
      await readJson(single.report.replace(/^s3:\/\/reports\//, ''))
    );

    const { shards, report } = await runStateMachine();

    expect(shards).toBeGreaterThanOrEqual(10);
    expect(report.runId).not.toBe(singleReport.runId);
    expect(outcome(report)).toEqual(outcome(singleReport));
    expect(report.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['harbor-dr', 'DEGRADED'],
      ['cluster-1', 'NOT_READY'],
      ['cluster-2', 'READY'],
    ]);
  });

  it('reports a shard that fails every retry UNKNOWN for its scope, with why, never green', async () => {
    let failing: string | undefined;
    let attempts = 0;
    const { report } = await runStateMachine(async (input) => {
      const { shard } = z.object({ shard: z.string() }).parse(input);
      // The first shard of cluster-2 (the target that is otherwise READY) is throttled forever.
      const items = z
        .array(z.object({ shard: z.string(), target: z.string() }))
        .parse(
          await readJson(
            `runs/${z.object({ runId: z.string() }).parse(input).runId}/shards.json`
          )
        );
      failing ??= items.find((i) => i.target === 'cluster-2')?.shard;
      if (shard === failing) {
        attempts += 1;
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'Lambda.TooManyRequestsException',
        });
      }
      return handlers.shard(input, context);
    });

    expect(failing).toBeDefined();
    // The first attempt and the throttling retrier's 6.
    expect(attempts).toBe(7);
    const cluster2 = report.targets.find((t) => t.name === 'cluster-2')!;
    expect(cluster2.verdict).toBe('UNKNOWN');
    const unknown = cluster2.shards.filter((s) => s.status === 'unknown');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]?.reason).toBe(
      `${SHARD_FAILED}: Lambda.TooManyRequestsException: Rate exceeded`
    );
    expect(cluster2.counts.unknown).toBeGreaterThan(0);
    expect(cluster2.rpo.estimateSeconds).toBeNull();
    expect(report.verdict).not.toBe('READY');
    // The other targets are as the full run found them.
    expect(report.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['harbor-dr', 'DEGRADED'],
      ['cluster-1', 'NOT_READY'],
      ['cluster-2', 'UNKNOWN'],
    ]);
  });
  it('skips the merge (no report written, a skipped result under its own run id, not an error) while another run holds the run lease', async () => {
    const s3 = new S3Client(fauxqs.clientConfig);
    const store = new S3ReportStore(s3, { bucket: 'reports' });
    const holder = holderMarker();
    const auditKeys = () => keysUnder('reports/audit/');
    try {
      // The lease is taken between this run's plan and its merge.
      const plan = planResultSchema.parse(
        await handlers.plan({ maxRefsPerShard: 1000 }, context)
      );
      await store.claim(holder);
      const before = await auditKeys();

      const merged = await handlers.merge({ runId: plan.runId }, context);

      expect(merged).toMatchObject({
        runId: plan.runId,
        kind: 'audit',
        skipped: true,
        holder: { runId: holder.runId, kind: 'readiness' },
      });
      expect(await auditKeys()).toEqual(before);
      expect((await store.markers()).map((m) => m.runId)).toEqual([
        holder.runId,
      ]);
    } finally {
      await store.release(holder.runId);
      s3.destroy();
    }
  });

  it('ends the execution at the plan, skipped, while another run holds the run lease: no shard runs, nothing is written', async () => {
    const s3 = new S3Client(fauxqs.clientConfig);
    const store = new S3ReportStore(s3, { bucket: 'reports' });
    const holder = holderMarker();
    const runsBefore = await keysUnder('runs/');
    const reportsBefore = await keysUnder('reports/audit/');
    try {
      await store.claim(holder);

      const { output, invoked } = await execute();

      expect(output).toMatchObject({
        kind: 'audit',
        skipped: true,
        message: expect.stringContaining(
          `skipped: another run ${holder.runId} (readiness`
        ) as unknown,
        holder: { runId: holder.runId },
      });
      expect(invoked).toBe(0);
      expect(await keysUnder('runs/')).toEqual(runsBefore);
      expect(await keysUnder('reports/audit/')).toEqual(reportsBefore);
      // A peek claims nothing: only the holder's marker is there.
      expect((await store.markers()).map((m) => m.runId)).toEqual([
        holder.runId,
      ]);
    } finally {
      await store.release(holder.runId);
      s3.destroy();
    }
  });

  it('reports a shard whose partial is missing UNKNOWN with "no partial result", not as a read error', async () => {
    let lost: string | undefined;
    const { report } = await runStateMachine(async (input) => {
      const { shard } = z.object({ shard: z.string() }).parse(input);
      lost ??= shard;
      // The shard "succeeds" but its partial never lands.
      if (shard === lost) return { shard, status: 'lost' };
      return handlers.shard(input, context);
    });

    expect(lost).toBeDefined();
    const unknown = report.targets.flatMap((t) =>
      t.shards.filter((s) => s.status === 'unknown')
    );
    expect(unknown).toHaveLength(1);
    expect(unknown[0]?.reason).toBe(NO_PARTIAL);
    expect(report.verdict).not.toBe('READY');
  });
});

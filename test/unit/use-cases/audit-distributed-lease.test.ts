import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3RunObjects } from '../../../lambdas/adapters/aws/run-objects';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { Credentials } from '../../../lambdas/adapters/secrets/credentials';
import type { RunLease } from '../../../lambdas/core/ports';
import {
  claimIdOf,
  type LeaseMarker,
} from '../../../lambdas/core/report/lease';
import { makeRunId } from '../../../lambdas/core/report/layout';
import { parseConfig } from '../../../lambdas/shared/config';
import type { AuditPlan } from '../../../lambdas/use-cases/audit';
import {
  mergeAuditStep,
  planAuditStep,
  readOutcomes,
  runKeys,
  type RunObjects,
} from '../../../lambdas/use-cases/audit-distributed';
import { storedOutcome } from '../../../lambdas/use-cases/audit-shards';
import { RunSkippedError, type JobDeps } from '../../../lambdas/use-cases/job';

// The distributed audit's lease and reads: one run id per run (the plan's, in the merge's
// lease marker and in what a yielding run says), the plan's peek before any work, and a
// missing partial read as missing even where S3 answers AccessDenied for it.

const config = parseConfig(
  {
    // Nothing listens there: nothing here may need a request.
    primary: {
      name: 'primary',
      url: 'http://127.0.0.1:9',
      credentials: { secretId: 'harbor-dr/primary' },
    },
    targets: [
      { name: 'cluster1', url: 'http://127.0.0.1:10', kind: 'distribution' },
    ],
  },
  'test'
);

const NOW = Date.parse('2026-11-30T03:00:00.000Z');
/** The plan's run id: made an hour before the merge claims the lease. */
const PLAN_RUN_ID = makeRunId(new Date(NOW - 3_600_000), 'p1a2n3');

/** A stored plan of no shards (the merge then reads the configured target as not planned). */
function plan(runId = PLAN_RUN_ID): AuditPlan {
  return {
    runId,
    startedAt: new Date(NOW - 3_600_000).toISOString(),
    planned: {
      plan: {
        targets: [],
        warnings: [],
        primary: { projectListComplete: true, projects: [] },
      },
      assignments: [],
      warnings: [],
      errors: [],
    },
    shards: [],
  };
}

class MemoryRunObjects implements RunObjects {
  readonly location = 'memory';
  readonly objects = new Map<string, unknown>();
  put(key: string, value: unknown): Promise<void> {
    this.objects.set(key, JSON.parse(JSON.stringify(value)));
    return Promise.resolve();
  }
  get(key: string): Promise<unknown> {
    return Promise.resolve(this.objects.get(key));
  }
}

/** A lease that records what is claimed (the local directory keeps the markers). */
function recording(store: LocalDirReportStore): {
  lease: RunLease;
  claimed: LeaseMarker[];
} {
  const claimed: LeaseMarker[] = [];
  return {
    claimed,
    lease: {
      timing: store.timing,
      claim: (m) => {
        claimed.push(m);
        return store.claim(m);
      },
      markers: () => store.markers(),
      release: (id) => store.release(id),
    },
  };
}

describe('the distributed audit and the run lease', () => {
  let dir = '';
  let t = NOW;
  let credentialsAsked = 0;
  const deps = (store: LocalDirReportStore, lease: RunLease): JobDeps => ({
    store,
    lease,
    clock: { now: () => new Date(t) },
    sleep: (ms) => {
      t += ms;
      return Promise.resolve();
    },
    resolveCredentials: () => {
      credentialsAsked += 1;
      return Promise.resolve(new Credentials('robot$ro', 'x'));
    },
  });
  const input = () => ({
    config,
    toolVersion: 'test',
    deadline: new Date(t + 14 * 60_000),
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'distributed-lease-'));
    t = NOW;
    credentialsAsked = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("the merge's lease marker names the plan's run id, and so does what a run yielding to it says", async () => {
    // Arrange
    const store = new LocalDirReportStore(dir);
    const { lease, claimed } = recording(store);
    const objects = new MemoryRunObjects();
    await objects.put(runKeys.plan(PLAN_RUN_ID), {
      version: 1,
      event: {},
      plan: plan(),
    });
    const other = makeRunId(new Date(NOW - 1_800_000), 'o2t3h4');
    await objects.put(runKeys.plan(other), {
      version: 1,
      event: {},
      plan: plan(other),
    });

    // Act: the merge of the first run holds the lease while the second's merge claims.
    const result = await mergeAuditStep(deps(store, lease), objects, {
      ...input(),
      runId: PLAN_RUN_ID,
      configFor: () => config,
    });
    // The first merge is done: put its marker back as if it still ran.
    await store.claim(claimed[0]!);
    const yielded = await mergeAuditStep(deps(store, lease), objects, {
      ...input(),
      runId: other,
    }).catch((err: unknown) => err);

    // Assert
    expect(result.report.runId).toBe(PLAN_RUN_ID);
    expect(claimed[0]?.runId).toBe(PLAN_RUN_ID);
    // The claim is ordered by an id made as it claims (the proof needs it), not the plan's.
    expect(claimIdOf(claimed[0]!) > PLAN_RUN_ID).toBe(true);
    expect(yielded).toBeInstanceOf(RunSkippedError);
    const skipped = yielded as RunSkippedError;
    expect(skipped.runId).toBe(other);
    expect(skipped.holder.runId).toBe(PLAN_RUN_ID);
    expect(skipped.message).toContain(`another run ${PLAN_RUN_ID} (audit`);
    expect(claimed[1]?.runId).toBe(other);
  });

  it('the plan ends before any work (no credential, no object) while another run holds the lease', async () => {
    // Arrange
    const store = new LocalDirReportStore(dir);
    const holder: LeaseMarker = {
      runId: PLAN_RUN_ID,
      claimId: makeRunId(new Date(NOW - 60_000), 'c1a2i3'),
      kind: 'audit',
      startedAt: new Date(NOW - 60_000).toISOString(),
      expiresAt: new Date(NOW + 600_000).toISOString(),
    };
    await store.claim(holder);
    const objects = new MemoryRunObjects();

    // Act
    const outcome = await planAuditStep(deps(store, store), objects, {
      ...input(),
      event: {},
      maxRefsPerShard: 100,
    }).catch((err: unknown) => err);

    // Assert
    expect(outcome).toBeInstanceOf(RunSkippedError);
    expect((outcome as RunSkippedError).holder).toEqual(holder);
    expect((outcome as RunSkippedError).message).toContain(
      `another run ${PLAN_RUN_ID} (audit`
    );
    expect(credentialsAsked).toBe(0);
    expect(objects.objects.size).toBe(0);
    // A peek claims nothing.
    expect(await store.markers()).toEqual([holder]);
  });

  it("the plan's peek ignores an expired marker (a crashed run) and is not stopped by markers it cannot list", async () => {
    // Arrange
    const store = new LocalDirReportStore(dir);
    const crashed: LeaseMarker = {
      runId: makeRunId(new Date(NOW - 7_200_000), 'c4r5a6'),
      kind: 'audit',
      startedAt: new Date(NOW - 7_200_000).toISOString(),
      expiresAt: new Date(NOW - 60_000).toISOString(),
    };
    await store.claim(crashed);
    const unlistable: RunLease = {
      timing: store.timing,
      claim: (m) => store.claim(m),
      markers: () => Promise.reject(new Error('AccessDenied')),
      release: (id) => store.release(id),
    };

    // Act: both go on and plan (the primary is not there: a plan of its errors).
    const past = await planAuditStep(
      deps(store, store),
      new MemoryRunObjects(),
      { ...input(), event: {}, maxRefsPerShard: 100 }
    ).catch((err: unknown) => err);
    const blind = await planAuditStep(
      deps(store, unlistable),
      new MemoryRunObjects(),
      { ...input(), event: {}, maxRefsPerShard: 100 }
    ).catch((err: unknown) => err);

    // Assert
    expect(past).toMatchObject({ skipped: false, shards: 0 });
    expect(blind).toMatchObject({ skipped: false, shards: 0 });
    expect(credentialsAsked).toBe(2);
  });
});

describe("the merge's reading of the partials in S3", () => {
  const s3 = mockClient(S3Client);
  afterEach(() => {
    s3.reset();
  });

  const twoShards: AuditPlan = {
    ...plan(),
    shards: [
      { id: '0001', target: 'cluster1', project: 'library' },
      { id: '0002', target: 'cluster1', project: 'team' },
    ],
  };
  const body = (text: string) =>
    ({
      transformToString: () => Promise.resolve(text),
    }) as unknown as GetObjectCommandOutput['Body'];
  const accessDenied = () =>
    new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'Access Denied',
    });

  it('reads a partial that is not there as missing (no partial result), although S3 answers AccessDenied for it', async () => {
    // Arrange: S3 answers a missing key with 403 to a caller without list rights on it.
    const present = runKeys.partial(PLAN_RUN_ID, '0001');
    const partial = storedOutcome({ shard: '0001', failed: 'boom' });
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: present }] });
    s3.on(GetObjectCommand).callsFake((request: { Key: string }) => {
      if (request.Key === present) {
        return { Body: body(JSON.stringify(partial)) };
      }
      throw accessDenied();
    });

    // Act
    const outcomes = await readOutcomes(
      new S3RunObjects(new S3Client({}), 'reports'),
      twoShards
    );

    // Assert
    expect([...outcomes.keys()]).toEqual(['0001']);
    expect(
      s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix)
    ).toEqual([`runs/${PLAN_RUN_ID}/partials/`]);
    expect(
      s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)
    ).toEqual([present]);
  });

  it('reports every shard failed, with why, when the partials cannot be listed', async () => {
    // Arrange
    s3.on(ListObjectsV2Command).rejects(accessDenied());

    // Act
    const outcomes = await readOutcomes(
      new S3RunObjects(new S3Client({}), 'reports'),
      twoShards
    );

    // Assert
    expect([...outcomes.values()]).toEqual([
      {
        shard: '0001',
        failed: `the partial results could not be listed: s3 ListObjectsV2 s3://reports/runs/${PLAN_RUN_ID}/partials/: HTTP 403 AccessDenied`,
      },
      {
        shard: '0002',
        failed: `the partial results could not be listed: s3 ListObjectsV2 s3://reports/runs/${PLAN_RUN_ID}/partials/: HTTP 403 AccessDenied`,
      },
    ]);
  });
});

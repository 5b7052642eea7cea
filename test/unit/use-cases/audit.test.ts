import {
  runAudit,
  type AuditDeps,
  type AuditInput,
} from '../../../lambdas/use-cases/audit';
import type { HarborApi, TargetObserver } from '../../../lambdas/core/ports';
import { endpoint, policy } from '../../helpers/policy-fixture';
import {
  fakeArtifact,
  fakeDigest,
  fakePrimary,
} from '../../helpers/fake-harbor';
import { TARGET_DRIVERS } from '../../../lambdas/compose/drivers';

const NOW = new Date('2026-11-29T12:00:00Z');
const digest = fakeDigest;

const artifact = (tag: string, n: number) => fakeArtifact(tag, n);

const primary = fakePrimary;

const holdsV1: TargetObserver = {
  listNamespace: () => Promise.resolve(['library/app']),
  observe: () =>
    Promise.resolve([
      {
        repository: 'library/app',
        exists: true,
        refs: [
          {
            repository: 'library/app',
            reference: 'v1',
            byDigest: false,
            digest: digest(1),
          },
        ],
      },
    ]),
};

function deps(api: HarborApi, observer: TargetObserver = holdsV1): AuditDeps {
  return {
    primary: api,
    targets: [
      {
        name: 'cluster1',
        kind: 'distribution',
        url: 'http://r.example.com',
        traits: TARGET_DRIVERS.distribution.traits,
        observer,
      },
    ],
    clock: { now: () => NOW },
  };
}

const input: AuditInput = {
  runId: 'run-1',
  toolVersion: 'test',
  primary: { name: 'harbor', url: 'https://harbor.example.com' },
  policies: 'auto',
  rpoObjectiveMinutes: 60,
  concurrency: 4,
  deadline: new Date(NOW.getTime() + 60_000),
};

describe('runAudit', () => {
  it('finds the missing tag with its evidence and exposure', async () => {
    const report = await runAudit(deps(primary()), input);

    const t = report.targets[0]!;
    expect(t.counts).toEqual({
      expected: 2,
      synced: 1,
      missing: 1,
      mismatched: 0,
      orphaned: 0,
      unknown: 0,
    });
    expect(
      t.findings.map((f) => [f.state, f.reference, f.expectedDigest])
    ).toEqual([['missing', 'v2', digest(2)]]);
    expect(t.rpo.estimateSeconds).toBe(3600);
    expect(t.verdict).toBe('DEGRADED');
  });

  it('is UNKNOWN when Harbor treats the credentials as anonymous', async () => {
    const report = await runAudit(
      deps(primary({ whoAmI: () => Promise.resolve({ kind: 'anonymous' }) })),
      input
    );

    expect(report.verdict).toBe('UNKNOWN');
    expect(report.targets[0]?.verdict).toBe('UNKNOWN');
    expect(report.errors[0]?.message).toMatch(/credentials were rejected/);
  });

  it('is UNKNOWN when the policies cannot be read', async () => {
    const report = await runAudit(
      deps(
        primary({ listPolicies: () => Promise.reject(new Error('HTTP 403')) })
      ),
      input
    );

    expect(report.targets[0]?.verdict).toBe('UNKNOWN');
    expect(report.targets[0]?.errors[0]?.message).toMatch(/HTTP 403/);
  });

  it('makes refs UNKNOWN when the target cannot be observed, never synced', async () => {
    const failing: TargetObserver = {
      listNamespace: () => Promise.reject(new Error('catalog refused')),
      observe: () => Promise.reject(new Error('HTTP 502 after 3 retries')),
    };

    const report = await runAudit(deps(primary(), failing), input);

    const t = report.targets[0]!;
    expect(t.counts).toMatchObject({ synced: 0, unknown: 2 });
    expect(t.shards).toEqual([
      {
        project: 'library',
        status: 'unknown',
        reason: expect.stringContaining('HTTP 502') as string,
        // Kept apart, so that a summary can leave out what the findings already say.
        causes: [
          {
            kind: 'repositories',
            text: '1 repositories could not be observed: library/app (HTTP 502 after 3 retries)',
          },
          {
            kind: 'namespace',
            text: 'its repositories could not be listed (catalog refused): repositories deleted on the primary are unseen',
          },
        ],
      },
    ]);
    expect(t.verdict).toBe('UNKNOWN');
  });
});

describe('runAudit when the target namespace cannot be listed', () => {
  it('still diffs the expected refs, but the shard is UNKNOWN: deleted repositories are unseen', async () => {
    const unlistable: TargetObserver = {
      ...holdsV1,
      listNamespace: () => Promise.reject(new Error('HTTP 503 on _catalog')),
    };

    const report = await runAudit(deps(primary(), unlistable), input);

    const t = report.targets[0]!;
    expect(t.counts).toMatchObject({ synced: 1, missing: 1 });
    expect(t.shards[0]).toMatchObject({ status: 'unknown' });
    expect(t.shards[0]?.reason).toContain('HTTP 503 on _catalog');
    expect(t.verdict).toBe('UNKNOWN');
  });
});

describe('runAudit on a target that no policy reaches', () => {
  it('is UNKNOWN and says which endpoint URLs the primary uses, never READY with 0 of 0', async () => {
    const elsewhere = primary({
      listPolicies: () =>
        Promise.resolve([
          policy({
            destRegistry: endpoint({
              url: 'http://registry.cluster1.svc:5000',
            }),
          }),
        ]),
    });

    const report = await runAudit(deps(elsewhere), input);

    const t = report.targets[0]!;
    expect(t.counts.expected).toBe(0);
    expect(t.verdict).toBe('UNKNOWN');
    expect(t.errors[0]?.message).toContain('http://registry.cluster1.svc:5000');
  });
});

// Issue 11 problem 9: every manifest HEAD of a target hung, 6 of 6 refs unseen, and the
// audit said "exposure 0s" (the Lambda emitted ExposureSeconds=0).
describe('runAudit exposure when refs are unseen', () => {
  it('is unknown (null), never 0, when every ref of the target is unseen', async () => {
    const hanging: TargetObserver = {
      listNamespace: () => Promise.resolve(['library/app']),
      observe: () =>
        Promise.reject(
          new Error(
            'cluster1 HEAD /v2/library/app/manifests/v1: no response headers within 10000 ms (headersTimeout)'
          )
        ),
    };

    const report = await runAudit(deps(primary(), hanging), input);

    const t = report.targets[0]!;
    expect(t.counts).toMatchObject({ expected: 2, unknown: 2 });
    expect(t.rpo.estimateSeconds).toBeNull();
    expect(t.verdict).toBe('UNKNOWN');
  });

  it('is unknown when a scope of the target is unseen though the refs seen are synced', async () => {
    const unlistable: TargetObserver = {
      ...holdsV1,
      listNamespace: () => Promise.reject(new Error('HTTP 503 on _catalog')),
    };
    const onlyV1 = primary({
      listArtifacts: () => Promise.resolve([artifact('v1', 1)]),
    });

    const report = await runAudit(deps(onlyV1, unlistable), input);

    const t = report.targets[0]!;
    expect(t.counts).toMatchObject({ synced: 1, missing: 0, unknown: 0 });
    expect(t.rpo.estimateSeconds).toBeNull();
  });
});

// Issue 11 problem 7: the run's deadline as an abort signal.
describe('runAudit with the run deadline signal', () => {
  it('starts no shard once it has aborted: each is not audited, its refs UNKNOWN', async () => {
    const deadline = new AbortController();
    // The deadline comes as the primary's listing (the last of planning) ends.
    const late = primary({
      listArtifacts: () => {
        deadline.abort();
        return Promise.resolve([artifact('v1', 1), artifact('v2', 2)]);
      },
    });

    const report = await runAudit(deps(late), {
      ...input,
      signal: deadline.signal,
    });

    const t = report.targets[0]!;
    expect(t.shards).toEqual([
      {
        project: 'library',
        status: 'not-audited',
        reason: 'deadline reached: not audited',
      },
    ]);
    expect(t.counts).toMatchObject({ synced: 0, unknown: 2 });
    expect(t.verdict).toBe('UNKNOWN');
  });

  it('makes a shard cut in flight UNKNOWN with the deadline as its reason, without retrying each repository', async () => {
    const deadline = new AbortController();
    let observed = 0;
    const cut: TargetObserver = {
      listNamespace: () => Promise.resolve(['library/app']),
      observe: () => {
        observed++;
        deadline.abort();
        return Promise.reject(
          new Error('cluster1 HEAD /v2/library/app/manifests/v1: aborted')
        );
      },
    };

    const report = await runAudit(deps(primary(), cut), {
      ...input,
      signal: deadline.signal,
    });

    const t = report.targets[0]!;
    expect(observed).toBe(1);
    expect(t.shards[0]).toMatchObject({
      status: 'unknown',
      reason: expect.stringMatching(
        /^deadline reached: aborted in flight; 1 repositories could not be observed/
      ) as string,
    });
    expect(t.rpo.estimateSeconds).toBeNull();
  });
});

import { runReadiness } from '../../../lambdas/use-cases/readiness';
import type {
  HarborReadApi,
  ObservedRepository,
  TargetObserver,
} from '../../../lambdas/core/ports';
import { TARGET_DRIVERS } from '../../../lambdas/compose/drivers';
import { reportSchema } from '../../../lambdas/core/report/schema';
import {
  fakeArtifact,
  fakeDigest,
  fakePrimary,
} from '../../helpers/fake-harbor';

const NOW = new Date('2026-11-29T12:00:00Z');
const REPOS = ['library/a', 'library/b'];

// Both repositories hold v1 and v2 on the primary (pushed 11:00); the target lacks
// library/b:v2, and its namespace cannot be listed (orphans unseen: the estimate is unknown).
const primary = fakePrimary({
  listRepositories: () => Promise.resolve(REPOS),
  listArtifacts: (repository) => {
    const n = REPOS.indexOf(repository) * 10;
    return Promise.resolve([
      fakeArtifact('v1', n + 1, repository),
      fakeArtifact('v2', n + 2, repository),
    ]);
  },
});

const held = (repository: string): ObservedRepository => {
  const n = REPOS.indexOf(repository) * 10;
  const tags = repository === 'library/b' ? ['v1'] : ['v1', 'v2'];
  return {
    repository,
    exists: true,
    refs: tags.map((tag, i) => ({
      repository,
      reference: tag,
      byDigest: false,
      digest: fakeDigest(n + i + 1),
    })),
  };
};

const observer: TargetObserver = {
  listNamespace: () => Promise.reject(new Error('HTTP 503 on _catalog')),
  observe: (repos) => Promise.resolve(repos.map(held)),
};

describe('runReadiness with an exposure known only as a lower bound', () => {
  it('fails the exposure item on the bound, and keeps the bound in the RPO trend', async () => {
    const report = await runReadiness(
      {
        primary,
        targets: [
          {
            name: 'cluster1',
            kind: 'distribution',
            url: 'http://r.example.com',
            traits: TARGET_DRIVERS.distribution.traits,
            observer,
            verifyTls: false,
          },
        ],
        // Only the primary's clock is read (no Harbor target needs metadata).
        primaryMetadata: {
          systemInfo: () => Promise.reject(new Error('not shown')),
        } as unknown as HarborReadApi,
        clock: { now: () => NOW },
      },
      {
        runId: 'run-1',
        toolVersion: 'test',
        primary: { name: 'harbor', url: 'https://harbor.example.com' },
        policies: 'auto',
        rpoObjectiveMinutes: 30,
        concurrency: 4,
        deadline: new Date(NOW.getTime() + 60_000),
        history: [],
      }
    );

    expect(reportSchema.parse(report)).toEqual(report);
    const t = report.targets[0]!;
    expect(t.rpo).toMatchObject({
      estimateSeconds: null,
      estimateAtLeastSeconds: 3600,
    });
    expect(t.rpo.trend?.at(-1)).toMatchObject({
      runId: 'run-1',
      estimateSeconds: null,
      estimateAtLeastSeconds: 3600,
    });
    const exposure = t.checklist?.find((i) => i.id === 'rpo-exposure');
    expect(exposure?.status).toBe('fail');
    expect(exposure?.evidence).toMatch(
      /^exposure at least 1h 00m \(objective 30m 00s\), oldest unsynced push 2026-11-29T11:00:00Z; 1 scope could not be seen/
    );
    expect(t.verdict).toBe('NOT_READY');
  });
});

import { renderSummary } from '../../../lambdas/core/report/render/summary';
import type { Finding, ShardCause } from '../../../lambdas/core/report/schema';
import { report, targetReport } from '../../helpers/report-fixture';

// The terminal summary names an UNKNOWN target's top reasons once each: a shard's reason that
// lists its unobservable repositories repeats what each of their findings says.
const denied = (path: string) =>
  `harbor-dr GET ${path}: credentials rejected or missing (HTTP 401 UNAUTHORIZED)`;

const unknown = (repository: string, project: string): Finding => ({
  state: 'unknown',
  target: 'harbor-dr',
  repository,
  reference: 'v1',
  detail: `observation failed: ${denied(`/api/v2.0/projects/${project}`)}`,
});

/** A shard's causes as the audit writes them: `reason` joins their texts. */
const shardOf =
  (causesOf: (project: string) => ShardCause[]) => (project: string) => {
    const causes = causesOf(project);
    return {
      project,
      status: 'unknown' as const,
      reason: causes.map((c) => c.text).join('; '),
      causes,
    };
  };

function summaryOf(
  shard: (
    project: string
  ) => { project: string; status: 'unknown'; reason: string } & object
): string {
  const repos = {
    'team-a': ['team-a/api', 'team-a/legacy', 'team-a/web'],
    'team-b': ['team-b/worker'],
  };
  return renderSummary(
    report({
      verdict: 'UNKNOWN',
      targets: [
        targetReport({
          name: 'harbor-dr',
          kind: 'harbor',
          verdict: 'UNKNOWN',
          counts: {
            expected: 9,
            synced: 5,
            missing: 0,
            mismatched: 0,
            orphaned: 0,
            unknown: 4,
          },
          findings: Object.entries(repos).flatMap(([project, names]) =>
            names.map((r) => unknown(r, project))
          ),
          shards: [
            { project: 'library', status: 'audited' },
            ...Object.keys(repos).map(shard),
          ],
        }),
      ],
    })
  );
}

const line = (summary: string): string =>
  summary.split('\n').find((l) => l.includes('unknown because:')) ?? '';

describe('the summary of an UNKNOWN target', () => {
  it('says a 401 once, and the namespace that could not be listed once', () => {
    const summary = summaryOf(
      shardOf((p) => [
        {
          kind: 'repositories',
          text: `${p === 'team-a' ? 3 : 1} repositories could not be observed: ${p}/api (${denied(`/api/v2.0/projects/${p}`)})`,
        },
        {
          kind: 'namespace',
          text: `its repositories could not be listed (${denied(`/api/v2.0/projects/${p}`)}): repositories deleted on the primary are unseen`,
        },
      ])
    );

    expect(line(summary)).toBe(
      '             unknown because: observation failed: harbor-dr GET …: credentials rejected or missing (HTTP 401 UNAUTHORIZED) (4 scopes); its repositories could not be listed (harbor-dr GET …: credentials rejected or missing (HTTP 401 UNAUTHORIZED)): repositories deleted on the primary are unseen (2 scopes)'
    );
    expect(line(summary).match(/HTTP 401/g)).toHaveLength(2);
  });

  it('keeps a deadline cut, and a reason that is not the per-repository list', () => {
    const summary = summaryOf((p) =>
      p === 'team-a'
        ? shardOf(() => [
            { kind: 'deadline', text: 'deadline reached: aborted in flight' },
            {
              kind: 'repositories',
              text: `3 repositories could not be observed: team-a/api (${denied('/x')})`,
            },
          ])(p)
        : {
            project: p,
            status: 'unknown',
            reason: 'the registry answered 500 on its catalog',
          }
    );

    expect(line(summary)).toContain('deadline reached: aborted in flight');
    expect(line(summary)).toContain('the registry answered 500 on its catalog');
    expect(line(summary)).not.toContain('3 repositories could not be observed');
  });

  it('says a report written before causes were kept apart as it is (its reason whole)', () => {
    const reason = `3 repositories could not be observed: team-a/api (${denied('/x')})`;
    const summary = summaryOf((p) => ({
      project: p,
      status: 'unknown',
      reason,
    }));

    expect(line(summary)).toContain(reason);
  });
});

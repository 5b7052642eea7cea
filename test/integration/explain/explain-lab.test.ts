import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoLab, type Lab } from '../../../lab/index';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import { EXIT } from '../../../lambdas/cli/exit-codes';
import type { CliIo } from '../../../lambdas/cli/io';
import { runCli } from '../../../lambdas/cli/program';
import { explanationSchema } from '../../../lambdas/core/explain/schema';
import type { Explanation } from '../../../lambdas/core/explain/schema';
import type { Finding, Report } from '../../../lambdas/core/report/schema';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { runAuditJob } from '../../../lambdas/use-cases/audit-job';

// `harbor-dr explain` against the demo lab: for every finding of the demo's audit, explain
// its ref and agree with the audit; for a synced ref, say so with the digest on both sides.
jest.setTimeout(180_000);

let lab: Lab;
let configPath: string;
let report: Report;

beforeAll(async () => {
  if (!existsSync('/usr/bin/docker-registry'))
    throw new Error('docker-registry is required at /usr/bin/docker-registry');
  lab = await startDemoLab();
  configPath = lab.writeConfig(
    mkdtempSync(join(tmpdir(), 'harbor-dr-explain-'))
  ).configPath;
  ({ report } = await runAuditJob(
    {
      store: new LocalDirReportStore(
        mkdtempSync(join(tmpdir(), 'harbor-dr-explain-reports-'))
      ),
      clock: { now: () => new Date() },
      resolveCredentials: createCredentialsResolver(),
    },
    {
      config: loadConfigFile(configPath),
      toolVersion: 'test',
      deadline: new Date(Date.now() + 120_000),
      concurrency: 4,
    }
  ));
});

afterAll(async () => {
  await lab.stop();
});

function bufferIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (s: string) => {
      io.stdout += s;
    },
    err: (s: string) => {
      io.stderr += s;
    },
    env: {},
  };
  return io;
}

async function explain(
  ref: string,
  target: string
): Promise<{ code: number; explanation: Explanation }> {
  const io = bufferIo();
  const code = await runCli(
    ['explain', ref, '--config', configPath, '--target', target, '--json'],
    io,
    'test'
  );
  expect(io.stderr).toBe('');
  return { code, explanation: explanationSchema.parse(JSON.parse(io.stdout)) };
}

/** The primary ref a finding is about (the destination's name for what no policy expects). */
function refOf(f: Finding): string {
  if (!f.source) return `${f.repository}:${f.reference}`;
  const { repository, reference } = f.source;
  return reference.includes(':')
    ? `${repository}@${reference}`
    : `${repository}:${reference}`;
}

describe('harbor-dr explain against the demo lab', () => {
  it('answers for every finding of the audit, in agreement with it', async () => {
    const findings = report.targets.flatMap((t) => t.findings);
    // The demo's documented problems (test/integration/audit/audit-lab.test.ts).
    expect(findings).toHaveLength(8);
    for (const f of findings) {
      const { code, explanation } = await explain(refOf(f), f.target);
      const target = explanation.targets.find((t) => t.name === f.target);
      expect(explanation.targets.map((t) => t.name)).toEqual([f.target]);
      const at = target?.destinations.find(
        (d) => d.repository === f.repository && d.reference === f.reference
      );
      // The same state, the same evidence as the audit's finding.
      expect({ ref: refOf(f), findings: at?.findings }).toEqual({
        ref: refOf(f),
        findings: [
          expect.objectContaining({
            state: f.state,
            ...(f.expectedDigest ? { expectedDigest: f.expectedDigest } : {}),
            ...(f.observedDigest ? { observedDigest: f.observedDigest } : {}),
            ...(f.detail ? { detail: f.detail } : {}),
          }),
        ],
      });
      expect(code).toBe(EXIT.PROBLEMS);
      // Every finding of a policy names that policy as selecting the ref.
      if (f.policy) {
        const decision = explanation.policies.find(
          (p) => p.policy.id === f.policy?.id && p.target === f.target
        );
        expect(decision).toMatchObject({ matched: true, inScope: true });
        expect(at?.policies).toContain(f.policy.name);
      }
      if (f.cannotRun !== undefined) {
        expect(
          target?.retrigger.find((r) => r.policyName === f.policy?.name)
        ).toMatchObject({
          wouldStart: false,
          reason: expect.stringMatching(/a start fails again/) as string,
        });
      }
    }
  });

  it('says which filter rejects a ref, with the pattern and doublestar version', async () => {
    const { explanation } = await explain('library/nginx:latest', 'cluster-1');
    const toCluster1 = explanation.policies.find(
      (p) => p.policy.name === 'to-cluster-1'
    );
    expect(toCluster1).toMatchObject({
      matched: false,
      doublestar: 'v1.1.1',
      reason:
        'rejected by the name filter "team-a/**" (matches, doublestar v1.1.1): "library/nginx" does not match "team-a/**"',
    });
    expect(toCluster1?.filters.map((s) => s.outcome)).toEqual([
      'rejected',
      'not-evaluated',
    ]);
    expect(
      explanation.targets[0]?.retrigger.find(
        (r) => r.policyName === 'to-cluster-1'
      )?.wouldStart
    ).toBe(false);
  });

  it('says a synced ref is synced, with the digest on both sides', async () => {
    const { code, explanation } = await explain(
      'library/alpine:3.19',
      'harbor-dr'
    );
    expect(code).toBe(EXIT.OK);
    // --target harbor-dr: the policies of the other configured targets are left out.
    expect(explanation.policies.map((p) => [p.policy.name, p.target])).toEqual([
      ['to-dr', 'harbor-dr'],
    ]);
    const [dr] = explanation.targets;
    const at = dr?.destinations.find(
      (d) => d.repository === 'library/alpine' && d.reference === '3.19'
    );
    const digest = explanation.primary.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(at?.holding).toMatchObject({
      observed: true,
      repositoryExists: true,
      tagDigest: digest,
      digestPresent: true,
    });
    expect(at?.findings).toEqual([
      expect.objectContaining({
        state: 'synced',
        expectedDigest: digest,
        observedDigest: digest,
      }),
    ]);
    expect(dr?.tasks[0]).toMatchObject({
      policyName: 'to-dr',
      logNames: 'ref',
    });
    expect(dr?.retrigger).toEqual([
      expect.objectContaining({
        policyName: 'to-dr',
        wouldStart: false,
        reason:
          'nothing to copy: the target holds the ref with the expected digest',
      }),
    ]);
  });

  it('prints the same answer as text, and refuses a REF without a tag', async () => {
    const io = bufferIo();
    const code = await runCli(
      [
        'explain',
        'library/alpine:3.19',
        '--config',
        configPath,
        '-t',
        'harbor-dr',
      ],
      io,
      'test'
    );
    expect(code).toBe(EXIT.OK);
    expect(io.stdout).toContain('finding: synced: expected sha256:');
    expect(io.stdout).toContain('holds: tag → sha256:');

    const bad = bufferIo();
    expect(
      await runCli(['explain', 'nginx', '--config', configPath], bad, 'test')
    ).toBe(EXIT.USAGE);
    expect(bad.stderr).toMatch(/REF "nginx": it names no tag or digest/);
  });
});

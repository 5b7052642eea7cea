import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '../../../../lambdas/shared/config';
import { startDemoLab, type DemoLab } from '../../../../lab/index';
import { api } from './helpers/api';
import { remoteDigest } from './helpers/wait';

describe('the demo lab', () => {
  let lab: DemoLab | undefined;
  const demo = (): DemoLab => {
    if (!lab) throw new Error('the demo lab did not start');
    return lab;
  };
  let dir: string | undefined;

  beforeAll(async () => {
    if (!existsSync('/usr/bin/docker-registry'))
      throw new Error(
        'docker-registry is required at /usr/bin/docker-registry'
      );
    lab = await startDemoLab();
    dir = mkdtempSync(join(tmpdir(), 'lab-demo-'));
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts a primary, a DR Harbor and two real cluster registries', () => {
    expect(demo().primary.name).toBe('harbor-primary');
    expect(demo().secondary.name).toBe('harbor-dr');
    expect(demo().registries.map((r) => [r.name, r.kind])).toEqual([
      ['cluster-1', 'distribution'],
      ['cluster-2', 'distribution'],
    ]);
  });

  it('writes a config that the harbor-dr config schema accepts, with private credential files', () => {
    const { configPath, credentialsFiles } = demo().writeConfig(dir!);
    const cfg = configSchema.parse(parse(readFileSync(configPath, 'utf8')));
    expect(cfg.primary.url).toBe(demo().primary.url);
    expect(cfg.targets.map((t) => [t.name, t.kind])).toEqual([
      ['harbor-dr', 'harbor'],
      ['cluster-1', 'distribution'],
      ['cluster-2', 'distribution'],
    ]);
    expect(credentialsFiles).toHaveLength(2);
    for (const f of credentialsFiles) expect(statSync(f).mode & 0o077).toBe(0);
    const creds = JSON.parse(
      readFileSync(credentialsFiles[0] ?? '', 'utf8')
    ) as { username: string };
    expect(creds.username).toBe('harbor-dr-auditor');
  });

  it('shows a failed execution with a failed task for team-a/legacy', async () => {
    const a = demo().primary.auditor;
    const failed = (
      await api(
        demo().primary.url,
        'GET',
        '/replication/executions?status=Failed',
        { auth: a }
      )
    ).body as { id: number; failed: number; total: number }[];
    // to-cluster-1's (a task failed) and edge-to-cluster-1's (no task: see the next test)
    expect(failed).toHaveLength(2);
    const withTasks = failed.filter((e) => e.total > 0);
    expect(withTasks).toHaveLength(1);
    const tasks = (
      await api(
        demo().primary.url,
        'GET',
        `/replication/executions/${withTasks[0]?.id ?? 0}/tasks?status=Failed`,
        { auth: a }
      )
    ).body as { src_resource: string }[];
    expect(tasks.map((t) => t.src_resource)).toEqual([
      'team-a/legacy [1 item(s) in total]',
    ]);
    const c1 = demo().registries[0]?.url ?? '';
    expect(await remoteDigest(c1, 'mirror/legacy', '0.1')).toBeUndefined();
    expect(await remoteDigest(c1, 'mirror/api', '2.0.0')).toBeDefined();
  });

  it('runs Harbor 2.10.1, whose doublestar v1.1.1 cannot run a brace filter with /', async () => {
    const a = demo().primary.auditor;
    for (const h of [demo().primary, demo().secondary]) {
      const info = (await api(h.url, 'GET', '/systeminfo', { auth: h.auditor }))
        .body as { harbor_version: string };
      expect(info.harbor_version).toBe('v2.10.1-b7b88476');
    }
    const policy = [...demo().primary.harbor.state.policies.values()].find(
      (p) => p.name === 'edge-to-cluster-1'
    );
    const executions = (
      await api(
        demo().primary.url,
        'GET',
        `/replication/executions?policy_id=${String(policy?.id)}`,
        { auth: a }
      )
    ).body as { status: string; status_text: string; total: number }[];
    expect(executions).toEqual([
      expect.objectContaining({
        status: 'Failed',
        status_text: expect.stringContaining(
          'syntax error in pattern'
        ) as string,
        total: 0,
      }),
    ]);
    const c1 = demo().registries[0]?.url ?? '';
    expect(await remoteDigest(c1, 'edge/alpine', '3.20')).toBeUndefined();
    expect(await remoteDigest(c1, 'edge/legacy', '0.1')).toBeUndefined();
  });

  it('has a moved tag that the DR site did not follow, and a deletion not propagated', async () => {
    const a = demo().primary.auditor;
    const primaryLatest = await remoteDigest(
      demo().primary.url,
      'library/nginx',
      'latest',
      a
    );
    const drLatest = await remoteDigest(
      demo().secondary.url,
      'library/nginx',
      'latest',
      demo().secondary.auditor
    );
    expect(primaryLatest).toBeDefined();
    expect(drLatest).toBeDefined();
    expect(drLatest).not.toBe(primaryLatest);
    expect(
      await remoteDigest(
        demo().registries[1]?.url ?? '',
        'library/nginx',
        'latest'
      )
    ).toBe(primaryLatest);
    expect(
      await remoteDigest(demo().primary.url, 'team-b/worker', '0.9', a)
    ).toBeUndefined();
    expect(
      await remoteDigest(
        demo().secondary.url,
        'team-b/worker',
        '0.9',
        demo().secondary.auditor
      )
    ).toBeDefined();
  });

  it('lacks users, robots and members on the DR site', async () => {
    const users = async (
      url: string,
      auth: { username: string; password: string }
    ) =>
      (
        (await api(url, 'GET', '/users?page_size=100', { auth })).body as {
          username: string;
        }[]
      ).map((u) => u.username);
    expect(await users(demo().primary.url, demo().primary.auditor)).toEqual(
      expect.arrayContaining(['carol', 'dave'])
    );
    expect(
      await users(demo().secondary.url, demo().secondary.auditor)
    ).not.toContain('carol');
    const robots = (
      await api(
        demo().secondary.url,
        'GET',
        '/robots?q=Level%3Dproject%2CProjectID%3D' +
          String(demo().secondary.harbor.state.projectByName('team-a')?.id),
        { auth: demo().secondary.auditor }
      )
    ).body as unknown[];
    expect(robots).toEqual([]);
  });

  it('has an artifact pushed 15 minutes ago (lab clock) that has not arrived', async () => {
    const a = demo().primary.auditor;
    const art = (
      await api(
        demo().primary.url,
        'GET',
        '/projects/team-a/repositories/api/artifacts/2.1.0',
        { auth: a }
      )
    ).body as { push_time: string };
    const age = demo().clock.now().getTime() - Date.parse(art.push_time);
    expect(age).toBeGreaterThanOrEqual(15 * 60_000);
    expect(
      await remoteDigest(
        demo().secondary.url,
        'team-a/api',
        '2.1.0',
        demo().secondary.auditor
      )
    ).toBeUndefined();
  });
});

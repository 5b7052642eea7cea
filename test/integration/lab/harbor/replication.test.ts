import {
  buildImage,
  buildIndex,
  buildSignature,
  descriptorOf,
  storeImage,
} from '../../../../lab/registry/images';
import {
  startDistributionRegistry,
  type DistributionRegistry,
} from '../../../../lab/registry/distribution';
import { startHarbor, type LabHarbor } from '../../../../lab/harbor/server';
import { api, type Creds } from './helpers/api';
import { remoteDigest, runPolicy } from './helpers/wait';

const ADMIN: Creds = { username: 'admin', password: 'Harbor12345' };

describe('lab Harbor replication into a real Distribution registry and a second lab Harbor', () => {
  let primary: LabHarbor;
  let secondary: LabHarbor;
  let dist: DistributionRegistry;
  let distId: number;
  let harborId: number;
  const nginx = buildIndex({
    seed: 'nginx',
    platforms: [{ arch: 'amd64' }, { arch: 'arm64' }],
  });
  const nginxSig = buildSignature(descriptorOf(nginx), {
    seed: 'nginx-sig',
    kind: 'cosign',
  });
  const redis = buildImage({ seed: 'redis-7' });
  const app = buildImage({ seed: 'team-app' });

  const createPolicy = async (
    body: Record<string, unknown>
  ): Promise<number> => {
    const res = await api(primary.url, 'POST', '/replication/policies', {
      auth: ADMIN,
      body: { enabled: true, src_registry: null, ...body },
    });
    expect(res.status).toBe(201);
    return Number(res.headers.get('location')?.split('/').pop());
  };
  const tasksOf = async (execId: unknown) =>
    (
      await api(
        primary.url,
        'GET',
        `/replication/executions/${String(execId)}/tasks?page_size=100`,
        { auth: ADMIN }
      )
    ).body as {
      id: number;
      status: string;
      operation: string;
      src_resource: string;
      dst_resource: string;
    }[];

  beforeAll(async () => {
    dist = await startDistributionRegistry();
    primary = await startHarbor({ name: 'primary' });
    secondary = await startHarbor({ name: 'secondary' });
    await api(primary.url, 'POST', '/projects', {
      auth: ADMIN,
      body: { project_name: 'team', metadata: { public: 'false' } },
    });
    storeImage(primary.store, 'library/nginx', 'v1', nginx);
    storeImage(primary.store, 'library/nginx', nginxSig.digest, nginxSig);
    storeImage(primary.store, 'library/redis', 'v7', redis);
    storeImage(primary.store, 'library/redis', 'latest', redis);
    storeImage(primary.store, 'team/a/b/app', 'v1', app);
    const d = await api(primary.url, 'POST', '/registries', {
      auth: ADMIN,
      body: {
        name: 'dist',
        type: 'docker-registry',
        url: dist.url,
        insecure: true,
      },
    });
    distId = Number(d.headers.get('location')?.split('/').pop());
    const hb = await api(primary.url, 'POST', '/registries', {
      auth: ADMIN,
      body: {
        name: 'dr',
        type: 'harbor',
        url: secondary.url,
        insecure: true,
        credential: {
          type: 'basic',
          access_key: 'admin',
          access_secret: 'Harbor12345',
        },
      },
    });
    harborId = Number(hb.headers.get('location')?.split('/').pop());
  }, 60_000);

  afterAll(async () => {
    await primary.stop();
    await secondary.stop();
    await dist.stop();
  });

  it('masks registry secrets and pings endpoints', async () => {
    const reg = (
      await api(primary.url, 'GET', `/registries/${harborId}`, { auth: ADMIN })
    ).body as { credential: { access_secret: string } };
    expect(reg.credential.access_secret).toBe('*****');
    expect(
      (
        await api(primary.url, 'POST', '/registries/ping', {
          auth: ADMIN,
          body: { id: distId },
        })
      ).status
    ).toBe(200);
    const bad = await api(primary.url, 'POST', '/registries/ping', {
      auth: ADMIN,
      body: { type: 'docker-registry', url: 'http://127.0.0.1:1' },
    });
    expect(bad.status).toBe(400);
  });

  it('copies matching tags, index children and accessories with namespace flattening', async () => {
    const id = await createPolicy({
      name: 'to-dist',
      dest_registry: { id: distId },
      dest_namespace: 'mirror',
      dest_namespace_replace_count: 1,
      trigger: { type: 'manual' },
      filters: [
        { type: 'name', value: 'library/**' },
        { type: 'tag', value: 'v*' },
      ],
      deletion: false,
      override: true,
    });
    const policy = (
      await api(primary.url, 'GET', `/replication/policies/${id}`, {
        auth: ADMIN,
      })
    ).body as Record<string, unknown>;
    expect(policy.src_registry).toMatchObject({ id: 0, name: 'Local' });
    const exec = await runPolicy(primary, ADMIN, id);
    expect(exec).toMatchObject({
      status: 'Succeed',
      trigger: 'manual',
      total: 2,
      succeed: 2,
      failed: 0,
      in_progress: 0,
    });
    const tasks = await tasksOf(exec.id);
    expect(tasks.map((t) => [t.src_resource, t.dst_resource]).sort()).toEqual([
      [
        'library/nginx [2 item(s) in total]',
        'mirror/nginx [2 item(s) in total]',
      ],
      [
        'library/redis [1 item(s) in total]',
        'mirror/redis [1 item(s) in total]',
      ],
    ]);
    expect(await remoteDigest(dist.url, 'mirror/nginx', 'v1')).toBe(
      nginx.digest
    );
    for (const child of nginx.children ?? [])
      expect(await remoteDigest(dist.url, 'mirror/nginx', child.digest)).toBe(
        child.digest
      );
    expect(await remoteDigest(dist.url, 'mirror/nginx', nginxSig.digest)).toBe(
      nginxSig.digest
    );
    expect(await remoteDigest(dist.url, 'mirror/redis', 'v7')).toBe(
      redis.digest
    );
    expect(
      await remoteDigest(dist.url, 'mirror/redis', 'latest')
    ).toBeUndefined();
    const log = await api(
      primary.url,
      'GET',
      `/replication/executions/${String(exec.id)}/tasks/${tasks[0]?.id ?? 0}/log`,
      { auth: ADMIN }
    );
    expect(log.headers.get('content-type')).toContain('text/plain');
    expect(log.text).toMatch(
      /copying library\/(nginx|redis):\[.*\]\(source registry\) to mirror\/(nginx|redis):\[.*\]\(destination registry\)\.\.\./
    );
  });

  it('fails the whole execution on a flattening error, with no task', async () => {
    const id = await createPolicy({
      name: 'too-deep',
      dest_registry: { id: distId },
      dest_namespace: 'x',
      dest_namespace_replace_count: 2,
      filters: [{ type: 'name', value: '**' }],
    });
    const exec = await runPolicy(primary, ADMIN, id);
    expect(exec).toMatchObject({ status: 'Failed', total: 0 });
    expect(String(exec.status_text)).toContain('flattening level is 2');
  });

  it('creates destination Harbor projects with metadata.public and skips tags on override=false', async () => {
    const id = await createPolicy({
      name: 'to-dr',
      dest_registry: { id: harborId },
      dest_namespace: '',
      filters: [],
      override: false,
      deletion: false,
    });
    const first = await runPolicy(primary, ADMIN, id);
    expect(first).toMatchObject({ status: 'Succeed', total: 3 });
    const team = (
      await api(secondary.url, 'GET', '/projects/team', { auth: ADMIN })
    ).body as { metadata: { public: string } };
    expect(team.metadata.public).toBe('false');
    const lib = await api(
      secondary.url,
      'GET',
      '/projects/library/repositories/nginx/artifacts?with_accessory=true',
      { auth: ADMIN }
    );
    const arts = lib.body as {
      digest: string;
      accessories: { digest: string }[] | null;
    }[];
    expect(arts.map((a) => a.digest)).toEqual([nginx.digest]);
    expect(arts[0]?.accessories?.map((a) => a.digest)).toEqual([
      nginxSig.digest,
    ]);
    const replicated = (
      await api(
        secondary.url,
        'GET',
        '/projects/team/repositories/a%252Fb%252Fapp/artifacts/v1',
        { auth: ADMIN }
      )
    ).body as { digest: string };
    expect(replicated.digest).toBe(app.digest);

    storeImage(
      primary.store,
      'library/redis',
      'latest',
      buildImage({ seed: 'redis-8' })
    );
    const second = await runPolicy(primary, ADMIN, id);
    expect(second).toMatchObject({ status: 'Succeed' });
    expect(
      await remoteDigest(secondary.url, 'library/redis', 'latest', ADMIN)
    ).toBe(redis.digest);
    const tasks = await tasksOf(second.id);
    const redisTask = tasks.find((t) =>
      t.src_resource.startsWith('library/redis')
    );
    const log = await api(
      primary.url,
      'GET',
      `/replication/executions/${String(second.id)}/tasks/${redisTask?.id ?? 0}/log`,
      { auth: ADMIN }
    );
    expect(log.text).toContain(
      'the same name artifact library/redis:latest exists on the destination registry, but the "override" is set to false, skip'
    );
    expect(log.text).toContain(
      'the artifact library/redis:v7 already exists on the destination registry, skip'
    );
  });

  it('replicates pushes and deletions on events, and fails tag deletion on a plain registry', async () => {
    const id = await createPolicy({
      name: 'events',
      dest_registry: { id: distId },
      dest_namespace: 'ev',
      dest_namespace_replace_count: -1,
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'team/**' }],
      deletion: true,
    });
    const v2 = buildImage({ seed: 'team-app-v2' });
    storeImage(primary.store, 'team/a/b/app', 'v2', v2);
    await primary.idle();
    expect(await remoteDigest(dist.url, 'ev/app', 'v2')).toBe(v2.digest);
    const del = await api(
      primary.url,
      'DELETE',
      '/projects/team/repositories/a%252Fb%252Fapp/artifacts/v2',
      { auth: ADMIN }
    );
    expect(del.status).toBe(200);
    await primary.idle();
    expect(await remoteDigest(dist.url, 'ev/app', 'v2')).toBeUndefined();
    const execs = (
      await api(
        primary.url,
        'GET',
        `/replication/executions?policy_id=${id}&trigger=event_based&page_size=100`,
        { auth: ADMIN }
      )
    ).body as { id: number; status: string }[];
    expect(execs).toHaveLength(2);
    const ops = (await Promise.all(execs.map((e) => tasksOf(e.id))))
      .flat()
      .map((t) => t.operation)
      .sort();
    expect(ops).toEqual(['copy', 'deletion']);

    storeImage(primary.store, 'team/a/b/app', 'v3', v2);
    await primary.idle();
    await api(
      primary.url,
      'DELETE',
      `/projects/team/repositories/a%252Fb%252Fapp/artifacts/${v2.digest}/tags/v3`,
      { auth: ADMIN }
    );
    await primary.idle();
    const failed = (
      await api(
        primary.url,
        'GET',
        `/replication/executions?policy_id=${id}&status=Failed`,
        { auth: ADMIN }
      )
    ).body as { id: number }[];
    expect(failed).toHaveLength(1);
    const t = (await tasksOf(failed[0]?.id))[0];
    expect(t?.operation).toBe('tag deletion');
    const log = await api(
      primary.url,
      'GET',
      `/replication/executions/${failed[0]?.id ?? 0}/tasks/${t?.id ?? 0}/log`,
      { auth: ADMIN }
    );
    expect(log.text).toContain("the tag deletion isn't supported");
  });

  it('applies injected task failures and stuck executions, and stops them', async () => {
    const id = await createPolicy({
      name: 'faulty',
      dest_registry: { id: distId },
      dest_namespace: 'f',
      dest_namespace_replace_count: 1,
      filters: [{ type: 'name', value: 'library/*' }],
    });
    primary.faults.add({
      kind: 'replication-fail',
      repository: 'library/redis',
      message: 'failed to copy blob: unexpected EOF',
      count: 1,
    });
    const exec = await runPolicy(primary, ADMIN, id);
    expect(exec).toMatchObject({
      status: 'Failed',
      total: 2,
      failed: 1,
      succeed: 1,
    });

    primary.faults.add({ kind: 'replication-stuck', policy: 'faulty' });
    const started = await api(primary.url, 'POST', '/replication/executions', {
      auth: ADMIN,
      body: { policy_id: id },
    });
    const execUrl = `/replication/executions/${started.headers.get('location')?.split('/').pop() ?? ''}`;
    await primary.idle();
    await new Promise((r) => setTimeout(r, 50));
    expect(
      (
        (await api(primary.url, 'GET', execUrl, { auth: ADMIN })).body as {
          status: string;
        }
      ).status
    ).toBe('InProgress');
    expect(
      (await api(primary.url, 'PUT', execUrl, { auth: ADMIN })).status
    ).toBe(200);
    const stopped = (await api(primary.url, 'GET', execUrl, { auth: ADMIN }))
      .body as { status: string; stopped: number };
    expect(stopped.status).toBe('Stopped');
    expect(stopped.stopped).toBe(2);
  });

  it('skips resources whose destination project is a proxy cache', async () => {
    const up = await api(secondary.url, 'POST', '/registries', {
      auth: ADMIN,
      body: { name: 'upstream', type: 'docker-registry', url: dist.url },
    });
    const upstreamId = Number(up.headers.get('location')?.split('/').pop());
    expect(
      (
        await api(secondary.url, 'POST', '/projects', {
          auth: ADMIN,
          body: {
            project_name: 'cache',
            registry_id: upstreamId,
            metadata: { public: 'true' },
          },
        })
      ).status
    ).toBe(201);
    const id = await createPolicy({
      name: 'into-cache',
      dest_registry: { id: harborId },
      dest_namespace: 'cache',
      dest_namespace_replace_count: -1,
      filters: [{ type: 'name', value: 'library/redis' }],
    });
    const exec = await runPolicy(primary, ADMIN, id);
    expect(exec).toMatchObject({
      status: 'Succeed',
      total: 0,
      status_text: 'no resources need to be replicated',
    });
    expect(
      await remoteDigest(secondary.url, 'cache/redis', 'v7', ADMIN)
    ).toBeUndefined();
  });

  it('skips an overlapping run with single_active_replication and narrows event copies to the pushed tag', async () => {
    const id = await createPolicy({
      name: 'single',
      dest_registry: { id: distId },
      dest_namespace: 's',
      filters: [{ type: 'name', value: 'library/nginx' }],
      single_active_replication: true,
    });
    primary.faults.add({ kind: 'replication-stuck', policy: 'single' });
    const first = await api(primary.url, 'POST', '/replication/executions', {
      auth: ADMIN,
      body: { policy_id: id },
    });
    const second = await runPolicy(primary, ADMIN, id);
    expect(second).toMatchObject({
      status: 'Failed',
      total: 0,
      status_text: 'Execution skipped: active replication still in progress.',
    });
    await api(
      primary.url,
      'PUT',
      `/replication/executions/${first.headers.get('location')?.split('/').pop() ?? ''}`,
      { auth: ADMIN }
    );

    const ev = await createPolicy({
      name: 'ev-tags',
      dest_registry: { id: distId },
      dest_namespace: 'evt',
      trigger: { type: 'event_based' },
      filters: [
        { type: 'name', value: 'library/redis' },
        { type: 'tag', value: 'rc-*' },
      ],
    });
    const rc = buildImage({ seed: 'redis-rc' });
    storeImage(primary.store, 'library/redis', 'rc-1', rc);
    storeImage(primary.store, 'library/redis', 'nightly', rc);
    await primary.idle();
    expect(await remoteDigest(dist.url, 'evt/redis', 'rc-1')).toBe(rc.digest);
    expect(
      await remoteDigest(dist.url, 'evt/redis', 'nightly')
    ).toBeUndefined();
    const execs = (
      await api(primary.url, 'GET', `/replication/executions?policy_id=${ev}`, {
        auth: ADMIN,
      })
    ).body as { trigger: string }[];
    expect(execs.map((e) => e.trigger)).toEqual(['event_based']);
  });

  it('reads only `deletion` on create and resets omitted fields on PUT', async () => {
    const id = await createPolicy({
      name: 'flags',
      dest_registry: { id: distId },
      replicate_deletion: true,
      filters: [],
    });
    const p = (
      await api(primary.url, 'GET', `/replication/policies/${id}`, {
        auth: ADMIN,
      })
    ).body as Record<string, unknown>;
    expect(p).toMatchObject({
      deletion: false,
      replicate_deletion: false,
      dest_namespace_replace_count: -1,
      enabled: true,
    });
    expect(
      (
        await api(primary.url, 'PUT', `/replication/policies/${id}`, {
          auth: ADMIN,
          body: {
            name: 'flags',
            dest_registry: { id: distId },
            deletion: true,
          },
        })
      ).status
    ).toBe(200);
    const q = (
      await api(primary.url, 'GET', `/replication/policies/${id}`, {
        auth: ADMIN,
      })
    ).body as Record<string, unknown>;
    expect(q).toMatchObject({
      deletion: true,
      replicate_deletion: true,
      enabled: false,
    });
    expect(
      (
        await api(primary.url, 'POST', '/replication/executions', {
          auth: ADMIN,
          body: { policy_id: id },
        })
      ).status
    ).toBe(412);
  });
});

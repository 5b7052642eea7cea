import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  buildImage,
  buildIndex,
  writeOciLayout,
} from '../../../../lab/registry/images';
import { startHarbor, type LabHarbor } from '../../../../lab/harbor/server';
import { api, type Creds } from './helpers/api';

const run = promisify(execFile);
const SKOPEO = '/usr/bin/skopeo';
const ADMIN: Creds = { username: 'admin', password: 'Harbor12345' };
const GUEST: Creds = { username: 'guest', password: 'Guest12345' };

async function skopeo(
  args: string[]
): Promise<{ stdout: string; stderr: string }> {
  return run(SKOPEO, ['--insecure-policy', ...args], { timeout: 60_000 });
}

function jwtPayload(token: string): {
  access: { name: string; actions: string[] }[];
} {
  return JSON.parse(
    Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')
  ) as { access: { name: string; actions: string[] }[] };
}

describe('lab Harbor /v2 with Harbor token auth, driven by real skopeo', () => {
  let h: LabHarbor;
  let dir: string;
  let host: string;
  const single = buildImage({ seed: 'skopeo-single' });
  const multi = buildIndex({
    seed: 'skopeo-multi',
    platforms: [{ arch: 'amd64' }, { arch: 'arm64' }],
  });

  beforeAll(async () => {
    if (!existsSync(SKOPEO))
      throw new Error(
        `skopeo is required at ${SKOPEO}: apt-get install -y skopeo`
      );
    h = await startHarbor({ name: 'v2' });
    host = h.url.replace('http://', '');
    dir = mkdtempSync(join(tmpdir(), 'lab-harbor-v2-'));
    writeOciLayout(dir, [
      { ref: 'single', image: single },
      { ref: 'multi', image: multi },
    ]);
    await api(h.url, 'POST', '/users', {
      auth: ADMIN,
      body: { username: 'guest', password: GUEST.password },
    });
    await api(h.url, 'POST', '/projects', {
      auth: ADMIN,
      body: { project_name: 'private', metadata: { public: 'false' } },
    });
    await api(h.url, 'POST', '/projects/private/members', {
      auth: ADMIN,
      body: { role_id: 3, member_user: { username: 'guest' } },
    });
  });

  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("challenges with Harbor's Bearer realm and issues scoped tokens", async () => {
    const ping = await fetch(`${h.url}/v2/`);
    expect(ping.status).toBe(401);
    expect(ping.headers.get('www-authenticate')).toBe(
      `Bearer realm="${h.url}/service/token",service="harbor-registry"`
    );
    const manifest = await fetch(`${h.url}/v2/private/app/manifests/v1`);
    expect(manifest.headers.get('www-authenticate')).toBe(
      `Bearer realm="${h.url}/service/token",service="harbor-registry",scope="repository:private/app:pull"`
    );
    const auth = `Basic ${Buffer.from(`${GUEST.username}:${GUEST.password}`).toString('base64')}`;
    const tok = await fetch(
      `${h.url}/service/token?service=harbor-registry&scope=repository:private/app:pull,push`,
      { headers: { Authorization: auth } }
    );
    const body = (await tok.json()) as { token: string };
    expect(jwtPayload(body.token).access).toEqual([
      { type: 'repository', name: 'private/app', actions: ['pull'] },
    ]);
    const anon = (await (
      await fetch(
        `${h.url}/service/token?service=harbor-registry&scope=repository:private/app:pull`
      )
    ).json()) as { token: string };
    expect(jwtPayload(anon.token).access[0]?.actions).toEqual([]);
    const bad = await fetch(
      `${h.url}/service/token?scope=repository:private/app:pull`,
      {
        headers: {
          Authorization:
            'Basic ' + Buffer.from('guest:wrong').toString('base64'),
        },
      }
    );
    expect(bad.status).toBe(401);
    const catalog = await fetch(`${h.url}/v2/_catalog`);
    expect(catalog.headers.get('www-authenticate')).toBe(
      'Basic realm="harbor"'
    );
  });

  it('accepts pushes (single, multi-arch, docker) from skopeo and records artifacts', async () => {
    const creds = `${ADMIN.username}:${ADMIN.password}`;
    await skopeo([
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds,
      `oci:${dir}:single`,
      `docker://${host}/private/app:v1`,
    ]);
    await skopeo([
      'copy',
      '--all',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds,
      `oci:${dir}:multi`,
      `docker://${host}/library/multi:1.0`,
    ]);
    // --format v2s2: skopeo converts to a Docker schema2 manifest on the way.
    await skopeo([
      'copy',
      '--format',
      'v2s2',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds,
      `oci:${dir}:single`,
      `docker://${host}/private/nested/dock:d1`,
    ]);
    const app = await api(
      h.url,
      'GET',
      '/projects/private/repositories/app/artifacts/v1',
      { auth: ADMIN }
    );
    expect((app.body as { digest: string }).digest).toBe(single.digest);
    const m = await api(
      h.url,
      'GET',
      '/projects/library/repositories/multi/artifacts?with_tag=true',
      { auth: ADMIN }
    );
    const arts = m.body as {
      digest: string;
      manifest_media_type: string;
      references: { child_digest: string }[];
    }[];
    expect(arts).toHaveLength(1);
    expect(arts[0]?.digest).toBe(multi.digest);
    expect(arts[0]?.references.map((r) => r.child_digest).sort()).toEqual(
      (multi.children ?? []).map((c) => c.digest).sort()
    );
    const d = await api(
      h.url,
      'GET',
      '/projects/private/repositories/nested%252Fdock/artifacts/d1',
      { auth: ADMIN }
    );
    expect(
      (d.body as { manifest_media_type: string }).manifest_media_type
    ).toBe('application/vnd.docker.distribution.manifest.v2+json');
  });

  it('lets skopeo inspect with credentials, anonymously only public projects', async () => {
    const raw = await skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      `${GUEST.username}:${GUEST.password}`,
      `docker://${host}/private/app:v1`,
    ]);
    expect(raw.stdout).toBe(single.manifest.toString('utf8'));
    // A pull sets pull_time on the artifact and the tag, and counts on the repository.
    const pulled = (
      await api(
        h.url,
        'GET',
        '/projects/private/repositories/app/artifacts/v1',
        { auth: ADMIN }
      )
    ).body as { pull_time: string; tags: { pull_time: string }[] };
    expect(pulled.pull_time).not.toMatch(/^0001-/);
    expect(pulled.tags[0]?.pull_time).not.toMatch(/^0001-/);
    const repo = (
      await api(h.url, 'GET', '/projects/private/repositories/app', {
        auth: ADMIN,
      })
    ).body as { pull_count: number };
    expect(repo.pull_count).toBeGreaterThan(0);
    const pub = await skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${host}/library/multi:1.0`,
    ]);
    expect(pub.stdout).toBe(multi.manifest.toString('utf8'));
    await expect(
      skopeo([
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${host}/private/app:v1`,
      ])
    ).rejects.toThrow();
  });

  it('refuses a push from a guest and accepts Basic directly on /v2', async () => {
    await expect(
      skopeo([
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        `${GUEST.username}:${GUEST.password}`,
        `oci:${dir}:single`,
        `docker://${host}/private/app:v2`,
      ])
    ).rejects.toThrow();
    const basic = await fetch(`${h.url}/v2/private/app/manifests/v1`, {
      method: 'HEAD',
      headers: {
        Authorization: `Basic ${Buffer.from(`${GUEST.username}:${GUEST.password}`).toString('base64')}`,
        Accept: 'application/vnd.oci.image.manifest.v1+json',
      },
    });
    expect(basic.status).toBe(200);
    expect(basic.headers.get('docker-content-digest')).toBe(single.digest);
  });

  it('deletes by digest through skopeo and the artifact disappears from the API', async () => {
    const art = await api(
      h.url,
      'GET',
      '/projects/private/repositories/nested%252Fdock/artifacts/d1',
      { auth: ADMIN }
    );
    const { digest } = art.body as { digest: string };
    await skopeo([
      'delete',
      '--tls-verify=false',
      '--creds',
      `${ADMIN.username}:${ADMIN.password}`,
      `docker://${host}/private/nested/dock@${digest}`,
    ]);
    const gone = await api(
      h.url,
      'GET',
      '/projects/private/repositories/nested%252Fdock/artifacts',
      { auth: ADMIN }
    );
    expect(gone.body).toEqual([]);
  });
});

import {
  startLab,
  type Lab,
  type LabHarborEndpoint,
} from '../../../../lab/index';
import type { ScenarioInput } from '../../../../lab/scenarios/schema';
import { api } from './helpers/api';
import { remoteDigest } from './helpers/wait';

// Two Harbors with the same content and policies: 2.10.1 links doublestar v1.1.1, 2.12.0 v1.3.4
// (harbor-semantics, correction at the top).
const harbor = (
  name: string,
  harborVersion: string
): ScenarioInput['harbors'][number] => ({
  name,
  harborVersion,
  registries: [{ name: 'mirror', target: `${name}-plain` }],
  projects: [
    {
      name: 'library',
      repositories: [
        { name: 'nginx', images: [{ tags: ['a1', 'b1'] }] },
        { name: 'redis', images: [{ tags: ['v1'], seed: 'redis' }] },
      ],
    },
    {
      name: 'team',
      repositories: [
        { name: 'redis', images: [{ tags: ['v1'], seed: 'team' }] },
      ],
    },
  ],
  policies: [
    {
      name: 'braces',
      destRegistry: 'mirror',
      filters: [{ type: 'name', value: '{library/nginx,team/redis}' }],
    },
    {
      name: 'bang',
      destRegistry: 'mirror',
      destNamespace: 'bang',
      filters: [
        { type: 'name', value: 'library/nginx' },
        { type: 'tag', value: '[!a]*' },
      ],
    },
    {
      name: 'tail-unreached',
      destRegistry: 'mirror',
      destNamespace: 'tail',
      filters: [{ type: 'name', value: '{library/redis,zoo/[}' }],
    },
    {
      name: 'tail-reached',
      destRegistry: 'mirror',
      destNamespace: 'tailbad',
      filters: [{ type: 'name', value: '{library/redis,team/[}' }],
    },
    {
      name: 'regex',
      destRegistry: 'mirror',
      destNamespace: 'regex',
      filters: [{ type: 'name', value: 'regex:^library/' }],
    },
  ],
});

const policies = ['braces', 'bang', 'tail-unreached', 'tail-reached', 'regex'];
const scenario: ScenarioInput = {
  name: 'harbor-version',
  harbors: [harbor('old', 'v2.10.1'), harbor('new', 'v2.12.0')],
  registries: [
    { name: 'old-plain', kind: 'memory' },
    { name: 'new-plain', kind: 'memory' },
  ],
  actions: ['old', 'new'].flatMap((h) =>
    policies.map((policy) => ({
      type: 'run-policy' as const,
      harbor: h,
      policy,
    }))
  ),
};

describe('the lab matches filters as the Harbor release of its scenario', () => {
  let lab: Lab | undefined;
  const the = (): Lab => {
    if (!lab) throw new Error('lab did not start');
    return lab;
  };
  const endpoint = (name: string): LabHarborEndpoint => {
    const h = the().harbors.find((x) => x.name === name);
    if (!h) throw new Error(`no harbor ${name}`);
    return h;
  };
  const plainUrl = (name: string): string =>
    the().registries.find((r) => r.name === `${name}-plain`)?.url ?? '';
  const execution = async (harborName: string, policy: string) => {
    const h = endpoint(harborName);
    const p = [...h.harbor.state.policies.values()].find(
      (x) => x.name === policy
    );
    const res = await api(
      h.url,
      'GET',
      `/replication/executions?policy_id=${String(p?.id)}`,
      { auth: h.admin }
    );
    const list = res.body as { status: string; status_text: string }[];
    expect(list).toHaveLength(1);
    return list[0] ?? { status: '', status_text: '' };
  };
  const copied = async (harborName: string, repo: string, tag: string) =>
    (await remoteDigest(plainUrl(harborName), repo, tag)) !== undefined;

  beforeAll(async () => {
    lab = await startLab(scenario);
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('reports the release as systeminfo harbor_version, the newest by default', async () => {
    for (const [name, version] of [
      ['old', 'v2.10.1'],
      ['new', 'v2.12.0'],
    ] as const) {
      const h = endpoint(name);
      const info = (await api(h.url, 'GET', '/systeminfo', { auth: h.admin }))
        .body as { harbor_version?: string };
      expect(info.harbor_version).toBe(version);
    }
    const fresh = await startLab({ harbors: [{ name: 'plain' }] });
    try {
      const info = (
        await api(fresh.primary.url, 'GET', '/systeminfo', {
          auth: fresh.primary.admin,
        })
      ).body as { harbor_version?: string };
      expect(info.harbor_version).toBe('v2.15.2');
    } finally {
      await fresh.stop();
    }
  });

  it('fails the whole execution on a `/` inside braces in 2.10.1 (doublestar v1.1.1)', async () => {
    const e = await execution('old', 'braces');
    expect(e.status).toBe('Failed');
    expect(e.status_text).toMatch(/syntax error in pattern/);
    expect(await copied('old', 'library/nginx', 'a1')).toBe(false);
  });

  it('copies the alternatives across components in 2.12 (doublestar v1.3.4)', async () => {
    expect((await execution('new', 'braces')).status).toBe('Succeed');
    expect(await copied('new', 'library/nginx', 'a1')).toBe(true);
    expect(await copied('new', 'team/redis', 'v1')).toBe(true);
    expect(await copied('new', 'library/redis', 'v1')).toBe(false);
  });

  it.each(['old', 'new'])(
    'takes `!` literally in a class on %s: [!a]* keeps a1, not b1',
    async (name) => {
      expect((await execution(name, 'bang')).status).toBe('Succeed');
      expect(await copied(name, 'bang/nginx', 'a1')).toBe(true);
      expect(await copied(name, 'bang/nginx', 'b1')).toBe(false);
    }
  );

  it('fails only when matching reaches the bad part of a pattern (2.12)', async () => {
    expect((await execution('new', 'tail-unreached')).status).toBe('Succeed');
    expect(await copied('new', 'tail/redis', 'v1')).toBe(true);
    const bad = await execution('new', 'tail-reached');
    expect(bad.status).toBe('Failed');
    expect(bad.status_text).toMatch(/syntax error in pattern/);
    expect(await copied('new', 'tailbad/redis', 'v1')).toBe(false);
  });

  it.each(['old', 'new'])(
    'has no regex: prefix on %s: the filter is a literal glob and copies nothing',
    async (name) => {
      expect((await execution(name, 'regex')).status).toBe('Succeed');
      expect(await copied(name, 'regex/nginx', 'a1')).toBe(false);
      expect(await copied(name, 'regex/redis', 'v1')).toBe(false);
    }
  );
});

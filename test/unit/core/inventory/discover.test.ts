import { selectPolicies } from '../../../../lambdas/core/inventory/discover';
import { endpoint, policy } from '../../../helpers/policy-fixture';

const targets = [
  {
    name: 'cluster1',
    url: 'https://registry.cluster1.example.com',
    kind: 'distribution' as const,
  },
  { name: 'dr', url: 'https://harbor-dr.example.com', kind: 'harbor' as const },
];
const primaryUrl = 'https://harbor.example.com';

describe('selectPolicies', () => {
  it('auto: takes enabled push policies whose destination is a target, however the URL is spelt', () => {
    const primaryPolicies = [
      policy({
        id: 1,
        name: 'a',
        destRegistry: endpoint({
          url: 'https://REGISTRY.cluster1.example.com:443/',
        }),
      }),
      policy({
        id: 2,
        name: 'elsewhere',
        destRegistry: endpoint({ url: 'https://other.example.com' }),
      }),
      policy({
        id: 3,
        name: 'pull-into-primary',
        srcRegistry: endpoint(),
        destRegistry: null,
      }),
      policy({ id: 4, name: 'off', enabled: false }),
    ];

    const selection = selectPolicies({
      primaryUrl,
      targets,
      selector: 'auto',
      primaryPolicies,
      targetPolicies: new Map(),
    });

    expect(
      selection.assignments.map((a) => [a.policy.name, a.target, a.mode])
    ).toEqual([['a', 'cluster1', 'push']]);
    expect(selection.warnings).toEqual([
      'policy "off" (push to cluster1) is disabled: not audited',
    ]);
    expect(selection.errors).toEqual([]);
  });

  it('auto: takes pull policies on a Harbor target whose source is the primary', () => {
    const drPolicies = [
      policy({
        id: 7,
        name: 'pull-from-primary',
        srcRegistry: endpoint({
          type: 'harbor',
          url: 'https://harbor.example.com/',
        }),
        destRegistry: null,
      }),
      policy({
        id: 8,
        name: 'pull-from-dockerhub',
        srcRegistry: endpoint({
          type: 'docker-hub',
          url: 'https://hub.docker.com',
        }),
        destRegistry: null,
      }),
    ];

    const selection = selectPolicies({
      primaryUrl,
      targets,
      selector: 'auto',
      primaryPolicies: [],
      targetPolicies: new Map([['dr', drPolicies]]),
    });

    expect(selection.assignments).toEqual([
      expect.objectContaining({
        target: 'dr',
        mode: 'pull',
        destinationType: 'harbor',
        policy: drPolicies[0],
      }),
    ]);
  });

  it('names: takes exactly the named policies, disabled ones with a warning, and names what is absent', () => {
    const primaryPolicies = [
      policy({ id: 1, name: 'a' }),
      policy({ id: 2, name: 'b', enabled: false }),
      policy({ id: 3, name: 'c' }),
      policy({
        id: 4,
        name: 'elsewhere',
        destRegistry: endpoint({ url: 'https://other.example.com' }),
      }),
    ];

    const selection = selectPolicies({
      primaryUrl,
      targets,
      selector: ['b', 'a', 'ghost', 'elsewhere'],
      primaryPolicies,
      targetPolicies: new Map(),
    });

    expect(selection.assignments.map((a) => a.policy.name)).toEqual(['b', 'a']);
    expect(selection.warnings).toEqual([
      'policy "b" is disabled: its replicas on cluster1 are not being maintained',
    ]);
    expect(selection.errors).toEqual([
      'policy "ghost" was not found on the primary or on a Harbor target',
      'policy "elsewhere" does not replicate to any configured target',
    ]);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type * as FsModule from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pool from '../../../lambdas/adapters/http/pool';
import { Credentials } from '../../../lambdas/adapters/secrets/credentials';
import type { CredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import { composeClients } from '../../../lambdas/compose/clients';
import { TARGET_DRIVERS } from '../../../lambdas/compose/drivers';
import { ConfigError } from '../../../lambdas/core/errors';
import { parseConfig } from '../../../lambdas/shared/config';

// Counts file reads (CA bundles); node:fs itself cannot be spied on.
jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof FsModule>('node:fs');
  return { ...actual, readFileSync: jest.fn(actual.readFileSync) };
});

const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-compose-'));
const caBundle = join(dir, 'ca.pem');
writeFileSync(
  caBundle,
  '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n'
);

const config = parseConfig(
  {
    primary: {
      name: 'primary',
      url: 'https://harbor.example.com',
      credentials: { file: '/secrets/PRIMARY.json' },
      operatorCredentials: { file: '/secrets/OPERATOR.json' },
      caBundle,
    },
    targets: [
      {
        name: 'dr',
        url: 'https://dr.example.com',
        kind: 'harbor',
        credentials: { file: '/secrets/DR.json' },
        caBundle,
      },
      {
        name: 'edge',
        url: 'http://edge.example.com:5000',
        kind: 'distribution',
        credentials: { file: '/secrets/EDGE.json' },
      },
    ],
  },
  'test'
);

function countingResolver(): CredentialsResolver & { owners: string[] } {
  const owners: string[] = [];
  const resolve = (_ref: unknown, owner: string) => {
    owners.push(owner);
    return Promise.resolve(new Credentials(owner, 'secret'));
  };
  return Object.assign(resolve, { owners });
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('composeClients', () => {
  it('reaches each registry once: one pool, one CA bundle read, credentials resolved once', async () => {
    // Arrange
    const pools = jest.spyOn(pool, 'createHttpClient');
    const reads = jest.mocked(readFileSync);
    reads.mockClear();
    const resolver = countingResolver();

    // Act
    const clients = await composeClients(config, resolver);
    await clients.close();

    // Assert
    expect(pools.mock.calls.map(([o]) => o.service)).toEqual([
      'primary',
      'dr',
      'edge',
    ]);
    expect(reads.mock.calls.filter(([p]) => p === caBundle)).toHaveLength(2);
    expect(resolver.owners).toEqual([
      'primary',
      'primary (operator)',
      'dr',
      'edge',
    ]);
  });

  it("gives each target its driver's traits and clients, for the audit and readiness alike", async () => {
    const clients = await composeClients(config, countingResolver());
    await clients.close();

    const [dr, edge] = clients.targets;
    expect(dr?.traits).toBe(TARGET_DRIVERS.harbor.traits);
    expect(dr?.harbor).toBeDefined();
    expect(dr?.metadata).toBeDefined();
    expect(dr?.registry).toBeUndefined();
    expect(dr?.probeTls).toBeDefined();
    expect(edge?.traits).toBe(TARGET_DRIVERS.distribution.traits);
    expect(edge?.harbor).toBeUndefined();
    expect(edge?.metadata).toBeUndefined();
    expect(edge?.registry).toBeDefined();
    // Plain http: no certificate to probe.
    expect(edge?.probeTls).toBeUndefined();
    // Pull policies live on Harbor targets only.
    expect([...clients.replication.targets.keys()]).toEqual(['dr']);
  });

  it('builds only the targets asked for, and refuses unknown names', async () => {
    const clients = await composeClients(config, countingResolver(), {
      onlyTargets: ['edge'],
    });
    await clients.close();

    expect(clients.targets.map((t) => t.name)).toEqual(['edge']);
    await expect(
      composeClients(config, countingResolver(), { onlyTargets: ['nope'] })
    ).rejects.toThrow(ConfigError);
  });

  it('names the registry whose CA bundle cannot be read', async () => {
    const broken = {
      ...config,
      targets: [{ ...config.targets[0]!, caBundle: join(dir, 'missing.pem') }],
    };

    await expect(composeClients(broken, countingResolver())).rejects.toThrow(
      /dr.*caBundle: cannot read/s
    );
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type * as FsModule from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pool from '../../../lambdas/adapters/http/pool';
import { Credentials } from '../../../lambdas/adapters/secrets/credentials';
import type { CredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import { composeClients } from '../../../lambdas/compose/clients';
import { TARGET_DRIVERS } from '../../../lambdas/compose/drivers';
import { AuthError, ConfigError } from '../../../lambdas/core/errors';
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
    // The operator credential only when a start or stop is sent.
    expect(resolver.owners).toEqual(['primary', 'dr', 'edge']);
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

  it("gives the certificate probe the run's deadline: past it, nothing is dialled", async () => {
    const clients = await composeClients(config, countingResolver(), {
      signal: AbortSignal.abort(),
    });
    await clients.close();

    await expect(clients.targets[0]?.probeTls?.()).rejects.toThrow(
      'TLS handshake with dr.example.com given up: the run reached its deadline'
    );
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

  it('takes a CA bundle given inline as PEM without reading a file (the deployed config)', async () => {
    const pools = jest.spyOn(pool, 'createHttpClient');
    const pem = readFileSync(caBundle, 'utf8');
    const reads = jest.mocked(readFileSync);
    reads.mockClear();
    const inline = {
      ...config,
      targets: [{ ...config.targets[0]!, caBundle: pem }],
    };

    const clients = await composeClients(inline, countingResolver(), {
      onlyTargets: ['dr'],
    });
    await clients.close();

    expect(
      pools.mock.calls.find(([o]) => o.service === 'dr')?.[0]
    ).toHaveProperty('caBundle', pem);
    expect(reads.mock.calls.filter(([p]) => p === pem)).toHaveLength(0);
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

  it('makes a target whose credential cannot be read unavailable, with the reason, and sends it nothing', async () => {
    const pools = jest.spyOn(pool, 'createHttpClient');
    const resolver: CredentialsResolver = (_ref, owner) =>
      owner === 'dr'
        ? Promise.reject(
            new ConfigError('secret harbor-dr/dr', [
              '(root): is not a JSON object with "username" and "password" strings',
            ])
          )
        : Promise.resolve(new Credentials(owner, 'secret'));

    const clients = await composeClients(config, resolver);
    await clients.close();

    const [dr, edge] = clients.targets;
    expect(dr?.unavailable).toBe(
      'its credentials could not be read: invalid configuration (secret harbor-dr/dr): (root): is not a JSON object with "username" and "password" strings'
    );
    expect(edge?.unavailable).toBeUndefined();
    // No pool, no request: every call fails with the reason, never anonymously.
    expect(pools.mock.calls.map(([o]) => o.service)).toEqual([
      'primary',
      'edge',
    ]);
    const err = await dr?.harbor?.whoAmI().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain('harbor-dr/dr');
  });

  it('resolves the operator credential at the first start, once, and answers permission-denied when it cannot be read', async () => {
    const owners: string[] = [];
    const resolver: CredentialsResolver = (_ref, owner) => {
      owners.push(owner);
      return owner.endsWith('(operator)')
        ? Promise.reject(
            new AuthError(
              owner,
              'cannot read secret "harbor-dr/operator" from Secrets Manager (AccessDeniedException)'
            )
          )
        : Promise.resolve(new Credentials(owner, 'secret'));
    };

    const clients = await composeClients(config, resolver);
    const before = [...owners];
    const start = await clients.replication.primary.control.startExecution(7);
    const stop = await clients.replication.primary.control.stopExecution(9);
    await clients.close();

    expect(before).not.toContain('primary (operator)');
    expect(owners.filter((o) => o === 'primary (operator)')).toHaveLength(1);
    for (const answer of [start, stop]) {
      expect(answer).toEqual({
        outcome: 'permission-denied',
        detail: expect.stringMatching(
          /^not sent: the operator credential could not be read: .*harbor-dr\/operator.*AccessDeniedException/
        ) as string,
      });
    }
  });
});

import * as pool from '../../../lambdas/adapters/http/pool';
import { Credentials } from '../../../lambdas/adapters/secrets/credentials';
import { composeClients } from '../../../lambdas/compose/clients';
import { TARGET_DRIVERS } from '../../../lambdas/compose/drivers';
import {
  ADAPTIVE_DEFAULT_MAX,
  concurrencyOf,
} from '../../../lambdas/compose/endpoints';
import { ConfigError } from '../../../lambdas/core/errors';
import { parseConfig } from '../../../lambdas/shared/config';

const raw = (extra: {
  primary?: Record<string, unknown>;
  dr?: Record<string, unknown>;
  edge?: Record<string, unknown>;
}) => ({
  primary: {
    name: 'primary',
    url: 'http://harbor.example.com',
    ...extra.primary,
  },
  targets: [
    {
      name: 'dr',
      url: 'http://dr.example.com',
      kind: 'harbor',
      ...extra.dr,
    },
    {
      name: 'edge',
      url: 'http://edge.example.com',
      kind: 'distribution',
      ...extra.edge,
    },
  ],
});

const anonymous = (): Promise<Credentials> =>
  Promise.resolve(new Credentials('u', 'p'));

afterEach(() => {
  jest.restoreAllMocks();
});

describe('per-registry concurrency', () => {
  it("is the run's concurrency unless the registry sets its own cap", () => {
    expect(concurrencyOf({}, 8)).toEqual({ max: 8, adaptive: false });
    expect(concurrencyOf({ maxConcurrency: 3 }, 8)).toEqual({
      max: 3,
      adaptive: false,
    });
    expect(concurrencyOf({ maxConcurrency: 64 }, 8)).toEqual({
      max: 64,
      adaptive: false,
    });
  });

  it('adaptive: up to 32 by default (or the run’s concurrency if higher), else the cap', () => {
    expect(concurrencyOf({ adaptiveConcurrency: true }, 8)).toEqual({
      max: ADAPTIVE_DEFAULT_MAX,
      adaptive: true,
    });
    expect(concurrencyOf({ adaptiveConcurrency: true }, 100).max).toBe(100);
    expect(
      concurrencyOf({ adaptiveConcurrency: true, maxConcurrency: 12 }, 8)
    ).toEqual({ max: 12, adaptive: true });
  });

  it('sizes each registry’s pool and the target’s fan-out from its own settings', async () => {
    const pools = jest.spyOn(pool, 'createHttpClient');
    const harborBuild = jest.spyOn(TARGET_DRIVERS.harbor, 'build');
    const distributionBuild = jest.spyOn(TARGET_DRIVERS.distribution, 'build');
    const config = parseConfig(
      raw({
        primary: { maxConcurrency: 4 },
        dr: { adaptiveConcurrency: true },
        edge: { maxConcurrency: 16 },
      }),
      'c.yaml'
    );

    const clients = await composeClients(config, anonymous, {
      concurrency: 8,
    });
    await clients.close();

    const options = new Map(pools.mock.calls.map(([o]) => [o.service, o]));
    expect(options.get('primary')?.connections).toBe(4);
    expect(options.get('primary')?.adaptive).toBeUndefined();
    expect(options.get('dr')?.connections).toBe(32);
    expect(options.get('dr')?.adaptive).toEqual({ max: 32 });
    expect(options.get('edge')?.connections).toBe(16);
    expect(options.get('edge')?.adaptive).toBeUndefined();
    expect(harborBuild.mock.calls[0]?.[1]).toBe(32);
    expect(distributionBuild.mock.calls[0]?.[1]).toBe(16);
  });

  it('validates the fields, naming them', () => {
    expect(() =>
      parseConfig(raw({ edge: { maxConcurrency: 0 } }), 'c.yaml')
    ).toThrow(/targets\[1\]\.maxConcurrency/);
    expect(() =>
      parseConfig(raw({ primary: { maxConcurrency: 257 } }), 'c.yaml')
    ).toThrow(/primary\.maxConcurrency/);
    expect(() =>
      parseConfig(raw({ dr: { adaptiveConcurrency: 'yes' } }), 'c.yaml')
    ).toThrow(ConfigError);
  });
});

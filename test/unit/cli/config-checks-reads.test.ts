import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type * as FsModule from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfigOffline } from '../../../lambdas/cli/config-checks';
import { loadConfigFile } from '../../../lambdas/shared/config-file';

// Counts file reads; node:fs itself cannot be spied on.
jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof FsModule>('node:fs');
  return { ...actual, readFileSync: jest.fn(actual.readFileSync) };
});

describe('checkConfigOffline', () => {
  it('reads the config file once, and returns it with paths beside the file as the loader does', () => {
    // Arrange: a valid config with a relative credentials file and CA bundle.
    const dir = mkdtempSync(join(tmpdir(), 'harbor-dr-offline-'));
    writeFileSync(
      join(dir, 'primary.json'),
      JSON.stringify({ username: 'u', password: 'p' })
    );
    writeFileSync(
      join(dir, 'ca.pem'),
      '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n'
    );
    const path = join(dir, 'harbor-dr.yaml');
    writeFileSync(
      path,
      [
        'primary:',
        '  name: primary',
        '  url: https://harbor.example.com',
        '  credentials: { file: ./primary.json }',
        '  caBundle: ca.pem',
        'targets:',
        '  - { name: dr, url: "https://dr.example.com", kind: distribution }',
        '',
      ].join('\n')
    );
    const reads = jest.mocked(readFileSync);
    reads.mockClear();

    // Act
    const checked = checkConfigOffline(path, { env: {} });

    // Assert
    expect(checked.problems).toEqual([]);
    expect(reads.mock.calls.filter(([p]) => p === path)).toHaveLength(1);
    expect(checked.config).toEqual(loadConfigFile(path));
    expect(checked.config?.primary).toMatchObject({
      credentials: { file: join(dir, 'primary.json') },
      caBundle: join(dir, 'ca.pem'),
    });
  });
});

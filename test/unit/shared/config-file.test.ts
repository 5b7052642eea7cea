import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../../lambdas/shared/config-file';

// Relative paths of a config file are read beside it, whatever the working directory: the
// run reads the same files validate-config checked.
describe('loadConfigFile: relative paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-file-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves the credential, operator credential and CA bundle files beside the config; inline PEM stays text', () => {
    const pem =
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const path = join(dir, 'harbor-dr.yaml');
    writeFileSync(
      path,
      [
        'primary:',
        '  name: primary',
        '  url: https://harbor.internal.test',
        '  credentials: { file: secrets/primary.json }',
        '  operatorCredentials: { file: secrets/operator.json }',
        '  caBundle: ca.pem',
        'targets:',
        '  - name: dr',
        '    url: https://dr.internal.test',
        '    kind: distribution',
        `    caBundle: ${JSON.stringify(pem)}`,
      ].join('\n')
    );

    const config = loadConfigFile(path);

    expect(config.primary.credentials).toEqual({
      file: join(dir, 'secrets/primary.json'),
    });
    expect(config.primary.operatorCredentials).toEqual({
      file: join(dir, 'secrets/operator.json'),
    });
    expect(config.primary.caBundle).toBe(join(dir, 'ca.pem'));
    expect(config.targets[0]?.caBundle).toBe(pem);
  });
});

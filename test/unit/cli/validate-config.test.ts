import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { runCli } from '../../../lambdas/cli/program';
import { configJsonSchema } from '../../../lambdas/cli/config-schema';
import { EXIT } from '../../../lambdas/cli/exit-codes';
import type { CliIo } from '../../../lambdas/cli/io';

function bufferIo(
  env: Record<string, string | undefined> = {}
): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    env,
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'harbor-dr-validate-'));
}

/** A config whose credentials are a file beside it and two environment variables. */
function writeConfig(dir: string, extraPrimary = ''): string {
  const path = join(dir, 'harbor-dr.yaml');
  writeFileSync(
    path,
    `primary:
  name: harbor-primary
  url: https://harbor.example.com
  credentials: { env: { username: HDR_TEST_USER, password: HDR_TEST_PASSWORD } }
${extraPrimary}targets:
  - name: cluster1
    url: https://cluster1.example.com
    kind: distribution
    credentials: { file: ./secrets/cluster1.json }
  - name: dr-site
    url: https://dr.example.com
    kind: harbor
`
  );
  return path;
}

describe('harbor-dr validate-config', () => {
  it('reports a missing credentials file, an unset variable, a misspelled field and a misspelled target at once, with suggestions', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, '  verifyTsl: false\n');
    const io = bufferIo({ HDR_TEST_USER: 'auditor' }); // the password variable is unset

    const code = await runCli(
      ['validate-config', '-c', config, '--target', 'cluster-1'],
      io,
      '1'
    );

    expect(code).toBe(EXIT.USAGE);
    expect(io.stdout).toBe('');
    const err = io.stderr;
    expect(err).toContain(
      'primary: unknown field "verifyTsl" (did you mean "verifyTls"? valid fields: name, url, credentials, operatorCredentials, verifyTls, caBundle, maxConcurrency, adaptiveConcurrency, doublestar)'
    );
    expect(err).toContain(
      '--target "cluster-1": is not a configured target (did you mean "cluster1"? configured targets: cluster1, dr-site)'
    );
    expect(err).toContain(
      'primary.credentials.env.password: environment variable HDR_TEST_PASSWORD is not set'
    );
    expect(err).not.toContain('HDR_TEST_USER is not set');
    expect(err).toContain(
      `targets[0].credentials.file: ${join(dir, 'secrets', 'cluster1.json')} does not exist`
    );
  });

  it('reports the same problems as JSON on stdout under --json', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, '  verifyTsl: false\n');
    const io = bufferIo({});

    const code = await runCli(
      ['validate-config', '-c', config, '-t', 'dr-sit', '--json'],
      io,
      '1'
    );

    expect(code).toBe(EXIT.USAGE);
    const out = JSON.parse(io.stdout) as {
      valid: boolean;
      problems: { field: string; message: string }[];
    };
    expect(out.valid).toBe(false);
    expect(out.problems.map((p) => p.field)).toEqual([
      'primary',
      '--target "dr-sit"',
      'primary.credentials.env.username',
      'primary.credentials.env.password',
      'targets[0].credentials.file',
    ]);
    expect(out.problems[1]?.message).toContain('did you mean "dr-site"?');
  });

  it('passes when the variables are set and the file holds username and password; never prints them', async () => {
    const dir = tempDir();
    const config = writeConfig(dir);
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(
      join(dir, 'secrets', 'cluster1.json'),
      '{"username":"u","password":"file-secret-value"}'
    );
    const io = bufferIo({
      HDR_TEST_USER: 'auditor',
      HDR_TEST_PASSWORD: 'env-secret-value',
    });

    const code = await runCli(['validate-config', '-c', config], io, '1');

    expect(io.stderr).toBe('');
    expect(code).toBe(EXIT.OK);
    expect(io.stdout).toContain(`${config}: valid`);
    expect(io.stdout + io.stderr).not.toMatch(/secret-value/);
  });

  it('accepts a caBundle given inline as PEM text (not a file path), and still reports a missing bundle file', async () => {
    const dir = tempDir();
    const pem =
      '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUinline\n-----END CERTIFICATE-----\n';
    const inline = writeConfig(
      dir,
      `  caBundle: |\n${pem
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`
    );
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(
      join(dir, 'secrets', 'cluster1.json'),
      '{"username":"u","password":"p"}'
    );
    const env = { HDR_TEST_USER: 'auditor', HDR_TEST_PASSWORD: 'pw' };
    const io = bufferIo(env);

    const code = await runCli(['validate-config', '-c', inline], io, '1');

    expect(io.stderr).toBe('');
    expect(code).toBe(EXIT.OK);
    expect(io.stdout).toContain(`${inline}: valid`);

    const missing = writeConfig(dir, '  caBundle: ./no-such-ca.pem\n');
    const io2 = bufferIo(env);
    const code2 = await runCli(['validate-config', '-c', missing], io2, '1');
    expect(code2).not.toBe(EXIT.OK);
    expect(io2.stdout + io2.stderr).toMatch(
      /primary\.caBundle: .*no-such-ca\.pem/
    );
  });

  it('says a credentials file that is not {"username","password"} is malformed, without quoting it', async () => {
    const dir = tempDir();
    const config = writeConfig(dir);
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'cluster1.json'), 'hunter2-not-json');
    const io = bufferIo({ HDR_TEST_USER: 'a', HDR_TEST_PASSWORD: 'b' });

    const code = await runCli(['validate-config', '-c', config], io, '1');

    expect(code).toBe(EXIT.USAGE);
    expect(io.stderr).toContain(
      'is not a JSON object with "username" and "password" strings (not valid JSON)'
    );
    expect(io.stderr).not.toContain('hunter2');
  });

  it('says a credentials file that is JSON of another shape is malformed, without quoting it', async () => {
    const dir = tempDir();
    const config = writeConfig(dir);
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(
      join(dir, 'secrets', 'cluster1.json'),
      '{"username":"hunter2-user","password":""}'
    );
    const io = bufferIo({ HDR_TEST_USER: 'a', HDR_TEST_PASSWORD: 'b' });

    const code = await runCli(['validate-config', '-c', config], io, '1');

    expect(code).toBe(EXIT.USAGE);
    expect(io.stderr).toMatch(
      /cluster1\.json is not a JSON object with "username" and "password" strings\n/
    );
    expect(io.stderr).not.toContain('hunter2');
  });

  it('prints only the line that says valid under --quiet', async () => {
    const io = bufferIo();

    const code = await runCli(
      ['validate-config', '-c', 'examples/minimal.json', '--quiet'],
      io,
      '1'
    );

    expect(code).toBe(EXIT.OK);
    expect(io.stdout).toBe('examples/minimal.json: valid\n');
  });

  it('reads the file named by HARBOR_DR_CONFIG when --config is not given', async () => {
    const io = bufferIo({ HARBOR_DR_CONFIG: 'examples/minimal.json' });

    const code = await runCli(['validate-config'], io, '1');

    expect(code).toBe(EXIT.OK);
    expect(io.stdout).toContain('examples/minimal.json: valid');
  });

  it('exits USAGE naming --config and HARBOR_DR_CONFIG when neither is given, as JSON under --json', async () => {
    const text = bufferIo({});
    const json = bufferIo({});

    expect(await runCli(['validate-config'], text, '1')).toBe(EXIT.USAGE);
    expect(await runCli(['plan', '--json'], json, '1')).toBe(EXIT.USAGE);

    expect(text.stderr).toContain(
      '--config: is required (or set HARBOR_DR_CONFIG to the file)'
    );
    const out = JSON.parse(json.stdout) as {
      valid: boolean;
      error: string;
      problems: { field: string }[];
    };
    expect(out).toMatchObject({
      valid: false,
      error: 'CONFIG',
      problems: [{ field: '--config' }],
    });
  });

  it.each([['plan'], ['audit'], ['readiness']])(
    '%s --target with a misspelled name exits USAGE before any request, suggesting the configured one',
    async (command) => {
      const io = bufferIo({});

      const code = await runCli(
        [
          command,
          '-c',
          'examples/harbor-dr.yaml',
          '--target',
          'cluster1-registy',
        ],
        io,
        '1'
      );

      expect(code).toBe(EXIT.USAGE);
      expect(io.stderr).toContain(
        '--target "cluster1-registy": is not a configured target (did you mean "cluster1-registry"? configured targets: harbor-dr-site, cluster1-registry'
      );
    }
  );

  it('prints a config error as JSON on stdout when a command runs with --json', async () => {
    const dir = tempDir();
    const path = join(dir, 'c.yaml');
    writeFileSync(
      path,
      'primary: { name: p, url: "https://h.example.com" }\ntargets: [{ name: a, url: "https://a.example.com", kind: harbour }]\n'
    );
    const io = bufferIo({});

    const code = await runCli(['audit', '-c', path, '--json'], io, '1');

    expect(code).toBe(EXIT.USAGE);
    expect(io.stderr).toBe('');
    const out = JSON.parse(io.stdout) as {
      problems: { field: string; message: string }[];
    };
    expect(out.problems).toEqual([
      {
        field: 'targets[0].kind',
        message: 'must be "harbor" or "distribution" (did you mean "harbor"?)',
      },
    ]);
  });
});

describe('the configuration JSON Schema', () => {
  const committed = JSON.parse(
    readFileSync('schema/harbor-dr.schema.json', 'utf8')
  ) as unknown;

  it('is the one generated from the zod schema (regenerate: npx harbor-dr config-schema > schema/harbor-dr.schema.json)', () => {
    expect(committed).toEqual(configJsonSchema());
  });

  it('is what `harbor-dr config-schema` prints', async () => {
    const io = bufferIo();

    expect(await runCli(['config-schema'], io, '1')).toBe(EXIT.OK);
    expect(JSON.parse(io.stdout)).toEqual(committed);
  });

  const yamlExamples = readdirSync('examples').filter((f) =>
    f.endsWith('.yaml')
  );

  it.each(yamlExamples)(
    'examples/%s points editors at it and is valid against it',
    (file) => {
      const text = readFileSync(join('examples', file), 'utf8');
      expect(text.split('\n')[0]).toBe(
        '# yaml-language-server: $schema=../schema/harbor-dr.schema.json'
      );
      const validate = new Ajv({ allErrors: true }).compile(
        committed as object
      );
      expect(validate(parse(text))).toBe(true);
      expect(validate.errors ?? []).toEqual([]);
    }
  );

  it('rejects a misspelled field, as validate-config does', () => {
    const validate = new Ajv().compile(committed as object);
    expect(
      validate({
        primary: { name: 'p', url: 'https://h.example.com', verifyTsl: true },
        targets: [
          { name: 'a', url: 'https://a.example.com', kind: 'distribution' },
        ],
      })
    ).toBe(false);
  });
});

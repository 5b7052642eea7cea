import { inspect } from 'node:util';
import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  Credentials,
  createCredentialsResolver,
} from '../../../lambdas/adapters/secrets/credentials';
import { AuthError, ConfigError } from '../../../lambdas/core/errors';

describe('Credentials', () => {
  it('never prints the password', () => {
    const c = new Credentials('admin', 'Harbor12345');

    for (const text of [
      JSON.stringify(c),
      inspect(c),
      String(c),
      JSON.stringify({ c }),
      inspect({ nested: c }),
    ]) {
      expect(text).not.toContain('Harbor12345');
    }
    expect(c.password).toBe('Harbor12345');
  });
});

describe('createCredentialsResolver', () => {
  it('reads env variables and names a missing one, never a value', async () => {
    const resolve = createCredentialsResolver({
      env: { H_USER: 'admin', H_PASS: 'pw-value' },
    });

    const ok = await resolve(
      { env: { username: 'H_USER', password: 'H_PASS' } },
      'harbor-primary'
    );
    const err = await resolve(
      { env: { username: 'H_USER', password: 'NOPE' } },
      'harbor-primary'
    ).catch((e: unknown) => e);

    expect(ok.username).toBe('admin');
    expect(ok.password).toBe('pw-value');
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'environment variable NOPE: is not set',
    ]);
  });

  it('validates a JSON file and names the file and field', async () => {
    const files: Record<string, string> = {
      '/c/good.json': '{"username":"u","password":"p-secret"}',
      '/c/bad.json': '{"username":"u","password":42}',
      '/c/broken.json': '{"username":',
    };
    const resolve = createCredentialsResolver({
      readFile: (p) =>
        p in files
          ? Promise.resolve(files[p] ?? '')
          : Promise.reject(Object.assign(new Error('x'), { code: 'ENOENT' })),
    });

    await expect(resolve({ file: '/c/good.json' }, 't')).resolves.toMatchObject(
      { username: 'u' }
    );
    const bad = await resolve({ file: '/c/bad.json' }, 't').catch(
      (e: unknown) => e
    );
    expect((bad as Error).message).toContain('file /c/bad.json');
    expect((bad as ConfigError).problems).toEqual([
      'password: must be a non-empty string',
    ]);
    await expect(resolve({ file: '/c/broken.json' }, 't')).rejects.toThrow(
      /not valid JSON/
    );
    await expect(resolve({ file: '/c/none.json' }, 't')).rejects.toThrow(
      /file \/c\/none.json: cannot be read \(ENOENT\)/
    );
  });

  it('reads a Secrets Manager secret once per cold start', async () => {
    const calls: string[] = [];
    const resolve = createCredentialsResolver({
      secretsManager: {
        send: (cmd: unknown) => {
          calls.push((cmd as GetSecretValueCommand).input.SecretId ?? '');
          return Promise.resolve({
            SecretString: '{"username":"robot$dr","password":"s3"}',
          });
        },
      },
    });

    const a = await resolve(
      { secretId: 'harbor-dr/primary' },
      'harbor-primary'
    );
    const b = await resolve(
      { secretId: 'harbor-dr/primary' },
      'harbor-primary'
    );

    expect(a.username).toBe('robot$dr');
    expect(b).toBe(a);
    expect(calls).toEqual(['harbor-dr/primary']);
  });

  it('turns a refused secret into AuthError naming the secret id, and does not cache the failure', async () => {
    let attempt = 0;
    const resolve = createCredentialsResolver({
      secretsManager: {
        send: () => {
          attempt++;
          return attempt === 1
            ? Promise.reject(
                Object.assign(new Error('denied'), {
                  name: 'AccessDeniedException',
                })
              )
            : Promise.resolve({
                SecretString: '{"username":"u","password":"p"}',
              });
        },
      },
    });

    const err = await resolve({ secretId: 'harbor-dr/x' }, 'cluster1').catch(
      (e: unknown) => e
    );

    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain('harbor-dr/x');
    expect((err as Error).message).toContain('AccessDeniedException');
    await expect(
      resolve({ secretId: 'harbor-dr/x' }, 'cluster1')
    ).resolves.toMatchObject({ username: 'u' });
  });

  it.each([
    ['not JSON', 'Zx9-not-json-secret'],
    ['a bare JSON string', JSON.stringify('Zx9-bare-string-secret')],
    ['truncated JSON', '{"username":"u","password":"Zx9-truncated'],
    ['a JSON array', '["Zx9-array-secret"]'],
  ])(
    'says what is wrong with a malformed secret (%s) by shape, never quoting it',
    async (_case, text) => {
      const resolve = createCredentialsResolver({
        secretsManager: {
          send: () => Promise.resolve({ SecretString: text }),
        },
      });

      const err = await resolve({ secretId: 'harbor-dr/p' }, 'primary').catch(
        (e: unknown) => e
      );

      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        expect.stringMatching(
          /^\(root\): is not a JSON object with "username" and "password" strings/
        ),
      ]);
      expect((err as Error).message).toContain('secret harbor-dr/p');
      // Nothing of the text anywhere: message, cause chain, inspection, serialization.
      const seen: string[] = [];
      for (let e: unknown = err; e !== undefined; e = (e as Error).cause) {
        seen.push(inspect(e, { depth: 5 }), JSON.stringify(e));
      }
      expect(seen.join('\n')).not.toContain('Zx9');
    }
  );
});

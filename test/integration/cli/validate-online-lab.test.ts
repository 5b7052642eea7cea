import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startDemoLab, type Lab } from '../../../lab/index';
import { runCli } from '../../../lambdas/cli/program';
import { EXIT } from '../../../lambdas/cli/exit-codes';
import type { CliIo } from '../../../lambdas/cli/io';
import { checkConfigOnline } from '../../../lambdas/cli/config-checks-online';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { startDockerRegistry } from '../../helpers/docker-registry';

// `validate-config --online` against the demo lab: a good config passes; a config with a
// wrong password, a target URL that is no registry endpoint of the primary and an endpoint
// that does not answer reports all three at once, each naming its field.
jest.setTimeout(60_000);

const WRONG_PASSWORD = 'Wr0ng-Passw0rd-never-printed';

let lab: Lab;
let dir: string;
let goodConfig: string;

interface ConfigDoc {
  primary: Record<string, unknown>;
  targets: Record<string, unknown>[];
}

beforeAll(async () => {
  lab = await startDemoLab();
  dir = mkdtempSync(join(tmpdir(), 'harbor-dr-validate-online-'));
  goodConfig = lab.writeConfig(dir).configPath;
});

afterAll(async () => {
  await lab.stop();
});

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

/** The lab's config, changed by `edit`, written beside it. */
function variant(name: string, edit: (doc: ConfigDoc) => void): string {
  const doc = parse(readFileSync(goodConfig, 'utf8')) as ConfigDoc;
  edit(doc);
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, stringify(doc));
  return path;
}

function target(doc: ConfigDoc, name: string): Record<string, unknown> {
  const t = doc.targets.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name}`);
  return t;
}

describe('harbor-dr validate-config --online', () => {
  it('passes the lab config, naming each endpoint, who its credentials are and the policies that use it', async () => {
    const io = bufferIo();

    const code = await runCli(
      ['validate-config', '-c', goodConfig, '--online'],
      io,
      '1'
    );

    expect(io.stderr).toBe('');
    expect(code).toBe(EXIT.OK);
    expect(io.stdout).toContain(`${goodConfig}: valid (online checks passed)`);
    expect(io.stdout).toContain(
      'online   harbor-primary: Harbor v2.10.1-b7b88476; authenticated as user harbor-dr-auditor (sysadmin); 3 registry endpoints, 4 replication policies'
    );
    expect(io.stdout).toContain(
      'online   harbor-dr: Harbor v2.10.1-b7b88476; authenticated as user harbor-dr-auditor (sysadmin); registry endpoint "dr-site" (id 1); policies to-dr (push)'
    );
    expect(io.stdout).toMatch(
      /online {3}cluster-1: authenticated as anonymous \(GET \/v2\/ answered 200 without credentials\); registry endpoint "cluster-1" \(id 2\); policies to-cluster-1 \(push\), edge-to-cluster-1 \(push\)/
    );
  });

  it('reports a wrong password, a target URL the primary does not know and an unreachable endpoint at once, by field', async () => {
    const wrong = join(dir, 'wrong.json');
    writeFileSync(
      wrong,
      JSON.stringify({
        username: 'harbor-dr-auditor',
        password: WRONG_PASSWORD,
      })
    );
    const cluster2 = lab.registries.find((r) => r.name === 'cluster-2');
    if (!cluster2) throw new Error('no cluster-2 in the demo lab');
    const config = variant('three-problems', (doc) => {
      target(doc, 'harbor-dr').credentials = { file: wrong };
      // The same registry, spelt as the primary's endpoint does not spell it.
      target(doc, 'cluster-2').url = cluster2.url.replace(
        '127.0.0.1',
        'localhost'
      );
      doc.targets.push({
        name: 'gone',
        url: 'http://127.0.0.1:9',
        kind: 'distribution',
        verifyTls: false,
      });
    });
    const io = bufferIo();

    const code = await runCli(
      ['validate-config', '-c', config, '--online', '--json'],
      io,
      '1'
    );

    expect(io.stderr).toBe('');
    expect(code).toBe(EXIT.USAGE);
    const out = JSON.parse(io.stdout) as {
      valid: boolean;
      problems: { field: string; message: string }[];
      endpoints: { name: string; reachable: boolean | null }[];
    };
    expect(out.valid).toBe(false);
    expect(out.problems).toEqual([
      {
        field: 'targets[0].credentials',
        message:
          'rejected: Harbor treats them as anonymous (GET /api/v2.0/users/current answered 401)',
      },
      {
        field: 'targets[2].url',
        message: expect.stringContaining(
          `is not the URL of any registry endpoint of the primary, and no policy pulls from the primary to it: nothing would be audited (did you mean ${cluster2.url}, the endpoint "cluster-2"?`
        ) as string,
      },
      {
        field: 'targets[3].url',
        message: expect.stringMatching(
          /^unreachable: gone GET \/v2\/: .*ECONNREFUSED/
        ) as string,
      },
      {
        field: 'targets[3].url',
        message: expect.stringContaining(
          'http://127.0.0.1:9 is not the URL of any registry endpoint of the primary'
        ) as string,
      },
    ]);
    expect(out.endpoints.map((e) => [e.name, e.reachable])).toEqual([
      ['harbor-primary', true],
      ['harbor-dr', true],
      ['cluster-1', true],
      ['cluster-2', true],
      ['gone', false],
    ]);
    expect(io.stdout).not.toContain(WRONG_PASSWORD);
  });

  it('says a Harbor target whose policies cannot be read (403) is its credentials problem, and does not conclude it pulls nothing', async () => {
    const dr = lab.secondary;
    if (!dr) throw new Error('no DR Harbor in the demo lab');
    // The primary's endpoint "dr-site" spells it 127.0.0.1: only a pull policy could cover it.
    const config = variant('dr-policies-forbidden', (doc) => {
      target(doc, 'harbor-dr').url = dr.url.replace('127.0.0.1', 'localhost');
    });
    dr.harbor.faults.add({
      kind: 'status',
      method: 'GET',
      path: '^/api/v2\\.0/replication/policies',
      status: 403,
      message: 'robot may not list policies',
      count: -1,
    });
    try {
      const io = bufferIo();

      const code = await runCli(
        ['validate-config', '-c', config, '--online', '--json'],
        io,
        '1'
      );

      expect(io.stderr).toBe('');
      expect(code).toBe(EXIT.USAGE);
      const out = JSON.parse(io.stdout) as {
        problems: { field: string; message: string }[];
      };
      expect(out.problems).toEqual([
        {
          field: 'targets[0].credentials',
          message: expect.stringMatching(
            /^cannot read GET \/api\/v2\.0\/replication\/policies: .*403/
          ) as string,
        },
      ]);
    } finally {
      dr.harbor.faults.clear();
    }
  });

  describe('the operator credential', () => {
    /** A resolver whose Secrets Manager holds the operator credential (the lab's admin). */
    function operatorResolver() {
      return createCredentialsResolver({
        secretsManager: {
          send: () =>
            Promise.resolve({
              SecretString: JSON.stringify(lab.primary.admin),
            }),
        },
      });
    }

    it('cannot be checked when the primary answers but GET /users/current fails: said, not dropped', async () => {
      const config = loadConfigFile(
        variant('operator-forbidden', (doc) => {
          doc.primary.operatorCredentials = { secretId: 'harbor-dr/operator' };
        })
      );
      lab.primary.harbor.faults.add({
        kind: 'status',
        method: 'GET',
        path: '^/api/v2\\.0/users/current',
        status: 403,
        count: -1,
      });
      let check;
      try {
        check = await checkConfigOnline(config, {
          resolveCredentials: operatorResolver(),
        });
      } finally {
        lab.primary.harbor.faults.clear();
      }

      expect(check.endpoints[0]?.reachable).toBe(true);
      expect(check.problems).toEqual([
        expect.stringMatching(
          /^primary\.credentials: cannot be checked: .*\/users\/current.*403/
        ) as string,
        expect.stringMatching(
          /^primary\.operatorCredentials: cannot be checked: .*\/users\/current.*403/
        ) as string,
      ]);
      expect(check.problems.join('\n')).not.toContain(
        lab.primary.admin.password
      );
    });

    it('is not said again when the primary is unreachable: its own probe says why', async () => {
      const config = loadConfigFile(
        variant('operator-primary-gone', (doc) => {
          doc.primary.url = 'http://127.0.0.1:9';
          doc.primary.operatorCredentials = { secretId: 'harbor-dr/operator' };
        })
      );

      const check = await checkConfigOnline(config, {
        resolveCredentials: operatorResolver(),
      });

      const primaryLines = check.problems.filter((l) =>
        l.startsWith('primary')
      );
      expect(primaryLines).toEqual([
        expect.stringMatching(
          /^primary\.url: unreachable: .*ECONNREFUSED.*\(GET \/api\/v2\.0\/systeminfo\)$/
        ) as string,
      ]);
    });
  });

  it('says an unreadable credential once (offline), and still probes everything else', async () => {
    const config = variant('unset-variable', (doc) => {
      doc.primary.credentials = {
        env: { username: 'HDR_ONLINE_USER', password: 'HDR_ONLINE_PASSWORD' },
      };
      target(doc, 'harbor-dr').credentials = {
        file: join(dir, 'no-such.json'),
      };
      target(doc, 'cluster-1').url = 'http://127.0.0.1:9';
    });
    const io = bufferIo({ HDR_ONLINE_USER: 'harbor-dr-auditor' });

    const code = await runCli(
      ['validate-config', '-c', config, '--online'],
      io,
      '1'
    );

    expect(code).toBe(EXIT.USAGE);
    const lines = io.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines).toEqual([
      '  - primary.credentials.env.password: environment variable HDR_ONLINE_PASSWORD is not set',
      `  - targets[0].credentials.file: ${join(dir, 'no-such.json')} does not exist`,
      expect.stringMatching(
        /^ {2}- targets\[1\]\.url: unreachable: cluster-1 GET \/v2\/: .*ECONNREFUSED/
      ) as string,
    ]);
  });

  it('reads Secrets Manager secrets and checks the operator credential; a plain registry that rejects the password is its credentials problem', async () => {
    // A real docker-registry that wants Basic auth, given the wrong password.
    const registry = await startDockerRegistry({
      basicAuth: { username: 'puller', password: 'right-password' },
    });
    try {
      const wrong = join(dir, 'puller.json');
      writeFileSync(
        wrong,
        JSON.stringify({ username: 'puller', password: WRONG_PASSWORD })
      );
      const config = loadConfigFile(
        variant('secrets', (doc) => {
          doc.primary.operatorCredentials = { secretId: 'harbor-dr/operator' };
          target(doc, 'cluster-2').url = registry.url;
          target(doc, 'cluster-2').credentials = { file: wrong };
        })
      );
      const asked: string[] = [];
      const resolveCredentials = createCredentialsResolver({
        secretsManager: {
          send: (command: { input: { SecretId?: string } }) => {
            asked.push(command.input.SecretId ?? '');
            const err = new Error('Secrets Manager cannot find the secret');
            err.name = 'ResourceNotFoundException';
            return Promise.reject(err);
          },
        },
      });

      const check = await checkConfigOnline(config, { resolveCredentials });

      expect(asked).toEqual(['harbor-dr/operator']);
      expect(check.problems).toEqual([
        'primary.operatorCredentials: cannot be read: harbor-primary (operator): cannot read secret "harbor-dr/operator" from Secrets Manager (ResourceNotFoundException)',
        expect.stringMatching(
          /^targets\[2\]\.credentials: rejected: .*401/
        ) as string,
        expect.stringContaining(
          `targets[2].url: ${registry.url} is not the URL of any registry endpoint of the primary`
        ) as string,
      ]);
      expect(check.problems.join('\n')).not.toContain(WRONG_PASSWORD);
    } finally {
      await registry.stop();
    }
  });
});

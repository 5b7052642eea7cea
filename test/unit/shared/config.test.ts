import { inspect } from 'node:util';
import { ConfigError } from '../../../lambdas/core/errors';
import { parseConfig } from '../../../lambdas/shared/config';
import { parseConfigText } from '../../../lambdas/shared/config-file';

const valid = () => ({
  primary: { name: 'harbor-primary', url: 'https://harbor.example.com/' },
  targets: [
    {
      name: 'cluster1',
      url: 'https://registry.cluster1.example.com',
      kind: 'distribution',
    },
    {
      name: 'dr',
      url: 'https://harbor-dr.example.com',
      kind: 'harbor',
      credentials: { secretId: 'harbor-dr/dr' },
    },
  ],
});

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseConfig(raw, 'test.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    // Act
    const config = parseConfig(valid(), 'test.yaml');

    // Assert
    expect(config.primary.url).toBe('https://harbor.example.com');
    expect(config.primary.verifyTls).toBe(true);
    expect(config.policies).toBe('auto');
    expect(config.rpoObjectiveMinutes).toBe(60);
    expect(config.retrigger).toEqual({
      enabled: false,
      dryRun: false,
      maxPerRun: 5,
      cooldownMinutes: 60,
      verify: false,
      stuckAfterMinutes: 180,
    });
    expect(config.retrigger.stopStuckAfterMinutes).toBeUndefined();
    expect(config.retrigger.lookbackHours).toBeUndefined();
    expect(config.primary.operatorCredentials).toBeUndefined();
    expect(config.notify).toEqual({ on: 'change', format: 'text' });
  });

  it.each<[string, (c: Record<string, unknown>) => void, string]>([
    [
      'a bad URL scheme',
      (c) => {
        (c.targets as Record<string, unknown>[])[1]!.url =
          'ftp://x.example.com';
      },
      'targets[1].url: must be an https or http URL',
    ],
    [
      'an unknown kind',
      (c) => {
        (c.targets as Record<string, unknown>[])[0]!.kind = 'ecr';
      },
      'targets[0].kind: must be "harbor" or "distribution"',
    ],
    [
      'a missing primary',
      (c) => {
        delete c.primary;
      },
      'primary: is required',
    ],
    [
      'a misspelt field',
      (c) => {
        (c.primary as Record<string, unknown>).verifyTLS = false;
      },
      'primary: unknown field "verifyTLS" (did you mean "verifyTls"? valid fields: name, url, credentials, operatorCredentials, verifyTls, caBundle, maxConcurrency, adaptiveConcurrency, doublestar)',
    ],
    [
      'two credential sources',
      (c) => {
        (c.targets as Record<string, unknown>[])[1]!.credentials = {
          secretId: 'a',
          file: 'b.json',
        };
      },
      'targets[1].credentials: must name exactly one of secretId, env or file (found secretId, file)',
    ],
    [
      'an invalid env var name',
      (c) => {
        (c.primary as Record<string, unknown>).credentials = {
          env: { username: 'HARBOR USER', password: 'P' },
        };
      },
      'primary.credentials.env.username: must be an environment variable name',
    ],
    [
      'duplicate target names',
      (c) => {
        (c.targets as Record<string, unknown>[])[1]!.name = 'cluster1';
      },
      'targets[1].name: duplicates targets[0].name "cluster1"',
    ],
    [
      'a target that is the primary',
      (c) => {
        (c.targets as Record<string, unknown>[])[0]!.url =
          'https://HARBOR.example.com';
      },
      'targets[0].url: is the primary itself',
    ],
    [
      'two spellings of one target URL',
      (c) => {
        (c.targets as Record<string, unknown>[])[1]!.url =
          'HTTPS://Registry.Cluster1.example.com:443/';
      },
      'targets[1].url: duplicates targets[0].url (both are https://registry.cluster1.example.com)',
    ],
    [
      'the primary spelt with its default port',
      (c) => {
        (c.targets as Record<string, unknown>[])[0]!.url =
          'https://harbor.example.com:443';
      },
      'targets[0].url: is the primary itself',
    ],
    [
      'an empty policy list',
      (c) => {
        c.policies = [];
      },
      'policies: must list at least one policy name',
    ],
    [
      'a policy selector of the wrong type',
      (c) => {
        c.policies = 3;
      },
      'policies: must be "auto" or a list of replication policy names',
    ],
    [
      'a fractional objective',
      (c) => {
        c.rpoObjectiveMinutes = 1.5;
      },
      'rpoObjectiveMinutes: must be a whole number',
    ],
    [
      'a bad verification mode',
      (c) => {
        (c.targets as Record<string, unknown>[])[1]!.verify = {
          manifests: 'some',
        };
      },
      'targets[1].verify.manifests: must be "none", "sample" or "all"',
    ],
    [
      'a bad notify mode',
      (c) => {
        c.notify = { on: 'sometimes' };
      },
      'notify.on: must be "always", "change" or "problem"',
    ],
    [
      'a bad notify format',
      (c) => {
        c.notify = { format: 'slack' };
      },
      'notify.format: must be "text" or "chat"',
    ],
  ])('names the field for %s', (_label, mutate, expected) => {
    // Arrange
    const raw = valid() as unknown as Record<string, unknown>;
    mutate(raw);

    // Act
    const problems = problemsOf(raw);

    // Assert
    expect(problems).toContain(expected);
  });

  it('reports every problem at once, not only the first', () => {
    const problems = problemsOf({
      primary: { name: '-bad', url: 'nope' },
      targets: [{ name: 'ok', url: 'https://r.example.com' }],
    });

    expect(problems).toEqual([
      'primary.name: must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
      'primary.url: must be an https or http URL',
      'targets[0].kind: is required',
    ]);
  });

  it('never echoes a value it rejected', () => {
    const raw = valid() as unknown as Record<string, unknown>;
    (raw.primary as Record<string, unknown>).credentials = {
      secretId: 's3cr3t-value-that-was-misplaced',
      password: 'hunter2',
    };

    const message = problemsOf(raw).join('\n');

    expect(message).toContain('primary.credentials: unknown field "password"');
    expect(message).not.toContain('hunter2');
  });
});

describe('parseConfig: a URL with credentials', () => {
  it.each([
    ['primary', 'https://admin:Hunter2-url-secret@harbor.example.com'],
    ['targets[0]', 'https://robot:Hunter2-url-secret@registry.example.com'],
    ['targets[0]', 'https://Hunter2-url-secret@registry.example.com'],
  ])('is refused in %s, naming the field, never echoing it', (where, url) => {
    const c = valid() as Record<string, unknown>;
    if (where === 'primary') (c.primary as Record<string, unknown>).url = url;
    else (c.targets as Record<string, unknown>[])[0]!.url = url;

    const err = (() => {
      try {
        parseConfig(c, 'test.yaml');
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      `${where}.url: must not carry credentials (user:password@); give them in \`credentials\``,
    ]);
    expect(inspect(err, { depth: 10 })).not.toContain('Hunter2');
  });
});

describe('parseConfigText', () => {
  it('reads YAML and JSON alike', () => {
    const yaml = `primary: { name: p, url: "http://127.0.0.1:8080" }\ntargets:\n  - { name: t, url: "http://127.0.0.1:5000", kind: distribution }\n`;
    const json = JSON.stringify(valid());

    expect(parseConfigText(yaml, 'a.yaml').targets[0]?.kind).toBe(
      'distribution'
    );
    expect(parseConfigText(json, 'a.json').targets).toHaveLength(2);
  });

  it('names the line of a syntax error', () => {
    const text = 'primary:\n  name: p\n  url: [unclosed\n';

    expect(() => parseConfigText(text, 'broken.yaml')).toThrow(
      /line \d+, column \d+/
    );
  });

  it('refuses a YAML alias bomb as a config error, naming the problem', () => {
    const names = 'abcdefghij';
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < names.length; i++) {
      const alias = `*${names[i - 1]!}`;
      lines.push(
        `${names[i]!}: &${names[i]!} [${Array.from({ length: 9 }, () => alias).join(', ')}]`
      );
    }

    const err = (() => {
      try {
        parseConfigText(lines.join('\n'), 'bomb.yaml');
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      expect.stringMatching(
        /^\(root\): expands YAML aliases more than 100 times/
      ),
    ]);
  });

  it('rejects duplicate keys, which YAML would otherwise silently collapse', () => {
    const text =
      'primary: { name: a, url: "https://a.example.com" }\nprimary: { name: b, url: "https://b.example.com" }\ntargets: []\n';

    expect(() => parseConfigText(text, 'dup.yaml')).toThrow(ConfigError);
  });
});

describe('parseConfig: the deployment section', () => {
  it('defaults to a nightly 02:00 UTC audit and an on-demand readiness', () => {
    // Act
    const { deployment } = parseConfig(valid(), 'test.yaml');

    // Assert
    expect(deployment).toEqual({
      audit: {
        schedule: { expression: 'cron(0 2 * * ? *)', timeZone: 'UTC' },
        memoryMiB: 1024,
        timeoutSeconds: 900,
      },
      mode: 'single',
      distributed: {
        maxConcurrency: 5,
        maxRefsPerShard: 20_000,
        timeoutMinutes: 120,
        memoryMiB: 1024,
        timeoutSeconds: 900,
      },
      readiness: { memoryMiB: 1024, timeoutSeconds: 300 },
      reportRetentionDays: 400,
      logRetentionDays: 90,
      logLevel: 'INFO',
    });
  });

  it('refuses a deployment mode other than single or distributed, naming the field', () => {
    expect(() =>
      parseConfig({ ...valid(), deployment: { mode: 'auto' } }, 'test.yaml')
    ).toThrow(/deployment\.mode: must be single or distributed/);
  });

  it('accepts a full deployment section', () => {
    // Arrange
    const raw = {
      ...valid(),
      deployment: {
        audit: {
          schedule: {
            expression: 'cron(30 1 * * ? *)',
            timeZone: 'Europe/Paris',
          },
          memoryMiB: 2048,
          timeoutSeconds: 600,
        },
        readiness: { schedule: { expression: 'rate(6 hours)' } },
        reportRetentionDays: 90,
        logRetentionDays: 30,
        logLevel: 'DEBUG',
        vpc: {
          subnetIds: ['subnet-0123456789abcdef0'],
          securityGroupIds: ['sg-0123abcd'],
        },
        topicKmsKeyArn:
          'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
    };

    // Act
    const { deployment } = parseConfig(raw, 'test.yaml');

    // Assert
    expect(deployment.audit.schedule.timeZone).toBe('Europe/Paris');
    expect(deployment.readiness.schedule).toEqual({
      expression: 'rate(6 hours)',
      timeZone: 'UTC',
    });
    expect(deployment.readiness.timeoutSeconds).toBe(300);
    expect(deployment.vpc?.subnetIds).toEqual(['subnet-0123456789abcdef0']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a five-field cron',
      { audit: { schedule: { expression: 'cron(0 2 * * *)' } } },
      'deployment.audit.schedule.expression: must be "cron(minutes hours day-of-month month day-of-week year)" or "rate(n unit)"',
    ],
    [
      'an unknown time zone',
      {
        audit: {
          schedule: { expression: 'cron(0 2 * * ? *)', timeZone: 'Mars/Base' },
        },
      },
      'deployment.audit.schedule.timeZone: must be an IANA time zone such as "UTC" or "Europe/Paris"',
    ],
    [
      'a timeout above Lambda’s 15 minutes',
      { audit: { timeoutSeconds: 901 } },
      'deployment.audit.timeoutSeconds: must be at most 900 seconds (the Lambda limit)',
    ],
    [
      'a log retention CloudWatch does not offer',
      { logRetentionDays: 8 },
      'deployment.logRetentionDays: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ],
    [
      'a malformed subnet id',
      {
        vpc: { subnetIds: ['10.0.0.0/24'], securityGroupIds: ['sg-0123abcd'] },
      },
      'deployment.vpc.subnetIds[0]: must be a subnet id (subnet-...)',
    ],
    [
      'a key alias instead of a key ARN',
      { topicKmsKeyArn: 'alias/aws/sns' },
      'deployment.topicKmsKeyArn: must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    ],
    [
      'a misspelt field',
      { logRetention: 30 },
      // The valid fields that follow are the deployment section's, which grows.
      'deployment: unknown field "logRetention" (did you mean "logRetentionDays"? valid fields: ',
    ],
  ])('names the field for %s', (_label, deployment, expected) => {
    // Arrange
    const raw = { ...valid(), deployment };

    // Act
    const problems = problemsOf(raw);

    // Assert
    expect(problems.filter((p) => p.startsWith(expected))).toHaveLength(1);
  });
});

describe('parseConfig: re-triggering and replication health', () => {
  it('accepts verify, stuck thresholds, a look-back window and an operator credential', () => {
    // Arrange
    const raw = {
      ...valid(),
      primary: {
        ...valid().primary,
        credentials: { secretId: 'harbor-dr/primary-read' },
        operatorCredentials: { secretId: 'harbor-dr/primary-operator' },
      },
      retrigger: {
        enabled: true,
        verify: true,
        stuckAfterMinutes: 60,
        stopStuckAfterMinutes: 240,
        lookbackHours: 48,
      },
    };

    // Act
    const config = parseConfig(raw, 'test.yaml');

    // Assert
    expect(config.primary.operatorCredentials).toEqual({
      secretId: 'harbor-dr/primary-operator',
    });
    expect(config.retrigger).toEqual({
      enabled: true,
      dryRun: false,
      maxPerRun: 5,
      cooldownMinutes: 60,
      verify: true,
      stuckAfterMinutes: 60,
      stopStuckAfterMinutes: 240,
      lookbackHours: 48,
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a stop threshold below the stuck threshold',
      { retrigger: { stuckAfterMinutes: 120, stopStuckAfterMinutes: 60 } },
      'retrigger.stopStuckAfterMinutes: must be at least stuckAfterMinutes (120): only stuck executions are stopped',
    ],
    [
      'a look-back window of 0 hours',
      { retrigger: { lookbackHours: 0 } },
      'retrigger.lookbackHours: Too small: expected number to be >=1',
    ],
    [
      'a fractional stuck threshold',
      { retrigger: { stuckAfterMinutes: 1.5 } },
      'retrigger.stuckAfterMinutes: must be a whole number',
    ],
    [
      'verify given as a string',
      { retrigger: { verify: 'yes' } },
      'retrigger.verify: must be a boolean',
    ],
    [
      'a misspelt field',
      { retrigger: { stopStuckMinutes: 10 } },
      'retrigger: unknown field "stopStuckMinutes" (did you mean "stopStuckAfterMinutes"? valid fields: enabled, dryRun, maxPerRun, cooldownMinutes, verify, stopStuckAfterMinutes, lookbackHours, stuckAfterMinutes)',
    ],
    [
      'an operator credential with two sources',
      {
        primary: {
          name: 'harbor-primary',
          url: 'https://harbor.example.com',
          operatorCredentials: { secretId: 'a', file: 'b.json' },
        },
      },
      'primary.operatorCredentials: must name exactly one of secretId, env or file (found secretId, file)',
    ],
  ])('names the field for %s', (_label, patch, expected) => {
    // Act
    const problems = problemsOf({ ...valid(), ...patch });

    // Assert
    expect(problems).toContain(expected);
  });
});

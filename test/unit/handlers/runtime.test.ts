import { ConfigError } from '../../../lambdas/core/errors';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  cachedRuntime,
  configForRun,
  deadlineFrom,
  loadRuntime,
  parseRunEvent,
  parseRuntimeEnv,
  type Runtime,
} from '../../../lambdas/handlers/runtime';
import { parseConfig } from '../../../lambdas/shared/config';
import { ENV_KEYS } from '../../../lambdas/shared/env-keys';

const config = parseConfig(
  {
    primary: { name: 'p', url: 'https://p.example.com' },
    targets: [{ name: 't', url: 'https://t.example.com', kind: 'harbor' }],
    retrigger: { enabled: true },
  },
  'test'
);

describe('parseRunEvent', () => {
  it.each([undefined, null, {}])('reads %p as a full run', (event) => {
    expect(parseRunEvent(event)).toEqual({});
  });

  it('narrows to targets and switches dry run and re-trigger', () => {
    expect(
      parseRunEvent({ targets: ['t'], dryRun: true, retrigger: false })
    ).toEqual({ targets: ['t'], dryRun: true, retrigger: false });
  });

  it.each<[unknown, string]>([
    [{ target: 't' }, '(root): unknown field "target"'],
    [{ targets: [] }, 'targets: must list at least one target name'],
    [{ dryRun: 'yes' }, 'dryRun: must be a boolean'],
  ])('refuses %j, naming the field', (event, problem) => {
    let problems: readonly string[] = [];
    try {
      parseRunEvent(event);
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }
    expect(problems).toContain(problem);
  });
});

describe('configForRun', () => {
  it('keeps the config when the event says nothing', () => {
    expect(configForRun(config, {})).toEqual(config);
  });

  it('lets an event turn re-triggering off, or into a dry run, never a dry run off', () => {
    expect(configForRun(config, { retrigger: false }).retrigger.enabled).toBe(
      false
    );
    expect(configForRun(config, { dryRun: true }).retrigger.dryRun).toBe(true);
    const dry = { ...config, retrigger: { ...config.retrigger, dryRun: true } };
    expect(configForRun(dry, { dryRun: false }).retrigger.dryRun).toBe(true);
  });
});

describe('deadlineFrom', () => {
  const now = new Date('2026-11-29T02:00:00.000Z');

  it('keeps a minute back from a long run', () => {
    expect(deadlineFrom(900_000, now).toISOString()).toBe(
      '2026-11-29T02:14:00.000Z'
    );
  });

  it('keeps a fifth back from a short one', () => {
    expect(deadlineFrom(10_000, now).toISOString()).toBe(
      '2026-11-29T02:00:08.000Z'
    );
  });
});

describe('parseRuntimeEnv, loadRuntime and cachedRuntime', () => {
  const s3 = mockClient(S3Client);
  const env = {
    [ENV_KEYS.configBucket]: 'assets',
    [ENV_KEYS.configKey]: 'abc123.json',
    [ENV_KEYS.reportBucket]: 'reports',
    [ENV_KEYS.topicArn]: 'arn:aws:sns:eu-west-1:123456789012:t',
  };
  const body = (text: string) =>
    ({
      transformToString: () => Promise.resolve(text),
    }) as unknown as GetObjectCommandOutput['Body'];

  beforeEach(() => s3.reset());
  afterAll(() => {
    s3.restore();
  });

  it('reads the config from the S3 object the stack deployed and builds the adapters', async () => {
    s3.on(GetObjectCommand, { Bucket: 'assets', Key: 'abc123.json' }).resolves({
      Body: body(JSON.stringify(config)),
    });

    const runtime = await loadRuntime(parseRuntimeEnv(env), new S3Client({}));

    expect(runtime.config.targets[0]?.name).toBe('t');
    expect(runtime.deps.notifier).toBeDefined();
  });

  it('fails at cold start naming a missing variable', () => {
    expect(() =>
      parseRuntimeEnv({ ...env, [ENV_KEYS.configKey]: undefined })
    ).toThrow(`${ENV_KEYS.configKey}: is required`);
  });

  it('names the object and the invalid config field', async () => {
    s3.on(GetObjectCommand).resolves({
      Body: body(JSON.stringify({ ...config, targets: [] })),
    });

    await expect(
      loadRuntime(parseRuntimeEnv(env), new S3Client({}))
    ).rejects.toThrow(
      /s3:\/\/assets\/abc123\.json[\s\S]*targets: must list at least one target/
    );
  });

  it('names the object it could not read, never a body', async () => {
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'Access Denied',
      })
    );

    await expect(
      loadRuntime(parseRuntimeEnv(env), new S3Client({}))
    ).rejects.toThrow(
      's3 GetObject s3://assets/abc123.json: HTTP 403 AccessDenied'
    );
  });

  it('names a config object that does not exist (NoSuchKey) as a config error', async () => {
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({
        name: 'NoSuchKey',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
        message: 'The specified key does not exist.',
      })
    );

    const err = await loadRuntime(parseRuntimeEnv(env), new S3Client({})).catch(
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toContain('s3://assets/abc123.json');
    expect(String(err)).toContain('(root): the object does not exist');
  });

  it('refuses an object that is not JSON without quoting it', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('password: hunter2') });

    const err = await loadRuntime(parseRuntimeEnv(env), new S3Client({})).catch(
      (e: unknown) => e
    );
    expect(String(err)).toContain('(root): is not JSON');
    expect(String(err)).not.toContain('hunter2');
  });

  it('reads once per container, and again after a failed read', async () => {
    let calls = 0;
    const runtime = { config, deps: {} } as unknown as Runtime;
    const once = cachedRuntime(() => {
      calls += 1;
      return calls === 1
        ? Promise.reject(new Error('throttled'))
        : Promise.resolve(runtime);
    });

    await expect(once()).rejects.toThrow('throttled');
    await expect(once()).resolves.toBe(runtime);
    await expect(once()).resolves.toBe(runtime);
    expect(calls).toBe(2);
  });
});

import { ConfigError } from '../../../lambdas/core/errors';
import {
  configForRun,
  deadlineFrom,
  loadRuntime,
  parseRunEvent,
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

describe('loadRuntime', () => {
  const env = {
    [ENV_KEYS.config]: JSON.stringify(config),
    [ENV_KEYS.reportBucket]: 'reports',
    [ENV_KEYS.topicArn]: 'arn:aws:sns:eu-west-1:123456789012:t',
  };

  it('builds the adapters from the environment the stack sets', () => {
    const runtime = loadRuntime(env);

    expect(runtime.config.targets[0]?.name).toBe('t');
    expect(runtime.deps.notifier).toBeDefined();
  });

  it('fails at cold start naming a missing variable', () => {
    expect(() =>
      loadRuntime({ ...env, [ENV_KEYS.reportBucket]: undefined })
    ).toThrow(`${ENV_KEYS.reportBucket}: is required`);
  });

  it('fails at cold start naming an invalid config field', () => {
    const bad = JSON.stringify({ ...config, targets: [] });

    expect(() => loadRuntime({ ...env, [ENV_KEYS.config]: bad })).toThrow(
      'targets: must list at least one target'
    );
  });
});

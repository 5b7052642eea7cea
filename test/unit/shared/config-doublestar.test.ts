import { ConfigError } from '../../../lambdas/core/errors';
import { parseConfig } from '../../../lambdas/shared/config';

const withDoublestar = (doublestar?: unknown) => ({
  primary: {
    name: 'harbor-primary',
    url: 'https://harbor.example.com',
    ...(doublestar === undefined ? {} : { doublestar }),
  },
  targets: [
    { name: 'dr', url: 'https://harbor-dr.example.com', kind: 'harbor' },
  ],
});

describe('primary.doublestar', () => {
  it('defaults to auto (the primary release decides)', () => {
    expect(parseConfig(withDoublestar(), 'c.yaml').primary.doublestar).toBe(
      'auto'
    );
  });

  it.each(['auto', 'v1.1.1', 'v1.3.4'])('accepts %s', (v) => {
    expect(parseConfig(withDoublestar(v), 'c.yaml').primary.doublestar).toBe(v);
  });

  it('rejects anything else, naming the field', () => {
    // Act
    let problems: readonly string[] = [];
    try {
      parseConfig(withDoublestar('v2.0.0'), 'c.yaml');
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }

    // Assert
    expect(problems.join('\n')).toMatch(
      /primary\.doublestar.*must be "auto", "v1\.1\.1" or "v1\.3\.4"/
    );
  });
});

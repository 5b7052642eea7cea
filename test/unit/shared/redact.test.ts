import { ConfigError } from '../../../lambdas/core/errors';
import {
  redact,
  redactingReplacer,
  registerSecret,
  safeErrorDetail,
} from '../../../lambdas/shared/redact';

describe('redact', () => {
  it('removes every registered secret from a text, and leaves short values alone', () => {
    registerSecret('S3cret-Value-1');
    registerSecret('ab');

    expect(redact('user robot, password S3cret-Value-1 (S3cret-Value-1)')).toBe(
      'user robot, password *** (***)'
    );
    expect(redact('abc')).toBe('abc');
  });
});

describe('safeErrorDetail', () => {
  it('keeps the names of the cause chain but not what upstream errors say', () => {
    let parseError: unknown;
    try {
      JSON.parse('Qq7-upstream-text');
    } catch (e) {
      parseError = e;
    }
    const top = new ConfigError(
      'secret x',
      ['(root): is not JSON'],
      parseError
    );

    const detail = safeErrorDetail(top);

    expect(detail).toMatchObject({
      name: 'ConfigError',
      code: 'CONFIG',
      causes: [{ name: 'SyntaxError' }],
    });
    expect(detail.message).toContain('(root): is not JSON');
    expect(JSON.stringify(detail)).not.toContain('Qq7');
  });

  it('withholds the message of a SyntaxError even at the top', () => {
    let parseError: unknown;
    try {
      JSON.parse('Qq8-upstream-text');
    } catch (e) {
      parseError = e;
    }

    expect(JSON.stringify(safeErrorDetail(parseError))).not.toContain('Qq8');
  });

  it('serves as a JSON replacer: errors described safely, secrets scrubbed', () => {
    registerSecret('Rr5-registered');
    const line = JSON.stringify(
      {
        message: 'failed with Rr5-registered',
        error: new Error('x', { cause: new Error('Rr6-upstream') }),
      },
      redactingReplacer
    );

    expect(line).not.toContain('Rr5-registered');
    expect(line).not.toContain('Rr6');
  });
});

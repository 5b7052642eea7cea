import { ConfigError } from '../../../lambdas/core/errors';
import {
  redact,
  redactingReplacer,
  registerSecret,
  safeErrorDetail,
  scrubbedError,
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

describe('scrubbedError (what a handler rethrows)', () => {
  it('keeps the name and the scrubbed message, and drops frames and causes', () => {
    registerSecret('s3cr3t-value');
    const raw = new TypeError('bad answer from s3cr3t-value', {
      cause: new Error('upstream said s3cr3t-value'),
    });

    const err = scrubbedError(raw);

    expect(err.name).toBe('TypeError');
    expect(err.message).toBe('bad answer from ***');
    expect(err.stack).toBe('TypeError: bad answer from ***');
    expect(err.cause).toBeUndefined();
  });
});

import {
  codeSpan,
  escapeCell,
  escapeInline,
  formatSeconds,
  plainText,
} from '../../../../lambdas/core/report/format';

describe('formatSeconds', () => {
  it.each([
    [null, '—'],
    [42, '42s'],
    [303, '5m 03s'],
    [3725, '1h 02m'],
    [200_000, '2d 7h'],
  ])('%s → %s', (input, expected) => {
    expect(formatSeconds(input)).toBe(expected);
  });
});

describe('escapeCell', () => {
  it('keeps a table cell on one line and its pipes literal', () => {
    expect(escapeCell('a | b\nc')).toBe('a \\| b c');
  });
});

describe('escapeInline', () => {
  it('keeps untrusted text on one line and escapes every inline metacharacter', () => {
    expect(
      escapeInline('1.0\n# pwned *b* _i_ [l](u) <b> & | ~ $x$ `c` \\')
    ).toBe(
      '1.0 \\# pwned \\*b\\* \\_i\\_ \\[l\\](u) \\<b\\> \\& \\| \\~ \\$x\\$ \\`c\\` \\\\'
    );
  });

  it('leaves ordinary names readable', () => {
    expect(escapeInline('team-a/api:2.1.0 (pushed 2026-11-29T01:00:00Z)')).toBe(
      'team-a/api:2.1.0 (pushed 2026-11-29T01:00:00Z)'
    );
  });
});

describe('codeSpan', () => {
  it.each([
    ['plain', '`plain`'],
    ['a`b', '``a`b``'],
    ['``x', '``` ``x ```'],
    ['x\ny', '`x y`'],
    ['', '—'],
  ])('fences %j so that it stays one code span', (text, expected) => {
    expect(codeSpan(text)).toBe(expected);
  });

  it('escapes a pipe in a table cell only', () => {
    expect(codeSpan('a|b', 'cell')).toBe('`a\\|b`');
    expect(codeSpan('a|b')).toBe('`a|b`');
  });
});

describe('plainText', () => {
  it('turns line breaks, terminal escapes and bidi overrides into spaces', () => {
    expect(plainText('a\r\nb\u001b[31mc\u202ed')).toBe('a  b [31mc d');
  });
});

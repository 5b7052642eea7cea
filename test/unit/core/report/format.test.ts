import {
  escapeCell,
  formatSeconds,
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

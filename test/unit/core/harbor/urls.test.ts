import { canonicalUrl } from '../../../../lambdas/core/harbor/urls';

describe('canonicalUrl', () => {
  it.each([
    ['https://Registry.Example.com/', 'https://registry.example.com'],
    ['https://registry.example.com:443', 'https://registry.example.com'],
    ['http://registry.example.com:80/', 'http://registry.example.com'],
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['https://registry.example.com:8443/', 'https://registry.example.com:8443'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalUrl(input)).toBe(expected);
  });

  it('keeps http and https apart', () => {
    expect(canonicalUrl('http://r.example.com')).not.toBe(
      canonicalUrl('https://r.example.com')
    );
  });
});

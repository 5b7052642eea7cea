import {
  nextLink,
  parseLinkHeader,
  resolveLink,
} from '../../../lambdas/adapters/http/link';
import { parseWwwAuthenticate } from '../../../lambdas/adapters/registry/www-authenticate';
import {
  artifactsPath,
  splitRepository,
} from '../../../lambdas/adapters/harbor/harbor-client';

describe('Link headers', () => {
  it("parses Harbor's ' , '-joined prev/next entries", () => {
    const header =
      '</api/v2.0/projects?page=1&page_size=2>; rel="prev" , </api/v2.0/projects?page=3&page_size=2>; rel="next"';

    expect(parseLinkHeader(header)).toEqual([
      { url: '/api/v2.0/projects?page=1&page_size=2', rel: 'prev' },
      { url: '/api/v2.0/projects?page=3&page_size=2', rel: 'next' },
    ]);
    expect(nextLink(header)).toBe('/api/v2.0/projects?page=3&page_size=2');
    expect(nextLink(undefined)).toBeUndefined();
  });

  it('re-encodes the un-escaped query Harbor emits and keeps the escaped path', () => {
    const link =
      '/api/v2.0/projects/p/repositories/a%252Fb/artifacts?page=2&q=name={a b},tags=%2B&sort=id';

    expect(resolveLink(link, '/api/v2.0/x?page=1', true)).toBe(
      '/api/v2.0/projects/p/repositories/a%252Fb/artifacts?page=2&q=name%3D%7Ba%20b%7D%2Ctags%3D%252B&sort=id'
    );
  });

  it('keeps an already-escaped registry Link as is, relative or absolute', () => {
    expect(
      resolveLink(
        '/v2/_catalog?last=proj1%2Fapp034&n=100',
        '/v2/_catalog?n=100',
        false
      )
    ).toBe('/v2/_catalog?last=proj1%2Fapp034&n=100');
    expect(
      resolveLink(
        'http://internal:5000/v2/_catalog?last=b',
        '/v2/_catalog',
        false
      )
    ).toBe('/v2/_catalog?last=b');
    expect(resolveLink('?last=b', '/v2/a/tags/list?n=1', false)).toBe(
      '/v2/a/tags/list?last=b'
    );
  });
});

describe('WWW-Authenticate', () => {
  it('parses a Bearer challenge with quoted commas and space-separated scopes', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://h.example/service/token",service="harbor-registry",scope="repository:a/b:pull,push repository:c:pull"'
      )
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://h.example/service/token',
          service: 'harbor-registry',
          scope: 'repository:a/b:pull,push repository:c:pull',
        },
      },
    ]);
  });

  it('parses several challenges, escapes and unquoted values', () => {
    expect(
      parseWwwAuthenticate([
        'Basic realm="a \\"quoted\\" realm", Bearer realm=https://t, error=invalid_token',
      ])
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
      {
        scheme: 'bearer',
        params: { realm: 'https://t', error: 'invalid_token' },
      },
    ]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });
});

describe('Harbor repository paths', () => {
  it('double-encodes the part after the project', () => {
    expect(artifactsPath('library/a/b')).toBe(
      '/projects/library/repositories/a%252Fb/artifacts'
    );
    expect(artifactsPath('p/app')).toBe(
      '/projects/p/repositories/app/artifacts'
    );
    expect(() => splitRepository('noproject')).toThrow(RangeError);
  });
});

import { intern, orNone } from '../../../lambdas/adapters/registry/intern';

describe('intern', () => {
  it('answers the value it was given', () => {
    const a = JSON.parse(
      '"application/vnd.oci.image.manifest.v1+json"'
    ) as string;
    const b = JSON.parse(
      '"application/vnd.oci.image.manifest.v1+json"'
    ) as string;
    expect(intern(a)).toBe(a);
    expect(intern(b)).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(intern('')).toBe('');
    const long = 'x'.repeat(1000);
    expect(intern(long)).toBe(long);
  });

  it('keeps answering values as they came once it is full', () => {
    for (let i = 0; i < 5000; i++)
      expect(intern(`v${i.toString()}`)).toBe(`v${i.toString()}`);
  });
});

describe('orNone', () => {
  it('keeps a list with items, and shares one frozen empty list', () => {
    const items = [1, 2];
    expect(orNone(items)).toBe(items);
    const none = orNone<number>([]);
    expect(none).toEqual([]);
    expect(orNone<string>([])).toBe(none);
    expect(Object.isFrozen(none)).toBe(true);
  });
});

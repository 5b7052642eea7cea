import { parseConfig } from '../../../lambdas/shared/config';
import {
  closest,
  editDistance,
  suggestion,
} from '../../../lambdas/shared/suggest';

describe('did you mean', () => {
  it('measures typos: a swap, a missing, an extra and a wrong letter count one each', () => {
    expect(editDistance('verifyTsl', 'verifyTls')).toBe(1);
    expect(editDistance('retriger', 'retrigger')).toBe(1);
    expect(editDistance('kindd', 'kind')).toBe(1);
    expect(editDistance('harbour', 'harbor')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest name only when it is near enough to be a typo', () => {
    const fields = ['name', 'url', 'credentials', 'verifyTls', 'caBundle'];
    expect(closest('credentails', fields)).toBe('credentials');
    expect(closest('VERIFYTLS', fields)).toBe('verifyTls');
    expect(closest('password', fields)).toBeUndefined();
    expect(
      suggestion('cluster-1', ['cluster1', 'dr'], 'configured targets')
    ).toBe(' (did you mean "cluster1"? configured targets: cluster1, dr)');
    expect(suggestion('zzz', ['cluster1', 'dr'])).toBe(
      ' (valid: cluster1, dr)'
    );
  });

  function problemsOf(raw: unknown): readonly string[] {
    try {
      parseConfig(raw, 'c.yaml');
    } catch (err) {
      return (err as { problems: readonly string[] }).problems;
    }
    return [];
  }

  it('names the valid fields of the object a misspelled field is in, nested in a list too', () => {
    expect(
      problemsOf({
        primary: { name: 'p', url: 'https://h.example.com' },
        targets: [
          {
            name: 'a',
            url: 'https://a.example.com',
            kind: 'harbor',
            verify: { manifest: 'all' },
          },
        ],
        retriger: {},
      })
    ).toEqual([
      'targets[0].verify: unknown field "manifest" (did you mean "manifests"? valid fields: manifests, sampleSize)',
      '(root): unknown field "retriger" (did you mean "retrigger"? valid fields: primary, targets, policies, rpoObjectiveMinutes, retrigger, notify, deployment)',
    ]);
  });

  it('lists the valid fields without a guess when nothing is close, and pairs guesses with several unknown fields', () => {
    expect(
      problemsOf({
        primary: { name: 'p', url: 'https://h.example.com', password: 'x' },
        targets: [{ name: 'a', url: 'https://a.example.com', kind: 'harbor' }],
        notify: { onn: 'always', sevrity: 1, nme: 'x' },
      })
    ).toEqual([
      'primary: unknown field "password" (valid fields: name, url, credentials, operatorCredentials, verifyTls, caBundle, maxConcurrency, adaptiveConcurrency, doublestar)',
      'notify: unknown fields "onn", "sevrity", "nme" (did you mean "on" for "onn"? valid fields: on, format)',
    ]);
  });

  it('suggests the valid value of an enum, never echoing the value typed', () => {
    expect(
      problemsOf({
        primary: { name: 'p', url: 'https://h.example.com' },
        targets: [{ name: 'a', url: 'https://a.example.com', kind: 'Harbour' }],
      })
    ).toEqual([
      'targets[0].kind: must be "harbor" or "distribution" (did you mean "harbor"?)',
    ]);
  });
});

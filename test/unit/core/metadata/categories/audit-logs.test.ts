import { diffMetadata } from '../../../../../lambdas/core/metadata/diff';
import type { MetadataSnapshot } from '../../../../../lambdas/core/metadata/snapshot';
import { now, seen, snapshot } from '../snapshot-fixture';

const BEFORE_2_13 =
  'GET /auditlog-exts answered 404: audit-log extensions exist only from Harbor 2.13';
const diff = (p: MetadataSnapshot, t: MetadataSnapshot) =>
  diffMetadata(p, t, { now, targetUrl: 'https://dr.example.com/' });

/** A Harbor 2.8-2.12: no audit-log extensions. */
function before213(): MetadataSnapshot {
  const s = snapshot();
  s.auditLogs = seen([
    { total: null, latest: null, notApplicable: BEFORE_2_13 },
  ]);
  return s;
}

describe('audit-logs category across Harbor versions', () => {
  it('is not applicable, not unseen, when both sides predate 2.13', () => {
    const result = diff(before213(), before213());

    expect(result.unseen).toEqual([]);
    expect(result.notApplicable).toEqual([
      { category: 'audit-logs', side: 'primary', reason: BEFORE_2_13 },
      { category: 'audit-logs', side: 'target', reason: BEFORE_2_13 },
    ]);
    expect(result.compared).not.toContain('audit-logs');
    // Everything else is still compared completely.
    expect(result.compared).toContain('users');
    expect(result.drift.filter((d) => d.category === 'audit-logs')).toEqual([
      expect.objectContaining({
        severity: 'info',
        primary: 'not applicable (Harbor < 2.13)',
        target: 'not applicable (Harbor < 2.13)',
      }),
    ]);
  });

  it('names only the side that predates 2.13', () => {
    const result = diff(snapshot(), before213());

    expect(result.unseen).toEqual([]);
    expect(result.notApplicable).toEqual([
      { category: 'audit-logs', side: 'target', reason: BEFORE_2_13 },
    ]);
  });

  it('is compared on 2.13 and later', () => {
    const result = diff(snapshot(), snapshot());

    expect(result.compared).toContain('audit-logs');
    expect(result.notApplicable).toEqual([]);
  });

  it('stays unseen when the read failed (a 403 is not a version)', () => {
    const target = snapshot();
    target.auditLogs = { items: [], errors: ['HTTP 403'] };

    const result = diff(snapshot(), target);

    expect(result.unseen).toEqual([
      { category: 'audit-logs', side: 'target', reason: 'HTTP 403' },
    ]);
    expect(result.notApplicable).toEqual([]);
  });
});

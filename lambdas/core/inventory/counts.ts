/**
 * Report counts from findings. Decisions (one bucket per finding, so that for expected
 * refs: expected = synced + missing + mismatched + unknown-of-expected):
 * - missing    = `missing` + `accessory-missing` (the ref itself is absent from the target);
 * - mismatched = `digest-mismatch` + `index-children-missing` (the ref is there, its content
 *   differs or is incomplete) + `collision` (no single right digest exists);
 * - unknown    = every `unknown` finding, including target refs that could not be told
 *   orphaned or not (those have no expectedDigest and do not count as expected);
 * - `unexpected` is listed in findings but has no count in the report contract.
 */
import type { Finding, FindingCounts } from '../model';

/** Zero counts. */
export function emptyCounts(): FindingCounts {
  return {
    expected: 0,
    synced: 0,
    missing: 0,
    mismatched: 0,
    orphaned: 0,
    unknown: 0,
  };
}

/** Counts findings into the report's buckets. */
export function countFindings(findings: readonly Finding[]): FindingCounts {
  const c = emptyCounts();
  for (const f of findings) {
    switch (f.state) {
      case 'synced':
        c.expected++;
        c.synced++;
        break;
      case 'missing':
      case 'accessory-missing':
        c.expected++;
        c.missing++;
        break;
      case 'digest-mismatch':
      case 'index-children-missing':
      case 'collision':
        c.expected++;
        c.mismatched++;
        break;
      case 'unknown':
        if (f.expectedDigest !== undefined) c.expected++;
        c.unknown++;
        break;
      case 'orphaned':
        c.orphaned++;
        break;
      case 'unexpected':
        break;
    }
  }
  return c;
}

/** Sums counts (shards into a target, targets into a run). */
export function addCounts(a: FindingCounts, b: FindingCounts): FindingCounts {
  return {
    expected: a.expected + b.expected,
    synced: a.synced + b.synced,
    missing: a.missing + b.missing,
    mismatched: a.mismatched + b.mismatched,
    orphaned: a.orphaned + b.orphaned,
    unknown: a.unknown + b.unknown,
  };
}

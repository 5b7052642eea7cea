/**
 * Report counts from findings: one bucket per finding (core/findings.ts), so that for
 * expected refs, expected = synced + missing + mismatched + unknown-of-expected.
 */
import { FINDING_STATES } from '../findings';
import type { Finding, FindingCounts } from '../report/schema';

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

/** Counts findings into the report's buckets (core/findings.ts says which). */
export function countFindings(findings: readonly Finding[]): FindingCounts {
  const c = emptyCounts();
  for (const f of findings) {
    const rule = FINDING_STATES[f.state];
    if (
      rule.expected === 'always' ||
      (rule.expected === 'if-expected-digest' && f.expectedDigest !== undefined)
    ) {
      c.expected++;
    }
    if (rule.bucket !== null) c[rule.bucket]++;
  }
  return c;
}

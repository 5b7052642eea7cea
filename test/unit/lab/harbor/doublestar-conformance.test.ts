import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  doublestarMatch,
  DoublestarPatternError,
  type DoublestarVersion,
} from '../../../../lab/harbor/replication/doublestar';

// The answers of the real bmatcuk/doublestar v1.1.1 and v1.3.4 (harbor-semantics, correction at
// the top). The shared reference copy first; a vendored copy in the repository otherwise.
const repoRoot = path.resolve(__dirname, '../../../..');
const candidates = [
  path.resolve(repoRoot, '../shared/reference/doublestar-v1-conformance.jsonl'),
  path.resolve(
    repoRoot,
    'test/fixtures/harbor/doublestar-v1-conformance.jsonl'
  ),
];

type Answer = 'T' | 'F' | 'ERR';
interface Row {
  pattern: string;
  name: string;
  'v1.1.1': Answer;
  'v1.3.4': Answer;
}

function loadRows(): Row[] {
  const file = candidates.find((f) => existsSync(f));
  if (!file)
    throw new Error(
      `doublestar conformance table not found; looked in:\n${candidates.join('\n')}`
    );
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row);
}

function answer(v: DoublestarVersion, pattern: string, name: string): Answer {
  try {
    return doublestarMatch(v, pattern, name) ? 'T' : 'F';
  } catch (e) {
    if (e instanceof DoublestarPatternError) return 'ERR';
    throw e;
  }
}

describe('the lab matches patterns as the real doublestar v1 does', () => {
  const rows = loadRows();

  it('reads the whole table', () => {
    expect(rows.length).toBe(7677);
  });

  it.each(['v1.1.1', 'v1.3.4'] as const)(
    'agrees with doublestar %s on every row',
    (v) => {
      const wrong = rows
        .map((r) => ({ r, got: answer(v, r.pattern, r.name) }))
        .filter(({ r, got }) => got !== r[v]);
      const sample = wrong
        .slice(0, 20)
        .map(
          ({ r, got }) =>
            `  Match(${JSON.stringify(r.pattern)}, ${JSON.stringify(r.name)}): want ${r[v]}, lab ${got}`
        )
        .join('\n');
      if (wrong.length > 0)
        throw new Error(
          `doublestar ${v}: ${wrong.length} of ${rows.length} rows disagree; first ${Math.min(20, wrong.length)}:\n${sample}`
        );
    }
  );
});

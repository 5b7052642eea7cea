import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DoublestarVersion } from '../../../../lambdas/core/harbor/pattern';
import {
  PatternError,
  globMatch,
} from '../../../../lambdas/core/harbor/pattern';

/** The real libraries' answers (provenance in test/fixtures/harbor/README.md). */
const TABLE = path.resolve(
  __dirname,
  '../../../fixtures/harbor/doublestar-v1-conformance.jsonl'
);
const ROWS = 7677;

type Answer = 'T' | 'F' | 'ERR';
interface Row {
  pattern: string;
  name: string;
  'v1.1.1': Answer;
  'v1.3.4': Answer;
}

function readTable(): Row[] {
  if (!fs.existsSync(TABLE)) {
    throw new Error(
      `the doublestar conformance table is missing: ${TABLE} (copy it from shared/reference/doublestar-v1-conformance.jsonl)`
    );
  }
  return fs
    .readFileSync(TABLE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Row);
}

function answer(pattern: string, name: string, version: DoublestarVersion) {
  try {
    return globMatch(pattern, name, version) ? 'T' : 'F';
  } catch (err) {
    if (err instanceof PatternError) return 'ERR';
    throw err;
  }
}

describe('globMatch agrees with the real doublestar on every row of the table', () => {
  const rows = readTable();

  it('reads the whole table', () => {
    // Assert
    expect(rows).toHaveLength(ROWS);
  });

  it.each<DoublestarVersion>(['v1.1.1', 'v1.3.4'])('%s', (version) => {
    // Act
    const disagreements = rows
      .map((row) => ({ row, got: answer(row.pattern, row.name, version) }))
      .filter(({ row, got }) => got !== row[version]);

    // Assert
    const report = disagreements
      .slice(0, 20)
      .map(
        ({ row, got }) =>
          `Match(${JSON.stringify(row.pattern)}, ${JSON.stringify(row.name)}): library ${row[version]}, ours ${got}`
      );
    expect({ disagreements: disagreements.length, first20: report }).toEqual({
      disagreements: 0,
      first20: [],
    });
  });
});

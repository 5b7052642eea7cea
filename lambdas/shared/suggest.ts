/**
 * "Did you mean" for names people type: fields of the configuration, target names, enum
 * values. Pure; the candidates are the valid names, never a value the user typed.
 */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        at(i - 1, j) + 1,
        at(i, j - 1) + 1,
        at(i - 1, j - 1) + cost
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate closest to `word`, when close enough to be a typo: at most a third of the
 * longer name's letters differ (case ignored), or one is the other with different case.
 */
export function closest(
  word: string,
  candidates: readonly string[]
): string | undefined {
  let best: { name: string; distance: number } | undefined;
  const w = word.toLowerCase();
  for (const name of candidates) {
    const distance = editDistance(w, name.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(w.length, name.length) / 3));
    if (distance > limit) continue;
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best?.name;
}

/** ` (did you mean "x"? valid: a, b, c)`, or ` (valid: a, b, c)` without a close one. */
export function suggestion(
  word: string,
  candidates: readonly string[],
  noun = 'valid'
): string {
  const near = closest(word, candidates);
  const list = `${noun}: ${candidates.join(', ')}`;
  return near === undefined
    ? ` (${list})`
    : ` (did you mean "${near}"? ${list})`;
}

/** "Did you mean …?": the closest known word by edit distance. */

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  // Three rows of the table are enough: the one being filled, the one above, and the one above that.
  let before: number[] = [];
  let above = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, before[j - 2]! + 1);
      row[j] = v;
    }
    before = above;
    above = row;
  }
  return above[b.length]!;
}

/** The known word closest to `word`, if it is close enough to be a likely typo. */
export function closest(word: string, known: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = word.toLowerCase();
  for (const k of known) {
    // The distance is at least the difference in length: a word far longer than any known one
    // (a 30,000-character key) costs nothing, instead of a table of 30,000 × its length per word.
    const candidate = k.toLowerCase();
    if (Math.abs(candidate.length - lower.length) > limit) continue;
    const d = editDistance(lower, candidate);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** ` — did you mean 'x'?` or an empty string. */
export function didYouMean(word: string, known: Iterable<string>): string | undefined {
  const hit = closest(word, known);
  return hit ? `did you mean '${hit}'?` : undefined;
}

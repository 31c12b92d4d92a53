// "Did you mean …?": the nearest real name for a mistyped command, option or API key. Typos
// (two edits at most, case and dashes ignored) and the words other tools use for the same thing.

/** Damerau–Levenshtein distance (optimal string alignment): a swap of two letters is one edit. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

const fold = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');

/**
 * The candidate `input` most likely meant, or null. In order: the same name in another case or
 * with other dashes (`CAfile` → `ca-file`), a known synonym, the candidate the input starts with
 * (`starttls-smtp` → `starttls`) or ends (`port` → `tlsa-port`), then the closest within
 * `maxEdits` edits.
 */
export function nearest(input: string, candidates: readonly string[], synonyms: Readonly<Record<string, string>> = {}, maxEdits = 2): string | null {
  const f = fold(input);
  if (f === '') return null;
  const byFold = candidates.find((c) => fold(c) === f);
  if (byFold) return byFold;
  const synonym = synonyms[f];
  if (synonym && candidates.includes(synonym)) return synonym;
  const prefix = candidates.filter((c) => fold(c).length >= 3 && f.startsWith(fold(c))).sort((a, b) => b.length - a.length)[0];
  if (prefix) return prefix;
  // The input is the tail of a longer name: --port where the command has --tlsa-port.
  const tail = f.length >= 3 ? candidates.find((c) => fold(c).endsWith(f)) : undefined;
  if (tail) return tail;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const distance = editDistance(f, fold(c));
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  // Short words: one edit at most, or every three-letter word would "mean" every other.
  const limit = Math.min(maxEdits, Math.max(1, Math.floor(f.length / 3)));
  return bestDistance <= limit ? best : null;
}

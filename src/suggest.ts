/** "Did you mean" hints: the closest candidate by edit distance, when it is close enough to help. */

/** ` (did you mean 'x'?)` for the closest candidate, or '' when none is close; `show` writes it as the user types it (`--format`). */
export function didYouMean(word: string, candidates: Iterable<string>, show: (candidate: string) => string = (c) => c): string {
  const hint = closest(word, candidates);
  return hint === undefined ? '' : ` (did you mean '${show(hint)}'?)`;
}

/**
 * Longest name a hint is looked for or offered: names are short (rule ids at most 80 characters),
 * and the distance costs the product of the two lengths, so a 100 KB misspelt key in a rule file,
 * the config or a waiver against a 100 KB declared name would take minutes.
 */
const MAX_HINTED = 256;

/** The closest candidate; on a tie the first, so callers list the likelier names first. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > MAX_HINTED) return undefined;
  // Read twice, by distance and by containment: an iterator (a Map's keys) would be spent by the first.
  const names = [...candidates].filter((c) => c.length <= MAX_HINTED);
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDist = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of names) {
    const other = c.toLowerCase();
    // The distance is at least the difference in length: a candidate that cannot be closer is not measured.
    if (Math.abs(other.length - lower.length) >= bestDist) continue;
    const d = editDistance(lower, other);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best ?? containing(lower, names);
}

/** A shortened name (`vm-onboard` for `vm-onboarded-to-mde`): the one candidate that contains it. */
function containing(lower: string, candidates: readonly string[]): string | undefined {
  if (lower.length < 3) return undefined;
  const found = candidates.filter((c) => c.toLowerCase().includes(lower));
  return found.length === 1 ? found[0] : undefined;
}

/**
 * Optimal string alignment distance: Levenshtein plus a swap of two adjacent letters as one edit,
 * the commonest typo (`lnit` is one edit from `lint`, not two).
 */
function editDistance(a: string, b: string): number {
  // Three rows: the swap looks two rows back.
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], before[j - 2] + 1);
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length];
}

/** The closest candidate to a mistyped name, for "did you mean …?" hints; undefined when none is close. */
export function closest(name: string, candidateList: Iterable<string>): string | undefined {
  const candidates = [...candidateList];
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  if (bestDistance <= limit) return best;
  // a name cut short (`max_trade` for `max_trade_usd`) is a likely typo too, when only one key starts with it
  const prefixed = [...candidates].filter((c) => c.toLowerCase().startsWith(lower));
  return lower.length >= 3 && prefixed.length === 1 ? prefixed[0] : undefined;
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
  const match = closest(name, candidates);
  return match ? `; did you mean \`${match}\`?` : "";
}

/** Edit distance where swapping two neighbouring letters counts as one edit (`bto` → `bot`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

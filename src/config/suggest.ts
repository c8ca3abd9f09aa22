// "Did you mean" for unknown keys: the closest allowed key by edit distance, where
// a swap of two neighbouring letters counts as one edit (nmae -> name).

function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The allowed key the user most likely meant, or undefined when none is close. */
export function closestKey(typed: string, allowed: readonly string[]): string | undefined {
  const lower = typed.toLowerCase().replace(/-/g, '_');
  let best: { key: string; distance: number } | undefined;
  for (const key of allowed) {
    const prefix = key.startsWith(lower) || lower.startsWith(key);
    // Lengths this far apart are never within tolerance; skipping them keeps a key of
    // 100,000 characters from costing seconds.
    if (!prefix && Math.abs(lower.length - key.length) > 2) continue;
    const distance = key === lower ? 0 : prefix ? 1 : editDistance(lower, key);
    if (!best || distance < best.distance) best = { key, distance };
  }
  if (!best) return undefined;
  const tolerance = Math.min(2, Math.max(1, Math.floor(typed.length / 3)));
  return best.distance <= tolerance ? best.key : undefined;
}

/**
 * Chance-corrected agreement between raters who put the same subjects into nominal categories: Cohen's kappa for
 * two raters (Cohen 1960) and Fleiss' kappa for any fixed number of raters (Fleiss 1971). Neither is in
 * simple-statistics; both follow the textbook formulas and are tested against values computed independently
 * (test/jury.test.ts). Categories are compared as strings: a rating of 4 and a rating of 5 disagree as much as 1
 * and 5 (unweighted kappa).
 */

/**
 * Cohen's kappa of two raters' categories for the same subjects (same order): (p_o − p_e) / (1 − p_e), where p_o
 * is the share of subjects they put in the same category and p_e the agreement expected from each rater's own
 * category shares. Null when undefined: no subjects, or p_e = 1 (both raters always said the same one category).
 */
export function cohenKappa(a: readonly string[], b: readonly string[]): number | null {
  if (a.length !== b.length) throw new Error('cohenKappa: raters rated different numbers of subjects');
  const n = a.length;
  if (n === 0) return null;
  const countA = new Map<string, number>();
  const countB = new Map<string, number>();
  let agreed = 0;
  for (let i = 0; i < n; i++) {
    countA.set(a[i]!, (countA.get(a[i]!) ?? 0) + 1);
    countB.set(b[i]!, (countB.get(b[i]!) ?? 0) + 1);
    if (a[i] === b[i]) agreed += 1;
  }
  let expected = 0;
  for (const [category, count] of countA) expected += (count / n) * ((countB.get(category) ?? 0) / n);
  if (1 - expected < 1e-12) return null;
  return (agreed / n - expected) / (1 - expected);
}

export interface FleissResult {
  kappa: number | null;
  /** P̄: the mean over subjects of the share of rater pairs that agree on it (the observed agreement). */
  observed: number | null;
  /** P̄_e: the agreement expected by chance from the overall category shares. */
  expected: number | null;
}

/**
 * Fleiss' kappa: `subjects[i]` holds the category each of the m raters gave subject i (m ≥ 2, the same for every
 * subject). κ = (P̄ − P̄_e) / (1 − P̄_e) with P_i = (Σ_j n_ij² − m) / (m(m − 1)), P̄ their mean, p_j = Σ_i n_ij / (N m)
 * and P̄_e = Σ_j p_j². Kappa is null when undefined (no subjects, or every rating in one category).
 */
export function fleissKappa(subjects: readonly (readonly string[])[]): FleissResult {
  if (subjects.length === 0) return { kappa: null, observed: null, expected: null };
  const m = subjects[0]!.length;
  if (m < 2) throw new Error('fleissKappa: needs at least 2 raters');
  const totals = new Map<string, number>();
  let sumP = 0;
  for (const ratings of subjects) {
    if (ratings.length !== m) throw new Error('fleissKappa: every subject needs the same number of ratings');
    const counts = new Map<string, number>();
    for (const r of ratings) counts.set(r, (counts.get(r) ?? 0) + 1);
    let squares = 0;
    for (const [category, count] of counts) {
      squares += count * count;
      totals.set(category, (totals.get(category) ?? 0) + count);
    }
    sumP += (squares - m) / (m * (m - 1));
  }
  const n = subjects.length;
  const observed = sumP / n;
  let expected = 0;
  for (const count of totals.values()) expected += (count / (n * m)) ** 2;
  const kappa = 1 - expected < 1e-12 ? null : (observed - expected) / (1 - expected);
  return { kappa, observed, expected };
}

/**
 * Agreement statistics for judge scores against human labels. Pearson and Spearman (with mid-ranks for ties)
 * come from simple-statistics; Kendall's tau-b and balanced accuracy, which it does not have, are written here
 * and tested against published reference values (scipy and scikit-learn documentation examples).
 */
import { mean, sampleCorrelation, sampleRankCorrelation } from 'simple-statistics';

function constant(values: readonly number[]): boolean {
  return values.every((v) => v === values[0]);
}

/** Pearson's r; null when undefined (fewer than 2 points, or a constant series). */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error('pearson: series of different lengths');
  if (x.length < 2 || constant(x) || constant(y)) return null;
  return sampleCorrelation([...x], [...y]);
}

/** Spearman's rho (Pearson on mid-ranks); null when undefined. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error('spearman: series of different lengths');
  if (x.length < 2 || constant(x) || constant(y)) return null;
  return sampleRankCorrelation([...x], [...y]);
}

/** Kendall's tau-b (tie-corrected, as scipy.stats.kendalltau's default); null when undefined. O(n²). */
export function kendallTauB(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error('kendall: series of different lengths');
  const n = x.length;
  let concordant = 0;
  let discordant = 0;
  let tiesXOnly = 0;
  let tiesYOnly = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i]! - x[j]!);
      const dy = Math.sign(y[i]! - y[j]!);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesXOnly += 1;
      else if (dy === 0) tiesYOnly += 1;
      else if (dx === dy) concordant += 1;
      else discordant += 1;
    }
  }
  const denominator = Math.sqrt((concordant + discordant + tiesXOnly) * (concordant + discordant + tiesYOnly));
  return denominator === 0 ? null : (concordant - discordant) / denominator;
}

/** (TPR + TNR) / 2, as sklearn.metrics.balanced_accuracy_score; a class absent from the labels is left out. */
export function balancedAccuracy(labels: readonly boolean[], predictions: readonly boolean[]): number | null {
  if (labels.length !== predictions.length) throw new Error('balancedAccuracy: series of different lengths');
  const recalls: number[] = [];
  for (const positive of [true, false]) {
    const members = labels.map((l, i) => [l, predictions[i]!] as const).filter(([l]) => l === positive);
    if (members.length > 0) recalls.push(members.filter(([, p]) => p === positive).length / members.length);
  }
  return recalls.length === 0 ? null : mean(recalls);
}

/** Share of exact agreements. */
export function exactMatch(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error('exactMatch: series of different lengths');
  return x.length === 0 ? null : x.filter((v, i) => v === y[i]).length / x.length;
}

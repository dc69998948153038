import { describe, expect, it } from 'vitest';
import { balancedAccuracy, exactMatch, kendallTauB, pearson, spearman } from '../core/stats.ts';

// Reference values are the documented examples of scipy.stats and sklearn.metrics.
describe('agreement statistics against published reference values', () => {
  it('Kendall tau-b: scipy.stats.kendalltau docs example', () => {
    expect(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-0.47140452079103173, 12);
  });

  it('Kendall tau-b: without ties it is (C - D) / (n(n-1)/2)', () => {
    expect(kendallTauB([1, 2, 3, 4, 5], [3, 4, 1, 2, 5])).toBeCloseTo((6 - 4) / 10, 12);
    expect(kendallTauB([1, 2, 3], [3, 2, 1])).toBe(-1);
  });

  it('Spearman: scipy.stats.spearmanr docs example', () => {
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12);
  });

  it('Pearson: scipy.stats.pearsonr docs example', () => {
    expect(pearson([1, 2, 3, 4, 5, 6, 7], [10, 9, 2.5, 6, 4, 3, 2])).toBeCloseTo(-0.8285038835884277, 12);
  });

  it('correlations of a constant series are undefined, not 0 or NaN', () => {
    expect(pearson([3, 3, 3], [1, 2, 3])).toBeNull();
    expect(spearman([1, 2, 3], [4, 4, 4])).toBeNull();
    expect(kendallTauB([2, 2, 2], [1, 2, 3])).toBeNull();
  });

  it('balanced accuracy: sklearn.metrics.balanced_accuracy_score docs example', () => {
    const yTrue = [0, 1, 0, 0, 1, 0].map(Boolean);
    const yPred = [0, 1, 0, 0, 0, 1].map(Boolean);
    expect(balancedAccuracy(yTrue, yPred)).toBeCloseTo(0.625, 12);
  });

  it('exact match', () => {
    expect(exactMatch([1, 2, 3, 4], [1, 2, 0, 4])).toBe(0.75);
    expect(exactMatch([], [])).toBeNull();
  });
});

/**
 * The human side of a Likert item: the individual ratings, their mean (what correlations are computed against)
 * and one integer label on the scale (what exact match is scored against). Rounding is done in integers, so a
 * mean of exactly x.5 always rounds up and no floating-point residue can flip a label.
 */

export interface HumanRating {
  /** Every rater's rating, in file order; empty when the source publishes only the mean (USR-TopicalChat). */
  ratings: number[];
  /** Mean of the raters. */
  mean: number;
  /** The exact-match target: an integer on the scale. */
  label: number;
}

/**
 * How a set turns several ratings into one label:
 *  - 'mean': the mean rounded half up;
 *  - 'majority': the rating more than half of the raters gave, else the mean rounded half up.
 */
type LabelRule = 'mean' | 'majority';

/** numerator / denominator rounded half up (denominator > 0). */
function roundFractionHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** The mean of integer ratings, rounded half up. */
export function roundedMean(ratings: readonly number[]): number {
  if (ratings.length === 0) throw new Error('roundedMean: no ratings');
  return roundFractionHalfUp(
    ratings.reduce((a, b) => a + b, 0),
    ratings.length,
  );
}

/** The rating given by more than half of the raters, if there is one. */
export function majority(ratings: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const r of ratings) counts.set(r, (counts.get(r) ?? 0) + 1);
  for (const [value, count] of counts) if (2 * count > ratings.length) return value;
  return undefined;
}

export function humanRating(ratings: readonly number[], rule: LabelRule): HumanRating {
  if (ratings.length === 0) throw new Error('humanRating: no ratings');
  const mean = ratings.reduce((a, b) => a + b, 0) / ratings.length;
  const label = (rule === 'majority' ? majority(ratings) : undefined) ?? roundedMean(ratings);
  return { ratings: [...ratings], mean, label };
}

/**
 * A published mean of `raters` integer ratings (USR-TopicalChat keeps only the mean of 3). Returns the label,
 * or undefined when the value is not a multiple of 1/raters (then it cannot be such a mean).
 */
export function ratingFromMean(mean: number, raters: number): HumanRating | undefined {
  const sum = Math.round(mean * raters);
  if (Math.abs(sum - mean * raters) > 1e-6) return undefined;
  return { ratings: [], mean: sum / raters, label: roundFractionHalfUp(sum, raters) };
}

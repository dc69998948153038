/**
 * Text measures shared by the length baselines and the benchmarks that audit length (CoBBLEr's verbosity).
 */

/** Code points: UTF-16 units minus one per surrogate pair (what iterating the string counts, without iterating it). */
export function codePointLength(text: string): number {
  return text.length - (text.match(SURROGATE_PAIR)?.length ?? 0);
}

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/**
 * RewardBench's official scoring (rewardbench/utils.py calculate_scores_per_section): per item 1 / 0 / 0.5
 * (tie or unreadable verdict), subset = mean, section = Σ acc_s·EXAMPLE_COUNTS[s] / Σ EXAMPLE_COUNTS[s] over the
 * section's subsets that were run, and 0 for a section none of whose subsets was run (the official code's
 * `else: section_scores[section] = 0`), overall = plain mean of the four sections (no prior sets, as in the FLAMe
 * paper). Such a run is not comparable with published rows: missingSubsets says which subsets were not run.
 */
import { mean } from 'simple-statistics';
import { EXAMPLE_COUNTS, SECTIONS, SUBSETS, SUBSET_MAPPING, type Section } from './constants.ts';

interface ScoredItem {
  subset: string;
  /** 1, 0 or 0.5; null for an item with no answer (error), which is left out. */
  score: number | null;
}

interface RewardBenchScores {
  /** 0-100, full precision. null only when no item at all was scored (there is nothing to score). */
  score: number | null;
  /** A section with no scored subset is 0, as the official code scores it; all null when nothing was scored. */
  sections: Record<Section, number | null>;
  subsets: Record<string, number>;
  /** Subsets with no scored item in this run (so sections are computed over fewer subsets than the official 23). */
  missingSubsets: string[];
}

export function scoreRewardBench(items: readonly ScoredItem[]): RewardBenchScores {
  const bySubset = new Map<string, number[]>();
  for (const item of items) {
    if (item.score === null) continue;
    if (!(item.subset in EXAMPLE_COUNTS)) throw new Error(`unknown RewardBench subset "${item.subset}"`);
    const list = bySubset.get(item.subset) ?? [];
    list.push(item.score);
    bySubset.set(item.subset, list);
  }
  const subsets: Record<string, number> = {};
  for (const name of SUBSETS) {
    const scores = bySubset.get(name);
    if (scores && scores.length > 0) subsets[name] = 100 * mean(scores);
  }

  return { subsets, ...fromSubsetAccuracies(subsets) };
}

/** Sections and the overall score from subset accuracies (percent), the official way. */
function fromSubsetAccuracies(subsets: Readonly<Record<string, number>>): Omit<RewardBenchScores, 'subsets'> {
  const missingSubsets = SUBSETS.filter((s) => !(s in subsets));
  const sections = {} as Record<Section, number | null>;
  if (missingSubsets.length === SUBSETS.length) {
    for (const section of SECTIONS) sections[section] = null;
    return { score: null, sections, missingSubsets };
  }
  // Like the official code, a section is weighted over the subsets that were scored, and is 0 when there are none.
  const values = SECTIONS.map((section) => {
    let weighted = 0;
    let weight = 0;
    for (const name of SUBSET_MAPPING[section]) {
      const acc = subsets[name];
      if (acc === undefined) continue;
      weighted += acc * EXAMPLE_COUNTS[name]!;
      weight += EXAMPLE_COUNTS[name]!;
    }
    return weight > 0 ? weighted / weight : 0;
  });
  SECTIONS.forEach((section, i) => {
    sections[section] = values[i]!;
  });
  return { score: mean(values), sections, missingSubsets };
}

/**
 * The bootstrap's fast path (MetricSpec.counts): an item adds its score and a count to its subset's pair of slots,
 * and the totals give subset accuracies, then sections and the overall score exactly as above.
 */
export const SUBSET_SLOTS = 2 * SUBSETS.length;
const SLOT = new Map(SUBSETS.map((name, i) => [name, 2 * i]));

export function subsetCounts(items: readonly ScoredItem[]): number[] {
  const counts = new Array<number>(SUBSET_SLOTS).fill(0);
  for (const item of items) {
    if (item.score === null) continue;
    const slot = SLOT.get(item.subset);
    if (slot === undefined) throw new Error(`unknown RewardBench subset "${item.subset}"`);
    counts[slot]! += item.score;
    counts[slot + 1]! += 1;
  }
  return counts;
}

export function scoresFromCounts(totals: readonly number[]): Omit<RewardBenchScores, 'subsets'> {
  const subsets: Record<string, number> = {};
  SUBSETS.forEach((name, i) => {
    const n = totals[2 * i + 1]!;
    if (n > 0) subsets[name] = (100 * totals[2 * i]!) / n;
  });
  return fromSubsetAccuracies(subsets);
}

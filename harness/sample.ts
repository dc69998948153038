/**
 * `--sample N`: the paper's protocol of N random items per task (all of them if fewer). Each item's rank is a
 * hash of (seed, benchmark, item id), so the sample is the same for every judge and every rerun, and adding a
 * judge never changes which items the others were scored on. Items keep their original order.
 */
import { uniform } from './hash.ts';

export function sampleItems<T extends { id: string; sampleGroup?: string }>(items: readonly T[], n: number, seed: number, benchmark: string): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = item.sampleGroup ?? '';
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  const keep = new Set<T>();
  for (const [group, members] of groups) {
    const ranked = members.length <= n ? members : [...members].sort((a, b) => uniform('sample', seed, benchmark, group, a.id) - uniform('sample', seed, benchmark, group, b.id)).slice(0, n);
    for (const item of ranked) keep.add(item);
  }
  return items.filter((item) => keep.has(item));
}

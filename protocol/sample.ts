/**
 * `--sample N`: the paper's protocol of N random items per task (all of them if fewer). Each item's rank is a
 * hash of (seed, benchmark, item id), so the sample is the same for every judge and every rerun, and adding a
 * judge never changes which items the others were scored on. Items keep their original order. Items with a
 * `sampleKey` are drawn as units: N keys per group, ranked by the key alone (see BenchmarkItem.sampleKey).
 */
import { uniform } from '../core/hash.ts';

export function sampleItems<T extends { id: string; sampleGroup?: string; sampleKey?: string }>(
  items: readonly T[],
  n: number,
  seed: number,
  benchmark: string,
): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = item.sampleGroup ?? '';
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  const keep = new Set<T>();
  for (const [group, members] of groups) {
    const drawn = members.some((m) => m.sampleKey !== undefined)
      ? drawByKey(members, n, seed, benchmark, group)
      : members.length <= n
        ? members
        : [...members]
            .sort(
              (a, b) =>
                uniform('sample', seed, benchmark, group, a.id) - uniform('sample', seed, benchmark, group, b.id),
            )
            .slice(0, n);
    for (const item of drawn) keep.add(item);
  }
  return items.filter((item) => keep.has(item));
}

/**
 * N units of a group, where items sharing a sampleKey form one unit (an item without a key is a unit of its own).
 * A key's rank leaves out the group, so groups holding the same keys draw the same ones.
 */
function drawByKey<T extends { id: string; sampleKey?: string }>(
  members: readonly T[],
  n: number,
  seed: number,
  benchmark: string,
  group: string,
): T[] {
  const units = new Map<string, { rank: number; items: T[] }>();
  for (const item of members) {
    const unit = item.sampleKey !== undefined ? `key\u0000${item.sampleKey}` : `id\u0000${item.id}`;
    let entry = units.get(unit);
    if (!entry) {
      const rank =
        item.sampleKey !== undefined
          ? uniform('sample-key', seed, benchmark, item.sampleKey)
          : uniform('sample', seed, benchmark, group, item.id);
      units.set(unit, (entry = { rank, items: [] }));
    }
    entry.items.push(item);
  }
  const ranked = [...units.values()].sort((a, b) => a.rank - b.rank).slice(0, n);
  return ranked.flatMap((u) => u.items);
}

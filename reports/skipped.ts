/**
 * Benchmarks a run skipped, grouped by their reason: a replay of one benchmark's published results skips the other
 * dozen for the same reason, which is one line, not twelve.
 */
import type { RunResult } from '../harness/run.ts';

export interface SkippedGroup {
  ids: string[];
  why: RunResult['skipped'][number]['why'];
  reason: string;
}

export function skippedByReason(skipped: RunResult['skipped']): SkippedGroup[] {
  const groups = new Map<string, SkippedGroup>();
  for (const s of skipped) {
    const key = `${s.why}\u0000${s.reason}`;
    const group = groups.get(key);
    if (group) group.ids.push(s.benchmark.id);
    else groups.set(key, { ids: [s.benchmark.id], why: s.why, reason: s.reason });
  }
  return [...groups.values()];
}

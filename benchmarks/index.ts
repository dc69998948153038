/** Registered benchmarks. Adding one: write benchmarks/<id>/index.ts implementing Benchmark, then add it here. */
import { UserError } from '../harness/errors.ts';
import { aggrefact, aggrefactTuned } from './aggrefact/index.ts';
import type { AnyBenchmark } from './benchmark.ts';
import { rewardbench } from './rewardbench/index.ts';

/** What "--benchmark all" runs: FLAMe's benchmarks, each once. */
export const BENCHMARKS: readonly AnyBenchmark[] = [aggrefact, rewardbench];

/** Other protocols over the same data, run only when named (they would ask a judge the same items again). */
export const VARIANTS: readonly AnyBenchmark[] = [aggrefactTuned];

export function getBenchmark(id: string): AnyBenchmark {
  const found = [...BENCHMARKS, ...VARIANTS].find((b) => b.id === id);
  if (!found) {
    const known = [...BENCHMARKS, ...VARIANTS].map((b) => b.id).join(', ');
    throw new UserError(`unknown benchmark "${id}". Known benchmarks: ${known}, or "all".`);
  }
  return found;
}

/** "rewardbench", "a,b" or "all". */
export function selectBenchmarks(spec: string): AnyBenchmark[] {
  if (spec.trim() === 'all') return [...BENCHMARKS];
  const ids = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new UserError('no benchmark given: use --benchmark <id>');
  return [...new Set(ids)].map(getBenchmark);
}

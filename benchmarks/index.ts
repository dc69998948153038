/** Registered benchmarks. Adding one: write benchmarks/<id>/index.ts implementing Benchmark, then add it here. */
import { UserError } from '../harness/errors.ts';
import type { AnyBenchmark } from './benchmark.ts';
import { rewardbench } from './rewardbench/index.ts';

export const BENCHMARKS: readonly AnyBenchmark[] = [rewardbench];

export function getBenchmark(id: string): AnyBenchmark {
  const found = BENCHMARKS.find((b) => b.id === id);
  if (!found) {
    throw new UserError(`unknown benchmark "${id}". Known benchmarks: ${BENCHMARKS.map((b) => b.id).join(', ')}, or "all".`);
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

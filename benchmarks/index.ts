/**
 * Registered benchmarks: the one list the CLI, compare, the leaderboard and the data command read. Adding one: write
 * its module (benchmarks/<id>/index.ts implementing Benchmark; a held-out pairwise set: definePairwiseSet in
 * benchmarks/heldout/<id>/index.ts), import it here and list it below. Nothing else names benchmarks.
 */
import { UserError } from '../core/errors.ts';
import { aggrefact, aggrefactTuned } from './aggrefact/index.ts';
import type { AnyBenchmark } from './benchmark.ts';
import { cobbler } from './cobbler/index.ts';
import { alpacafarm } from './heldout/alpacafarm/index.ts';
import { contrastiveSearch } from './heldout/contrastive-search/index.ts';
import { copoem } from './heldout/copoem/index.ts';
import { expertLfqa } from './heldout/expert-lfqa/index.ts';
import { hhh } from './heldout/hhh/index.ts';
import { litmt } from './heldout/litmt/index.ts';
import { llmbar } from './heldout/llmbar/index.ts';
import { JUDGEBENCH } from './judgebench/index.ts';
import { rankgen } from './heldout/rankgen/index.ts';
import { dipper } from './pointwise/dipper/index.ts';
import { helpsteer } from './pointwise/helpsteer/index.ts';
import { newsroom } from './pointwise/newsroom/index.ts';
import { summfeedback } from './pointwise/summfeedback/index.ts';
import { usrPersonaChat } from './pointwise/usr-personachat/index.ts';
import { usrTopicalChat } from './pointwise/usr-topicalchat/index.ts';
import { rewardbench } from './rewardbench/index.ts';

/** FLAMe's Table 1, in its column order: what "--benchmark all" runs (each one whose data is present). */
export const BENCHMARKS: readonly AnyBenchmark[] = [
  aggrefact,
  rewardbench,
  helpsteer,
  dipper,
  summfeedback,
  alpacafarm,
  rankgen,
  contrastiveSearch,
  litmt,
  hhh,
  copoem,
  expertLfqa,
];

/** Run only when named: other human-judgment sets, and other protocols over the same data. */
export const OTHER_BENCHMARKS: readonly AnyBenchmark[] = [
  llmbar,
  aggrefactTuned,
  newsroom,
  usrPersonaChat,
  usrTopicalChat,
  cobbler,
];

/** Beyond FLAMe's Table 1, what "--benchmark all" runs too (each one whose data is present): JudgeBench's splits. */
export const ALSO_IN_ALL: readonly AnyBenchmark[] = [...JUDGEBENCH];

/** Every registered benchmark, in listing order. */
export const REGISTERED: readonly AnyBenchmark[] = [...BENCHMARKS, ...ALSO_IN_ALL, ...OTHER_BENCHMARKS];

/** Names that stand for several benchmarks: "all", and a set published in parts that are scored apart. */
export const BENCHMARK_GROUPS: ReadonlyMap<string, readonly AnyBenchmark[]> = new Map([
  ['all', [...BENCHMARKS, ...ALSO_IN_ALL]],
  ['judgebench', JUDGEBENCH],
]);

export function getBenchmark(id: string): AnyBenchmark {
  const found = REGISTERED.find((b) => b.id === id);
  if (!found) {
    const known = REGISTERED.map((b) => b.id).join(', ');
    const groups = [...BENCHMARK_GROUPS]
      .filter(([name]) => name !== 'all')
      .map(([name, members]) => `${name} (${members.map((b) => b.id).join(' and ')})`);
    throw new UserError(`unknown benchmark "${id}". Known benchmarks: ${[known, ...groups].join(', ')}, or "all".`);
  }
  return found;
}

/** The benchmarks a name stands for: a group's members, or the one benchmark of that id. */
export function benchmarksNamed(name: string): AnyBenchmark[] {
  return [...(BENCHMARK_GROUPS.get(name) ?? [getBenchmark(name)])];
}

function specNames(spec: string): string[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** "rewardbench", "a,b", a group ("judgebench") or "all". */
export function selectBenchmarks(spec: string): AnyBenchmark[] {
  const ids = specNames(spec);
  if (ids.length === 0) throw new UserError('no benchmark given: use --benchmark <id>');
  return [...new Set(ids.flatMap(benchmarksNamed))];
}

/**
 * Whether --benchmark names a group ("all", "judgebench"): its members that have no data, or that the judge cannot
 * answer, are skipped with a note. A benchmark named by its own id must run.
 */
export function namesGroup(spec: string): boolean {
  return specNames(spec).some((name) => BENCHMARK_GROUPS.has(name));
}

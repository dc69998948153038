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

export function getBenchmark(id: string): AnyBenchmark {
  const found = [...BENCHMARKS, ...OTHER_BENCHMARKS].find((b) => b.id === id);
  if (!found) {
    const known = [...BENCHMARKS, ...OTHER_BENCHMARKS].map((b) => b.id).join(', ');
    throw new UserError(`unknown benchmark "${id}". Known benchmarks: ${known}, or "all".`);
  }
  return found;
}

/** "rewardbench", "a,b" or "all". */
export function selectBenchmarks(spec: string): AnyBenchmark[] {
  if (spec.trim() === 'all') return [...BENCHMARKS];
  const ids = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new UserError('no benchmark given: use --benchmark <id>');
  return [...new Set(ids)].map(getBenchmark);
}

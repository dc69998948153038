/**
 * The CLI with one more benchmark, for `npm run bench`'s scale section: `rewardbench-scale`, RewardBench's items
 * repeated under new ids ("<subset>/<id>#<copy>") up to $BENCH_SCALE_ITEMS items (default 100,000), scored as
 * RewardBench. Copies share their original's texts, so what grows with the item count is what the harness itself
 * keeps per item (prepared tasks, prompt hashes, stored rows, results), not the loaded data.
 *
 * `npm run bench` bundles it as the CLI is bundled (harness/bundle.mjs) and runs it with plain node; by hand:
 * node --import tsx bench/scale-cli.ts eval --benchmark rewardbench-scale ...   (any CLI arguments)
 */
import type { AnyBenchmark } from '../benchmarks/benchmark.ts';
import { OTHER_BENCHMARKS } from '../benchmarks/index.ts';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import type { RewardBenchItem } from '../benchmarks/rewardbench/loader.ts';

const total = Number(process.env.BENCH_SCALE_ITEMS ?? 100_000);
let repeated: RewardBenchItem[] | undefined;

const scale: AnyBenchmark = {
  ...rewardbench,
  id: 'rewardbench-scale',
  title: `RewardBench ×${total.toLocaleString('en-US')}`,
  description: `RewardBench's items repeated under new ids to ${total} items (npm run bench only)`,
  async load(dataDir: string) {
    if (repeated) return repeated;
    const items = await rewardbench.load(dataDir);
    repeated = Array.from({ length: total }, (_, i) => {
      const item = items[i % items.length]!;
      return { ...item, id: `${item.id}#${Math.floor(i / items.length)}`, index: i };
    });
    return repeated;
  },
} as AnyBenchmark;

// The registry is a plain array: this process's CLI sees one more benchmark.
(OTHER_BENCHMARKS as AnyBenchmark[]).push(scale);
await import('../harness/cli.ts');

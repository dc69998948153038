/**
 * Which items a run covers (--sample per task group, --limit) and exactly what each is asked: the prepared task,
 * its rendered FLAMe prompt and the prompt's hash (part of the store key), plus the mirrored order for --swap.
 */
import type { AnyBenchmark, Prepared } from '../benchmarks/benchmark.ts';
import { renderPrompt } from '../judges/prompt.ts';
import { sha256 } from './hash.ts';
import { mirrorPair } from './positions.ts';
import { sampleItems } from './sample.ts';

export interface Presentation {
  prepared: Prepared<unknown>;
  prompt: string;
  promptHash: string;
}

export interface PreparedItem extends Presentation {
  item: { id: string; sampleGroup?: string };
  /** The same item with A and B exchanged, when --swap asks both orders. */
  swapped?: Presentation;
}

export interface SelectOptions {
  sample?: number;
  limit?: number;
  swap?: boolean;
}

function present(prepared: Prepared<unknown>): Presentation {
  const prompt = renderPrompt(prepared.instructions, prepared.task);
  return { prepared, prompt, promptHash: sha256(prompt) };
}

/** The items of a benchmark this run covers, and the exact prompt (and its hash) each is asked with. */
export async function prepareItems(benchmark: AnyBenchmark, dataDir: string, seed: number, select: SelectOptions = {}): Promise<PreparedItem[]> {
  let items: { id: string; sampleGroup?: string }[] = await benchmark.load(dataDir);
  if (select.sample !== undefined && !benchmark.runInFull) items = sampleItems(items, select.sample, seed, benchmark.id);
  if (select.limit !== undefined) items = items.slice(0, select.limit);
  return items.map((item) => {
    const prepared = benchmark.prepare(item, seed) as Prepared<unknown>;
    const entry: PreparedItem = { item, ...present(prepared) };
    if (select.swap && prepared.task.kind === 'pairwise') {
      entry.swapped = present(mirrorPair(prepared));
    }
    return entry;
  });
}

/**
 * `npm run bench`: how much the harness itself costs per item, with judges that answer instantly, so the
 * numbers are the harness's (loading, prompt rendering and hashing, store writes, scoring), not a model's.
 * Exits non-zero when a target is missed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { loadRewardBench } from '../benchmarks/rewardbench/loader.ts';
import { createJudge } from '../judges/index.ts';
import { resolveDataDir } from './data-dir.ts';
import { prepareItems, runEval } from './run.ts';
import { Store } from './store.ts';

interface Measure {
  name: string;
  value: number;
  unit: string;
  /** Lower bound (for rates) or upper bound (for times and memory). */
  target: number;
  higherIsBetter: boolean;
}

const dataDir = resolveDataDir(undefined);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autorater-bench-'));
const measures: Measure[] = [];
const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
};

const [, loadMs] = await time(() => loadRewardBench(dataDir));
measures.push({ name: 'load RewardBench parquet (2,985 rows)', value: loadMs, unit: 'ms', target: 1500, higherIsBetter: false });

const [, prepareMs] = await time(() => prepareItems(rewardbench, dataDir, 0));
measures.push({ name: 'render + hash 2,985 prompts', value: prepareMs, unit: 'ms', target: 500, higherIsBetter: false });

const store = Store.open(path.join(dir, 'bench.sqlite'));
const judge = await createJudge('longer-wins', { dataDir, seed: 0 });
const [, freshMs] = await time(() => runEval({ judge, benchmarks: [rewardbench], dataDir, seed: 0, store, progress: false }));
measures.push({ name: 'fresh run, instant judge (each judgment committed)', value: 2985 / (freshMs / 1000), unit: 'items/s', target: 5000, higherIsBetter: true });

const [, cachedMs] = await time(() => runEval({ judge, benchmarks: [rewardbench], dataDir, seed: 0, store, progress: false }));
measures.push({ name: 'rerun answered from the store', value: cachedMs, unit: 'ms', target: 1000, higherIsBetter: false });

const replays = ['Skywork/Skywork-Reward-Gemma-2-27B', 'openbmb/UltraRM-13b', 'allenai/tulu-2-dpo-70b', 'internlm/internlm2-20b-reward', 'weqweasdas/RM-Gemma-7B'];
const [, replayMs] = await time(async () => {
  for (const model of replays) {
    const replay = await createJudge(`replay:${model}`, { dataDir, seed: 0 });
    await runEval({ judge: replay, benchmarks: [rewardbench], dataDir, seed: 0, store, progress: false });
  }
});
measures.push({ name: 'replay of one published model, end to end', value: replayMs / replays.length, unit: 'ms', target: 1000, higherIsBetter: false });

store.close();
const rssMb = process.memoryUsage().rss / 1e6;
measures.push({ name: 'resident memory after all of the above', value: rssMb, unit: 'MB', target: 600, higherIsBetter: false });
fs.rmSync(dir, { recursive: true, force: true });

let failed = 0;
for (const m of measures) {
  const ok = m.higherIsBetter ? m.value >= m.target : m.value <= m.target;
  if (!ok) failed += 1;
  const bound = `${m.higherIsBetter ? '≥' : '≤'} ${m.target}`;
  console.log(`${ok ? 'ok  ' : 'MISS'} ${m.name.padEnd(52)} ${m.value.toFixed(m.value < 10 ? 2 : 0).padStart(8)} ${m.unit.padEnd(8)} (target ${bound})`);
}
process.exitCode = failed > 0 ? 1 : 0;

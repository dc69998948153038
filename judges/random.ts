/**
 * Random baseline for every task kind: A or B, a uniform rating on the scale, or supported with probability
 * 1/2. The draw is a hash of (seed, benchmark, item, prompt), so a rerun with the same --seed gives the same
 * answers in any order and at any concurrency.
 */
import { UserError } from '../core/errors.ts';
import { uniform } from '../core/hash.ts';
import type { Verdict } from '../protocol/tasks.ts';
import type { JudgeFactory } from './judge.ts';

export const random: JudgeFactory = {
  name: 'random',
  usage: 'random',
  description: 'baseline: a uniformly random answer (A/B, a rating on the scale, yes/no), seeded by --seed',
  async create(arg, context) {
    if (arg !== undefined)
      throw new UserError(`random takes no argument; set the seed with --seed (got "random:${arg}")`);
    const seed = context.seed;
    return {
      id: 'random',
      config: { adapter: 'random', seed },
      tasks: ['pairwise', 'pointwise', 'classification'],
      concurrency: 1,
      async judge(request) {
        const draw = uniform('random-judge', seed, request.benchmark, request.itemId, request.prompt);
        const task = request.task;
        let verdict: Verdict;
        switch (task.kind) {
          case 'pairwise':
            verdict = { kind: 'pairwise', choice: draw < 0.5 ? 'A' : 'B' };
            break;
          case 'pointwise': {
            const { min, max } = task.scale;
            verdict = { kind: 'pointwise', score: min + Math.floor(draw * (max - min + 1)) };
            break;
          }
          case 'classification':
            // P(supported) uniform and consistent with the yes/no (p > 0.5 exactly when supported), so a scorer that
            // thresholds p (LLM-AggreFact, as MiniCheck) sees the coin flip, not "never supported".
            verdict = { kind: 'classification', supported: draw < 0.5, probability: 1 - draw };
            break;
        }
        return { type: 'verdict', verdict };
      },
    };
  },
};

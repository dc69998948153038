/**
 * Random baseline: A or B with equal probability. The draw is a hash of (seed, benchmark, item, prompt), so a
 * rerun with the same --seed gives the same answers in any order and at any concurrency.
 */
import { UserError } from '../harness/errors.ts';
import { uniform } from '../harness/hash.ts';
import type { JudgeFactory } from './judge.ts';

export const random: JudgeFactory = {
  name: 'random',
  usage: 'random',
  description: 'baseline: picks A or B uniformly at random, seeded by --seed',
  async create(arg, context) {
    if (arg !== undefined) throw new UserError(`random takes no argument; set the seed with --seed (got "random:${arg}")`);
    const seed = context.seed;
    return {
      id: 'random',
      config: { adapter: 'random', seed },
      tasks: ['pairwise'],
      concurrency: 1,
      async judge(request) {
        if (request.task.kind !== 'pairwise') throw new Error('random only judges pairwise tasks');
        const draw = uniform('random-judge', seed, request.benchmark, request.itemId, request.prompt);
        return { type: 'verdict', verdict: { kind: 'pairwise', choice: draw < 0.5 ? 'A' : 'B' } };
      },
    };
  },
};

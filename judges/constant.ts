/**
 * Constant baseline: the same answer for every item. For ratings, `constant` answers the middle of the
 * task's scale (rounded up) and `constant:<n>` answers n; for claims, `constant` says supported and
 * `constant:no` says not. A sanity row: its exact-match accuracy is the share of items humans rated that value,
 * its correlations are undefined, and its balanced accuracy is exactly 50.
 */
import { UserError } from '../core/errors.ts';
import type { JudgeFactory } from './judge.ts';

export const constant: JudgeFactory = {
  name: 'constant',
  usage: 'constant[:<n>|:no]',
  description: 'baseline: the same rating for every item (default: the middle of the scale), or always "supported"',
  async create(arg) {
    const fixed = arg === undefined || arg === 'yes' || arg === 'no' ? undefined : Number(arg);
    if (fixed !== undefined && !Number.isInteger(fixed)) {
      throw new UserError(`constant takes an integer rating, "yes" or "no" (got "constant:${arg}")`);
    }
    const id = arg === undefined ? 'constant' : `constant:${arg}`;
    return {
      id,
      config: { adapter: 'constant', value: arg ?? 'middle' },
      tasks: fixed === undefined ? ['pointwise', 'classification'] : ['pointwise'],
      concurrency: 1,
      async judge(request) {
        const task = request.task;
        if (task.kind === 'classification') {
          return {
            type: 'verdict',
            verdict: { kind: 'classification', supported: arg !== 'no', probability: arg === 'no' ? 0 : 1 },
          };
        }
        if (task.kind !== 'pointwise') throw new Error(`${id} does not answer ${task.kind} tasks`);
        const score = fixed ?? Math.ceil((task.scale.min + task.scale.max) / 2);
        if (score < task.scale.min || score > task.scale.max) {
          throw new Error(`${id}: ${score} is not on this task's ${task.scale.min}-${task.scale.max} scale`);
        }
        return { type: 'verdict', verdict: { kind: 'pointwise', score } };
      },
    };
  },
};

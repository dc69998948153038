/**
 * `replay:<model>`: answers with a model's published per-item RewardBench outcome instead of calling it.
 * The outcome says whether the model preferred the chosen or the rejected response; the judge answers with
 * whichever slot (A or B) holds that response in the prompt it was given, so replays go through exactly the
 * same positions, store and scorer as live judges.
 */
import { loadRewardBench } from '../../benchmarks/rewardbench/loader.ts';
import { UserError } from '../../harness/errors.ts';
import type { Judge, JudgeFactory } from '../judge.ts';
import { isComplete, loadResponseMatrix } from './rewardbench-matrix.ts';

function listing(models: Map<string, (0 | 1 | null)[]>): string {
  return [...models]
    .map(([name, outcomes]) => `  ${name}${isComplete(outcomes) ? '' : '  (incomplete)'}`)
    .join('\n');
}

export const replay: JudgeFactory = {
  name: 'replay',
  usage: 'replay:<model>',
  description: 'published per-item RewardBench results of a reward model, e.g. replay:Skywork/Skywork-Reward-Gemma-2-27B (--judge replay lists them)',
  async create(arg, context): Promise<Judge> {
    const matrix = await loadResponseMatrix(context.dataDir);
    if (!arg) throw new UserError(`replay needs a model: --judge replay:<model>. Models with published results:\n${listing(matrix.models)}`);
    const outcomes = matrix.models.get(arg);
    if (!outcomes) {
      // Suggest models whose name contains what was typed, else models of the same organisation.
      const names = [...matrix.models.keys()];
      const [org, name = org] = arg.toLowerCase().split('/');
      let close = names.filter((m) => m.toLowerCase().includes(name!));
      if (close.length === 0) close = names.filter((m) => m.toLowerCase().startsWith(`${org}/`));
      throw new UserError(
        `no published RewardBench results for "${arg}" in ${matrix.file}.` +
          (close.length > 0 ? ` Did you mean: ${close.slice(0, 5).join(', ')}?` : ' Run --judge replay to list the models.'),
      );
    }
    const items = await loadRewardBench(context.dataDir);
    if (items.length !== matrix.items) {
      throw new UserError(`${matrix.file} has ${matrix.items} items but the RewardBench split has ${items.length}: they do not match.`);
    }
    // The text of the response the model ranked higher, per item.
    const preferred = new Map<string, string>();
    for (const item of items) {
      const outcome = outcomes[item.index];
      if (outcome === 1) preferred.set(item.id, item.chosen);
      else if (outcome === 0) preferred.set(item.id, item.rejected);
    }

    return {
      id: `replay:${arg}`,
      config: { adapter: 'replay', source: 'rewardbench response_matrix.csv', sourceSha256: matrix.sha256, model: arg },
      tasks: ['pairwise'],
      concurrency: 1,
      publishedAs: arg,
      async judge(request) {
        if (request.benchmark !== 'rewardbench' || request.task.kind !== 'pairwise') {
          throw new Error(`${arg} has published results for RewardBench only`);
        }
        const text = preferred.get(request.itemId);
        if (text === undefined) throw new Error(`no published result for item ${request.itemId} from ${arg}`);
        const choice = request.task.responseA === text ? 'A' : request.task.responseB === text ? 'B' : undefined;
        if (!choice) throw new Error(`the published result for ${request.itemId} does not match either response`);
        return { type: 'verdict', verdict: { kind: 'pairwise', choice } };
      },
    };
  },
};

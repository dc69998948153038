/**
 * `replay:<model>`, `replay:llmbar/<judge>/<strategy>` and `replay:judgebench/<judge_name>/<judge_model>` (see
 * ./judgebench.ts): answer with published per-item results instead of
 * calling a model. A recorded result says which response the model preferred; the judge answers with whichever
 * slot (A or B) holds that response in the prompt it was given, so replays go through exactly the same
 * positions, store and scorer as live judges.
 */
import { loadRewardBench } from '../../benchmarks/rewardbench/loader.ts';
import { UserError } from '../../core/errors.ts';
import type { PairwiseChoice } from '../../protocol/tasks.ts';
import type { Judge, JudgeContext, JudgeFactory, JudgeReply } from '../judge.ts';
import { judgebenchJudge, listJudgeBenchOutputs } from './judgebench.ts';
import { listLLMBarReplays, loadLLMBarReplay, type LLMBarRecord } from './llmbar.ts';
import { isComplete, loadResponseMatrix } from './rewardbench-matrix.ts';

function listing(models: Map<string, (0 | 1 | null)[]>): string {
  return [...models].map(([name, outcomes]) => `  ${name}${isComplete(outcomes) ? '' : '  (incomplete)'}`).join('\n');
}

/** `replay:llmbar/<judge>/<strategy>`: LLMBar's recorded GPT-4 (etc.) judgments, in whichever order is asked. */
async function llmbarJudge(spec: string, context: JudgeContext): Promise<Judge> {
  const [evaluator, strategy, ...rest] = spec.split('/');
  const available = await listLLMBarReplays(context.dataDir);
  if (!evaluator || !strategy || rest.length > 0 || !available.includes(`${evaluator}/${strategy}`)) {
    throw new UserError(
      `${spec ? `no LLMBar results for "${spec}". ` : ''}Use --judge replay:llmbar/<judge>/<strategy>, one of:\n` +
        available.map((a) => `  llmbar/${a}`).join('\n'),
    );
  }
  const source = await loadLLMBarReplay(context.dataDir, evaluator, strategy);
  // Keyed by the texts as presented: (prompt, response A, response B) in either order.
  const byPresentation = new Map<string, { record: LLMBarRecord; order: 'original' | 'swapped' }>();
  const key = (context: string, a: string, b: string): string => `${context}\u0000${a}\u0000${b}`;
  for (const record of source.records) {
    byPresentation.set(key(record.input, record.output1, record.output2), { record, order: 'original' });
    byPresentation.set(key(record.input, record.output2, record.output1), { record, order: 'swapped' });
  }
  const id = `replay:llmbar/${evaluator}/${strategy}`;
  return {
    id,
    config: { adapter: 'replay', source: 'llmbar', evaluator, strategy, sourceSha256: source.sha256 },
    tasks: ['pairwise'],
    // LLMBar's items, which RewardBench's llmbar-* subsets also hold (its other items are errors that say so).
    benchmarks: ['llmbar', 'rewardbench'],
    concurrency: 1,
    async judge(request): Promise<JudgeReply> {
      const task = request.task;
      if (task.kind !== 'pairwise') throw new Error(`${id} has results for pairwise LLMBar items only`);
      const found = byPresentation.get(key(task.context, task.responseA, task.responseB));
      if (!found)
        throw new Error(
          `no recorded ${evaluator}/${strategy} judgment for item ${request.itemId} (not an LLMBar item)`,
        );
      const { record, order } = found;
      const decision = order === 'original' ? record.original : record.swapped;
      if (decision.winner === null) {
        return { type: 'invalid', reason: `LLMBar found no winner in ${evaluator}'s reply`, raw: decision.completion };
      }
      const winnerText = decision.winner === '1' ? record.output1 : record.output2;
      const choice: PairwiseChoice = task.responseA === winnerText ? 'A' : 'B';
      return { type: 'verdict', verdict: { kind: 'pairwise', choice }, note: decision.completion };
    },
  };
}

export const replay: JudgeFactory = {
  name: 'replay',
  usage: 'replay:<model>',
  description:
    'published per-item results: a reward model on RewardBench (replay:Skywork/Skywork-Reward-Gemma-2-27B), ' +
    'an LLM judge on LLMBar (replay:llmbar/GPT-4/Vanilla), or a judge on JudgeBench ' +
    '(replay:judgebench/arena_hard/o1-mini-2024-09-12); --judge replay lists them',
  async create(arg, context): Promise<Judge> {
    if (arg === 'llmbar' || arg?.startsWith('llmbar/')) return llmbarJudge(arg.slice('llmbar/'.length), context);
    if (arg === 'judgebench' || arg?.startsWith('judgebench/')) {
      return judgebenchJudge(arg.slice('judgebench/'.length), context);
    }
    const matrix = await loadResponseMatrix(context.dataDir);
    if (!arg) {
      const llmbar = await listLLMBarReplays(context.dataDir).catch(() => []);
      const judgebench = await listJudgeBenchOutputs(context.dataDir).catch(() => new Map());
      throw new UserError(
        'replay needs a source: --judge replay:<model> (RewardBench, reward models), ' +
          'replay:llmbar/<judge>/<strategy> (LLMBar, LLM judges) or replay:judgebench/<judge_name>/<judge_model> ' +
          '(JudgeBench).\n' +
          `Reward models with published RewardBench results:\n${listing(matrix.models)}\n` +
          `LLM judges with published LLMBar results:\n${llmbar.map((a) => `  llmbar/${a}`).join('\n')}\n` +
          `Judges with published JudgeBench outputs:\n` +
          [...judgebench.keys()].map((a) => `  judgebench/${a}`).join('\n'),
      );
    }
    const outcomes = matrix.models.get(arg);
    if (!outcomes) {
      // Suggest models whose name contains what was typed, else models of the same organisation.
      const names = [...matrix.models.keys()];
      const [org, name = org] = arg.toLowerCase().split('/');
      let close = names.filter((m) => m.toLowerCase().includes(name!));
      if (close.length === 0) close = names.filter((m) => m.toLowerCase().startsWith(`${org}/`));
      throw new UserError(
        `no published RewardBench results for "${arg}" in ${matrix.file}.` +
          (close.length > 0
            ? ` Did you mean: ${close.slice(0, 5).join(', ')}?`
            : ' Run --judge replay to list the models.'),
      );
    }
    const items = await loadRewardBench(context.dataDir);
    if (items.length !== matrix.items) {
      throw new UserError(
        `${matrix.file} has ${matrix.items} items but the RewardBench split has ${items.length}: they do not match.`,
      );
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
      benchmarks: ['rewardbench'],
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

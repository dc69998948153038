/**
 * The judge registry: factories keyed by name. A judge id is "name" or "name:argument"
 * (e.g. "replay:Skywork/Skywork-Reward-Gemma-2-27B"). Adding a judge: one module exporting a JudgeFactory,
 * plus one line here.
 */
import { UserError } from '../harness/errors.ts';
import { constant } from './constant.ts';
import type { Judge, JudgeContext, JudgeFactory } from './judge.ts';
import { longerWins, shorterWins } from './length.ts';
import { random } from './random.ts';
import { replay } from './replay/index.ts';

export const JUDGE_FACTORIES: readonly JudgeFactory[] = [longerWins, shorterWins, random, constant, replay];

export function splitJudgeId(id: string): { name: string; arg: string | undefined } {
  const colon = id.indexOf(':');
  return colon < 0 ? { name: id, arg: undefined } : { name: id.slice(0, colon), arg: id.slice(colon + 1) };
}

export async function createJudge(id: string, context: JudgeContext): Promise<Judge> {
  const { name, arg } = splitJudgeId(id.trim());
  const factory = JUDGE_FACTORIES.find((f) => f.name === name);
  if (!factory) {
    throw new UserError(`unknown judge "${id}". Known judges: ${JUDGE_FACTORIES.map((f) => f.usage).join(', ')}.`);
  }
  return factory.create(arg === '' ? undefined : arg, context);
}

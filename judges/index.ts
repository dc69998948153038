/**
 * The judge registry. A judge id is either a built-in factory ("name" or "name:argument", e.g.
 * "replay:Skywork/Skywork-Reward-Gemma-2-27B") or an id from the judge config (autorater.config.json and the
 * user's file), which names a provider adapter (judges/adapters/). Adding a built-in judge: one module exporting a
 * JudgeFactory, plus one line here; adding a model: one entry in a config file.
 */
import { UserError } from '../core/errors.ts';
import { createModelJudge } from './adapters/llm-judge.ts';
import { loadJudgeConfig, resolveJudgeSpec, type ConfigSources } from './config.ts';
import { constant } from './constant.ts';
import type { Judge, JudgeContext, JudgeFactory } from './judge.ts';
import { longerWins, shorterWins } from './length.ts';
import { local } from './local.ts';
import { random } from './random.ts';
import { replay } from './replay/index.ts';

export const JUDGE_FACTORIES: readonly JudgeFactory[] = [longerWins, shorterWins, random, constant, replay, local];

function splitJudgeId(id: string): { name: string; arg: string | undefined } {
  const colon = id.indexOf(':');
  return colon < 0 ? { name: id, arg: undefined } : { name: id.slice(0, colon), arg: id.slice(colon + 1) };
}

/** Configured ids with their descriptions, for --help and error messages. */
export function configuredJudges(sources: ConfigSources = {}): { id: string; description: string }[] {
  const entries = loadJudgeConfig(sources);
  return [...entries.keys()].map((id) => {
    const spec = resolveJudgeSpec(id, entries)!;
    return { id, description: `${spec.adapter}: ${spec.description ?? spec.model}` };
  });
}

export async function createJudge(id: string, context: JudgeContext): Promise<Judge> {
  const { name, arg } = splitJudgeId(id.trim());
  const factory = JUDGE_FACTORIES.find((f) => f.name === name);
  if (factory) return factory.create(arg === '' ? undefined : arg, context);

  const sources = { userFile: context.configFile };
  const spec = resolveJudgeSpec(id.trim(), loadJudgeConfig(sources));
  if (spec) return createModelJudge(spec, context.env ?? process.env);
  const configured = configuredJudges(sources).map((j) => j.id);
  throw new UserError(
    `unknown judge "${id}". Known judges: ${JUDGE_FACTORIES.map((f) => f.usage).join(', ')}; ` +
      `configured: ${configured.join(', ')}. ` +
      'Add your own in a config file (see README, "Judges backed by models").',
  );
}

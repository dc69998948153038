/**
 * The judge registry. A judge id is either a built-in factory ("name" or "name:argument", e.g.
 * "replay:Skywork/Skywork-Reward-Gemma-2-27B") or an id from the judge config (autorater.config.json and the
 * user's file), which names a provider adapter (judges/adapters/). Adding a built-in judge: one module exporting a
 * JudgeFactory, plus one line here; adding a model: one entry in a config file.
 */
import { UserError } from '../core/errors.ts';
import { createModelJudge } from './adapters/llm-judge.ts';
import { loadJudgeConfig, loadJuryConfig, resolveJudgeSpec, type ConfigSources } from './config.ts';
import { constant } from './constant.ts';
import type { Judge, JudgeContext, JudgeFactory } from './judge.ts';
import { JURY_PREFIX, createJury, juryMemberIds, type JuryDefinition } from './jury.ts';
import { longerWins, shorterWins } from './length.ts';
import { local } from './local.ts';
import { random } from './random.ts';
import { replay } from './replay/index.ts';

export const JUDGE_FACTORIES: readonly JudgeFactory[] = [longerWins, shorterWins, random, constant, replay, local];

function splitJudgeId(id: string): { name: string; arg: string | undefined } {
  const colon = id.indexOf(':');
  return colon < 0 ? { name: id, arg: undefined } : { name: id.slice(0, colon), arg: id.slice(colon + 1) };
}

/** Configured ids (judges, then named juries) with their descriptions, for --help and error messages. */
export function configuredJudges(sources: ConfigSources = {}): { id: string; description: string }[] {
  const entries = loadJudgeConfig(sources);
  const judges = [...entries.keys()].map((id) => {
    const spec = resolveJudgeSpec(id, entries)!;
    return { id, description: `${spec.adapter}: ${spec.description ?? spec.model}` };
  });
  const juries = [...loadJuryConfig(sources)].map(([id, { entry }]) => ({
    id,
    description: `jury of ${entry.members.join(', ')}${entry.description ? `: ${entry.description}` : ''}`,
  }));
  return [...judges, ...juries];
}

/** A jury's definition when `id` names one ("jury:a,b,c", or a named jury in the config); else undefined. */
function juryDefinition(id: string, context: Pick<JudgeContext, 'configFile' | 'juryAggregate'>) {
  const adHoc = juryMemberIds(id);
  if (adHoc) return { members: adHoc, aggregate: context.juryAggregate ?? 'mean' } satisfies JuryDefinition;
  const named = loadJuryConfig({ userFile: context.configFile }).get(id);
  if (!named) return undefined;
  const { members, aggregate } = named.entry;
  return {
    members,
    aggregate: context.juryAggregate ?? aggregate ?? 'mean',
    file: named.file,
  } satisfies JuryDefinition;
}

/** A built-in judge (a factory's name, with or without its argument): the judge config does not apply to it. */
export function isBuiltInJudge(id: string): boolean {
  const { name } = splitJudgeId(id.trim());
  return JUDGE_FACTORIES.some((f) => f.name === name);
}

/** The note for a judge config given to a command whose judges are all built-in: nothing reads it. */
export function unusedConfigNote(configFile: string | undefined, ids: readonly string[]): string | undefined {
  const asking = ids.flatMap((id) => juryMemberIds(id) ?? [id]); // a jury's members do the asking
  if (configFile === undefined || configFile === process.env.AUTORATER_CONFIG || !asking.every(isBuiltInJudge)) {
    return undefined;
  }
  const which = ids.length === 1 ? `${ids[0]} is a built-in judge` : 'these judges are all built-in';
  return `--config ${configFile} is not used: ${which} (the judge config defines judges backed by models).`;
}

/**
 * Throws what createJudge would for an id that names no judge, without creating one (nothing is loaded or
 * contacted): for commands that check every id before any work. A built-in's argument is checked when it is made.
 */
export function checkJudgeId(id: string, configFile?: string): void {
  if (isBuiltInJudge(id)) return;
  const jury = juryDefinition(id.trim(), { configFile });
  if (jury) {
    for (const member of jury.members)
      if (member !== '' && !juryDefinition(member, { configFile })) checkJudgeId(member, configFile);
    return; // the rest (nesting, sizes) is checked when the jury is made
  }
  const sources = { userFile: configFile };
  if (!resolveJudgeSpec(id.trim(), loadJudgeConfig(sources))) throw unknownJudge(id, sources);
}

export async function createJudge(id: string, context: JudgeContext): Promise<Judge> {
  const { name, arg } = splitJudgeId(id.trim());
  const factory = JUDGE_FACTORIES.find((f) => f.name === name);
  if (factory) return factory.create(arg === '' ? undefined : arg, context);
  const jury = juryDefinition(id.trim(), context);
  if (jury) return createJury(id.trim(), jury, (member) => createJudge(member, context));

  const sources = { userFile: context.configFile };
  const spec = resolveJudgeSpec(id.trim(), loadJudgeConfig(sources));
  if (spec) return createModelJudge(spec, context.env ?? process.env, context.readOnly === true);
  throw unknownJudge(id, sources);
}

function unknownJudge(id: string, sources: ConfigSources): UserError {
  const configured = configuredJudges(sources).map((j) => j.id);
  return new UserError(
    `unknown judge "${id}". Known judges: ${JUDGE_FACTORIES.map((f) => f.usage).join(', ')}; ` +
      `configured: ${configured.join(', ')}. Juries: ${JURY_PREFIX}<id>,<id>,... (README, "Juries"). ` +
      'Add your own in a config file (see README, "Judges backed by models").',
  );
}

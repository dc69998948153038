/**
 * Egocentric bias needs the judge to be one of the 15 generators whose responses are compared. A judge's id (or
 * the id it is published under) maps to a generator here; everything else is an outside judge, for which
 * Koo et al. leave the rate undefined.
 *
 * Koo et al.'s "chatgpt" and "gpt4" are the gpt-3.5-turbo and gpt-4 of mid-2023 and "instructgpt" is
 * text-davinci-003; later snapshots of the same model count as the same generator. gpt-4o and GPT-4 Turbo
 * are different models and do not. A judge whose id is a generator's name (e.g. a config entry "falcon") is it.
 */
const BY_JUDGE: Readonly<Record<string, string>> = {
  'gpt-3.5-turbo': 'chatgpt',
  'gpt-3.5-turbo-0301': 'chatgpt',
  'gpt-3.5-turbo-0613': 'chatgpt',
  'gpt-3.5-turbo-0125': 'chatgpt',
  'openai/gpt-3.5-turbo-0125': 'chatgpt',
  'gpt-4': 'gpt4',
  'gpt-4-0314': 'gpt4',
  'gpt-4-0613': 'gpt4',
  'gpt-4-0125': 'gpt4',
  'gpt-4-0125-preview': 'gpt4',
  'openai/gpt-4-0125-preview': 'gpt4',
  'text-davinci-003': 'instructgpt',
};

/** The generator a judge is, or null for an outside judge. */
export function generatorOf(generators: readonly string[], judgeId: string, publishedAs?: string): string | null {
  for (const id of [judgeId, publishedAs]) {
    if (id === undefined) continue;
    if (generators.includes(id)) return id;
    const mapped = BY_JUDGE[id];
    if (mapped !== undefined && generators.includes(mapped)) return mapped;
  }
  return null;
}

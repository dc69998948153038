/**
 * Reads the original USR PersonaChat release (shikib.com/pc_usr_data.json, kept by the parea-ai/JUDGE-BENCH fork
 * as data/persona_chat/original_data/persona_chat.json; see pointwise/SOURCES.md): a list of 60 contexts, each
 * with `context` (turns separated by "\n"), `fact` (persona lines), 3 `annotators` and 5 `responses`; each
 * response has `response`, `model` and, per quality ("Understandable", "Natural", "Maintains Context",
 * "Engaging", "Uses Knowledge", "Overall"), the list of the 3 annotators' integer ratings.
 */
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import { pullAgain, requireExactRowCount, whereToGet } from '../../data-text.ts';
import { parseRecord, readJson, requireOnScale, singleFileLoader } from '../files.ts';
import { humanRating } from '../labels.ts';
import { type Criterion, type RatedItem, ratedItem } from '../types.ts';
import { usrContext } from '../usr.ts';

export const PERSONACHAT_FILE = 'pointwise/usr-personachat/persona_chat.json';
/** Contexts in the pinned file (the data folder's pointwise/SOURCES.md): 60 contexts × 5 responses. */
const PERSONACHAT_CONTEXTS = 60;
/** Rated responses in the pinned file: 5 per context (2 human-written, 3 models). */
const PERSONACHAT_RESPONSES = 300;

const contextShape = z.object({
  context: z.string(),
  fact: z.string(),
  annotators: z.array(z.string()).min(1),
  responses: z.array(z.record(z.string(), z.unknown())).min(1),
});
const responseText = z.object({ response: z.string(), model: z.string() });
const ratingList = z.array(z.number().int()).min(1);

export async function readPersonaChatFile(file: string, criteria: readonly Criterion[]): Promise<RatedItem[]> {
  const json = await readJson(file);
  const contexts = parseRecord(
    z.array(z.unknown()),
    json.value,
    file,
    'top level',
    'a list of dialogue contexts (USR pc_usr_data.json)',
  );
  const items: RatedItem[] = [];
  let responses = 0;
  contexts.forEach((rawContext, c) => {
    const context = parseRecord(
      contextShape,
      rawContext,
      file,
      json.where(c, 'context'),
      'context, fact, annotators and responses',
    );
    const prompt = usrContext('persona', context.fact, context.context);
    responses += context.responses.length;
    context.responses.forEach((rawResponse, r) => {
      const line = json.lineOf(r, [c, 'responses']);
      const where = `${line === undefined ? '' : `line ${line} `}(context ${c}, response ${r})`;
      const response = parseRecord(responseText, rawResponse, file, where, 'response and model');
      for (const criterion of criteria) {
        const ratings = parseRecord(
          ratingList,
          rawResponse[criterion.title],
          file,
          `${where}, "${criterion.title}"`,
          'a list of integer ratings',
        );
        requireOnScale(ratings, criterion, file, where, criterion.title);
        if (ratings.length !== context.annotators.length) {
          throw new DataError(
            `${file}: ${where}, "${criterion.title}": ${ratings.length} ratings for ` +
              `${context.annotators.length} annotators.`,
          );
        }
        items.push(
          ratedItem(`${c}-${r}`, criterion, {
            context: prompt,
            response: response.response.trim(),
            labels: { context: 'persona and conversation history', response: 'response' },
            // SOURCES.md: "Aggregate by rounded mean or majority. With 3 raters, a majority exists except for
            // all-different triples": the majority is a rating people gave, so it is preferred.
            human: humanRating(ratings, 'majority'),
            meta: { system: response.model, context: c },
          }),
        );
      }
    });
  });
  if (items.length === 0) throw new DataError(`${file}: has no responses.`);
  requireExactRowCount(file, contexts.length, PERSONACHAT_CONTEXTS, 'contexts', pullAgain('usr-personachat'));
  // The responses are the rows: a context that lost one still counts 60 contexts.
  requireExactRowCount(file, responses, PERSONACHAT_RESPONSES, 'responses', pullAgain('usr-personachat'));
  return items;
}

export function personaChatLoader(criteria: readonly Criterion[]): (dataDir: string) => Promise<RatedItem[]> {
  return singleFileLoader(
    'USR PersonaChat ratings (pc_usr_data.json)',
    [PERSONACHAT_FILE],
    whereToGet('usr-personachat'),
    (file) => readPersonaChatFile(file, criteria),
  );
}

/**
 * Reads the Newsroom human evaluation (Grusky et al., NAACL 2018) in JUDGE-BENCH's conversion
 * (dmg-illc/JUDGE-BENCH data/newsroom/newsroom.json; see the data folder's pointwise/SOURCES.md):
 * 420 instances (60 articles × 7 systems), each an `instance` string
 * "### Generated Summary\n\n<summary>\n\n### Source Article\n\n<title>\n<article>" with, per metric
 * (Informativeness, Relevance, Fluency, Coherence), three 1-5 MTurk ratings (`individual_human_scores`), their
 * `mean_human` (2 decimals) and, only when two or more agree, `majority_human`.
 */
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import { pullAgain, quote, requireExactRowCount, whereToGet } from '../../data-text.ts';
import { parseRecord, readJson, requireOnScale, singleFileLoader } from '../files.ts';
import { humanRating, majority } from '../labels.ts';
import { type Criterion, type RatedItem, ratedItem } from '../types.ts';

export const NEWSROOM_FILE = 'pointwise/newsroom/newsroom.json';
/** Instances in the pinned file (the data folder's pointwise/SOURCES.md): 60 articles × 7 systems. */
export const NEWSROOM_INSTANCES = 420;

const SUMMARY_HEADER = '### Generated Summary\n\n';
const ARTICLE_HEADER = '\n\n### Source Article\n\n';

const metricDeclaration = z.object({ metric: z.string(), prompt: z.string(), worst: z.number(), best: z.number() });
const fileShape = z.object({ annotations: z.array(metricDeclaration), instances: z.array(z.unknown()) });
const ratings = z.object({
  individual_human_scores: z.array(z.number().int()).min(1),
  mean_human: z.number(),
  majority_human: z.number().int().optional(),
});
const instanceShape = z.object({
  id: z.number().int(),
  instance: z.string(),
  annotations: z.record(z.string(), ratings),
});

/** The article still carries the HTML paragraph tags of the crawl; the raters saw paragraphs, so the judge does too. */
function plainParagraphs(html: string): string {
  return html.replace(/<\/p>\s*<p>/g, '\n\n').replace(/<\/?p>/g, '');
}

function splitInstance(text: string, file: string, where: string): { summary: string; article: string } {
  const at = text.indexOf(ARTICLE_HEADER);
  if (!text.startsWith(SUMMARY_HEADER) || at < 0) {
    throw new DataError(
      `${file}: ${where}, "instance": expected "${SUMMARY_HEADER.trim()}", the summary, then ` +
        `"${ARTICLE_HEADER.trim()}" and the article.`,
    );
  }
  return {
    summary: text.slice(SUMMARY_HEADER.length, at).trim(),
    article: plainParagraphs(text.slice(at + ARTICLE_HEADER.length)).trim(),
  };
}

export async function readNewsroomFile(file: string, criteria: readonly Criterion[]): Promise<RatedItem[]> {
  const source = await readJson(file);
  const json = parseRecord(
    fileShape,
    source.value,
    file,
    'top level',
    'JUDGE-BENCH\'s format: "annotations" (metric declarations) and "instances"',
  );

  // The file declares its metrics and scales: they must be the ones our instructions describe.
  for (const criterion of criteria) {
    const declared = json.annotations.find((a) => a.metric === criterion.title);
    if (!declared || declared.worst !== criterion.scale.min || declared.best !== criterion.scale.max) {
      throw new DataError(
        `${file}: "annotations" must declare metric "${criterion.title}" with worst ${criterion.scale.min} and best ` +
          `${criterion.scale.max}; found ` +
          `[${json.annotations.map((a) => `${quote(a.metric, 40)} ${a.worst}-${a.best}`).join(', ')}].`,
      );
    }
  }

  const items: RatedItem[] = [];
  const seen = new Set<number>();
  json.instances.forEach((raw, index) => {
    const where = source.where(index, 'instance', ['instances']);
    const instance = parseRecord(
      instanceShape,
      raw,
      file,
      where,
      'id, instance and annotations with individual_human_scores and mean_human per metric',
    );
    if (seen.has(instance.id)) throw new DataError(`${file}: ${where}: id ${instance.id} occurs twice.`);
    seen.add(instance.id);
    const { summary, article } = splitInstance(instance.instance, file, where);
    for (const criterion of criteria) {
      const rated = instance.annotations[criterion.title];
      if (!rated)
        throw new DataError(
          `${file}: ${where}: no "${criterion.title}" annotations (expected ` +
            `${criteria.map((c) => c.title).join(', ')}).`,
        );
      const scores = rated.individual_human_scores;
      requireOnScale(scores, criterion, file, where, `annotations.${criterion.title}.individual_human_scores`);
      // Cross-check the file's own aggregates against the ratings: a mismatch means the file is not what we think.
      const human = humanRating(scores, 'majority');
      if (Math.abs(human.mean - rated.mean_human) > 0.006 || rated.majority_human !== majority(scores)) {
        throw new DataError(
          `${file}: ${where}, "annotations.${criterion.title}": mean_human ${rated.mean_human} / majority_human ` +
            `${rated.majority_human ?? 'absent'} do not match individual_human_scores [${scores.join(', ')}].`,
        );
      }
      items.push(
        ratedItem(instance.id, criterion, {
          context: article,
          response: summary,
          labels: { context: 'article', response: 'summary' },
          human,
          meta: { instance: instance.id },
        }),
      );
    }
  });
  if (items.length === 0) throw new DataError(`${file}: has no instances.`);
  requireExactRowCount(file, json.instances.length, NEWSROOM_INSTANCES, 'instances', pullAgain('newsroom'));
  return items;
}

export function newsroomLoader(criteria: readonly Criterion[]): (dataDir: string) => Promise<RatedItem[]> {
  return singleFileLoader(
    'Newsroom human evaluation (JUDGE-BENCH newsroom.json)',
    [NEWSROOM_FILE],
    whereToGet('newsroom'),
    (file) => readNewsroomFile(file, criteria),
  );
}

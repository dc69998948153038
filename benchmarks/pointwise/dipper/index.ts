/**
 * Dipper paraphrase evaluation (Krishna et al. 2023, "Paraphrasing evades detectors of AI-generated text, but
 * retrieval is an effective defense"): FLAMe's held-out Dipper column.
 *
 * It cannot be run: the human ratings behind it were never published as a downloadable file (pointwise/SOURCES.md).
 * The authors' repository, martiansideofthemoon/ai-detection-paraphrases (checked at
 * 5df333e200d1cc3015f8d789fba6134f4ac434c8, Apache-2.0), holds code only; its data sits in Google Drive folders
 * linked from the README (open-generation-data, lfqa-data, the DIPPER training zip), and no human-rating file is in
 * any commit, in the authors' other repositories or in the public code searched. With no published file there is
 * no format to read and no scale or question wording we could verify, so no loader or criteria are invented here:
 * loading fails with an explanation, and the paper's Table 1 values remain in the overview.
 */
import { MissingDataError } from '../../../core/errors.ts';
import { likertBenchmark } from '../likert-set.ts';

const DIPPER_UNAVAILABLE =
  'Dipper paraphrase-quality human ratings (Krishna et al. 2023; FLAMe Table 1, Dipper) are not available: no ' +
  'downloadable file of them has been published. martiansideofthemoon/ai-detection-paraphrases (checked at ' +
  '5df333e) holds code only, its data is in Google Drive folders (open-generation-data, lfqa-data, the DIPPER ' +
  'training zip), and no human-rating file was found in any commit or other public copy (see ' +
  'pointwise/SOURCES.md in the data folder). There is no published format to look for, so no path is searched ' +
  'and `npm run data -- pull dipper` has nothing to fetch. Run the other pointwise sets (helpsteer, ' +
  'summfeedback, newsroom, usr-personachat, usr-topicalchat) instead.';

export const dipper = likertBenchmark({
  id: 'dipper',
  title: 'Dipper paraphrase evaluation',
  description:
    'Dipper paraphrase quality (Krishna et al. 2023; FLAMe Table 1, Dipper): human ratings never published, cannot run',
  paperColumn: 'Dipper',
  downloads: [],
  criteria: [],
  taskDefinition: 'You are given a passage and a paraphrase of it. Rate the paraphrase.',
  labelNote: 'No labels: the human ratings were never published.',
  selectionNotes: [],
  async load() {
    throw new MissingDataError(DIPPER_UNAVAILABLE);
  },
});

/**
 * USR PersonaChat turn-level ratings (Mehri & Eskenazi, ACL 2020): 60 contexts × 5 responses = 300 responses,
 * each rated by 3 annotators on 6 qualities: 1,800 items. Not one of FLAMe's sets.
 */
import { likertBenchmark } from '../likert-set.ts';
import { USR_GENERAL_INSTRUCTIONS, USR_SELECTION_NOTES, usrCriteria, usrTaskDefinition } from '../usr.ts';
import { PERSONACHAT_FILE, personaChatLoader } from './loader.ts';

const CRITERIA = usrCriteria('persona');

export const usrPersonaChat = likertBenchmark({
  id: 'usr-personachat',
  title: 'USR PersonaChat',
  description: 'USR PersonaChat: 300 dialogue responses × 6 qualities on their own scales, 3 annotators each',
  downloads: [
    {
      // The original USR release (http://shikib.com/pc_usr_data.json), as the fork's download script saved it.
      description: 'USR PersonaChat ratings, original release (parea-ai/JUDGE-BENCH copy)',
      source: {
        kind: 'github',
        repo: 'parea-ai/JUDGE-BENCH',
        commit: 'd1d37979fbe05e24ee4a08e9eb4ecacdaa66da1f',
        path: 'data/persona_chat/original_data/persona_chat.json',
      },
      dest: PERSONACHAT_FILE,
      size: 219_314,
      sha256: 'd2507587857470ad56fdb288a83e45b38d6902cbd846850d3bb723cb4e47bd90',
    },
  ],
  criteria: CRITERIA,
  taskDefinition: usrTaskDefinition('persona'),
  generalInstructions: USR_GENERAL_INSTRUCTIONS,
  labelNote:
    'Label: the rating at least 2 of the 3 annotators gave, else the mean of the 3 rounded half up (all-different ' +
    'triples). Correlations use the mean of the 3.',
  selectionNotes: USR_SELECTION_NOTES,
  load: personaChatLoader(CRITERIA),
});

/**
 * USR Topical-Chat turn-level ratings (Mehri & Eskenazi, ACL 2020) in UniEval's copy: 60 contexts × 6 systems =
 * 360 responses on 6 qualities: 2,160 items. Only the mean of the 3 annotators survives. Not one of FLAMe's sets.
 */
import { likertBenchmark } from '../likert-set.ts';
import { USR_GENERAL_INSTRUCTIONS, USR_SELECTION_NOTES, usrCriteria, usrTaskDefinition } from '../usr.ts';
import { TOPICALCHAT_FILE, topicalChatLoader } from './loader.ts';

const CRITERIA = usrCriteria('fact');

export const usrTopicalChat = likertBenchmark({
  id: 'usr-topicalchat',
  title: 'USR Topical-Chat',
  description: 'USR Topical-Chat (UniEval copy): 360 dialogue responses × 6 qualities, mean of 3 annotators',
  downloads: [
    {
      description: 'USR Topical-Chat ratings, UniEval copy (maszhongming/UniEval)',
      source: {
        kind: 'github',
        repo: 'maszhongming/UniEval',
        commit: 'd33e7b6cfebe97b2bafe435adbd818230d5a416a',
        path: 'reproduce/data/dialogue/topical_chat.json',
      },
      dest: TOPICALCHAT_FILE,
      size: 669_279,
      sha256: 'f6361daa6fe162f636d2071a60322a784acd770be0bf3a6920ac949d751b978a',
    },
  ],
  criteria: CRITERIA,
  taskDefinition: usrTaskDefinition('fact'),
  generalInstructions: USR_GENERAL_INSTRUCTIONS,
  labelNote:
    'Label: the mean of the 3 annotators rounded half up; this file keeps only the mean (a multiple of 1/3), so ' +
    'exact match is against a rounded mean, a weaker target than a single rating. Correlations use the mean.',
  selectionNotes: USR_SELECTION_NOTES,
  load: topicalChatLoader(CRITERIA),
});

/**
 * What the USR annotators (Mehri & Eskenazi, ACL 2020) were asked, shared by the PersonaChat and Topical-Chat
 * sets. The questions and scale anchors follow the USR annotation instructions as republished with the data
 * by JUDGE-BENCH (dmg-illc/JUDGE-BENCH data/persona_chat/convert_persona_chat.py, "long" prompts).
 *
 * Which items are rated, decided from the data folder's pointwise/SOURCES.md:
 *  - All six qualities, each on its own scale. SOURCES.md counts the sets as "300 responses × 3 raters × 6
 *    criteria" and notes that Understandable and Uses Knowledge are binary (0-1) while the others are Likert-like.
 *    The binary two are kept: they are two of USR's six turn-level questions, the annotators answered them as 0/1,
 *    and the FLAMe prompt asks for an integer on the task's own scale, so "0 to 1" is a well-formed question.
 *    Understandable is near ceiling (most ratings are 1); the constant baseline row makes that visible.
 *  - All responses, human-written ones included (PersonaChat 300, Topical-Chat 360). SOURCES.md offers filtering
 *    to the machine systems "to rate machine text only"; that is a different question (judging model output)
 *    from the one asked here (agreeing with the annotators, who rated every response with the same questions).
 *    Each item's system is kept in predictions.jsonl, so the machine-only slice can be computed from a run.
 */
import type { Criterion } from './types.ts';

/** PersonaChat responses are conditioned on the speaker's persona, Topical-Chat responses on a knowledge fact. */
type Grounding = 'persona' | 'fact';

export function usrCriteria(grounding: Grounding): Criterion[] {
  const knowledge = grounding === 'persona' ? 'persona' : 'interesting fact';
  return [
    {
      id: 'understandable',
      title: 'Understandable',
      name: 'understandability',
      scale: { min: 0, max: 1 },
      guideline:
        'Is the response understandable in the context of the history? (Not whether it is on topic, but, ' +
        'for example, whether its pronouns make sense.) 0 (no): the response is difficult to understand; ' +
        'you do not know what the person is trying to say. 1 (yes): the response is understandable; you ' +
        'know what the person is trying to say.',
    },
    {
      id: 'natural',
      title: 'Natural',
      name: 'naturalness',
      scale: { min: 1, max: 3 },
      guideline:
        'Is the response naturally written? 1 (bad): the response is unnatural. 2 (ok): the response is strange, ' +
        'but not entirely unnatural. 3 (good): the response is natural.',
    },
    {
      id: 'maintains-context',
      title: 'Maintains Context',
      name: 'context maintenance',
      scale: { min: 1, max: 3 },
      guideline:
        'Does the response serve as a valid continuation of the conversation history? 1 (no): the response ' +
        'drastically changes topic or ignores the conversation history. 2 (somewhat): the response refers to the ' +
        'conversation history in a limited capacity (e.g., in a generic way) and shifts the conversation topic. 3 ' +
        '(yes): the response is on topic and strongly acknowledges the conversation history.',
    },
    {
      id: 'engaging',
      title: 'Engaging',
      name: 'engagingness',
      scale: { min: 1, max: 3 },
      guideline:
        'Is the response dull or interesting? 1 (dull): the response is generic and dull. 2 (somewhat interesting): ' +
        'the response is somewhat interesting and could engage you in the conversation (e.g., an opinion, a ' +
        'thought). 3 (interesting): the response is very interesting or presents an interesting fact.',
    },
    {
      id: 'uses-knowledge',
      title: 'Uses Knowledge',
      name: `use of the ${knowledge}`,
      scale: { min: 0, max: 1 },
      guideline:
        `Given the ${knowledge} that the response is conditioned on, how well does the response use it? ` +
        `0 (no): the response does not mention or refer to the ${knowledge} at all. 1 (yes): the ` +
        `response uses the ${knowledge} well.`,
    },
    {
      id: 'overall',
      title: 'Overall',
      name: 'overall quality',
      scale: { min: 1, max: 5 },
      guideline:
        'What is your overall impression of this response? 1 (very bad): a completely invalid response; it ' +
        'would be difficult to recover the conversation after it. 2 (bad): a valid response, but otherwise poor ' +
        'in quality. 3 (neutral): neither good nor bad; it has no negative qualities, but no positive ones ' +
        'either. 4 (good): a good response that falls short of being perfect because of a key flaw. 5 (very ' +
        'good): a good response without any strong flaws.',
    },
  ];
}

export function usrTaskDefinition(grounding: Grounding): string {
  const knowledge = grounding === 'persona' ? "the responding speaker's persona" : 'an interesting fact';
  return (
    'You are given the history of a conversation between two people and a candidate response for its next turn. The ' +
    `response is conditioned on ${knowledge}, which is given as well. Rate the response on one quality, as the ` +
    'annotators of the USR evaluation did.'
  );
}

export const USR_GENERAL_INSTRUCTIONS =
  'The rating for one quality should not be influenced by the others: for example, if a ' +
  'response is not understandable or has grammatical errors, ignore this when judging whether ' +
  'it maintains the context or is interesting.';

/** The dialogue turns one per line, without the files' padding and blank lines. */
function dialogueLines(history: string): string {
  return history
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

export function usrContext(grounding: Grounding, knowledge: string, history: string): string {
  const heading =
    grounding === 'persona' ? "The responding speaker's persona:" : 'The fact the response is conditioned on:';
  return (
    `${heading}\n${dialogueLines(knowledge)}\n\nConversation history (one turn per line; the response is the next ` +
    `turn):\n${dialogueLines(history)}`
  );
}

export const USR_SELECTION_NOTES = [
  'All six USR qualities are rated, each on its own scale (Understandable and Uses ' +
    'Knowledge are 0/1); Avg includes them.',
  'All responses are kept, the two human-written ones per context (Original Ground Truth, New Human Generated) ' +
    'included: the annotators rated them alongside the model responses on the same questions. predictions.jsonl ' +
    "names each response's system, to slice machine text out.",
];

/**
 * What a judge is asked and what it may answer. These types are the contract between benchmarks (which
 * produce tasks) and judges (which answer them). A benchmark never hands a judge its gold label.
 */

export type TaskKind = 'pairwise' | 'pointwise' | 'classification';

/**
 * How the CONTEXT block names the inputs, e.g. { context: 'source paragraph', response: 'translation' } gives
 * "source paragraph:", "translation A:", "translation B:". Defaults: "prompt" and "response".
 */
export interface FieldLabels {
  context?: string;
  response?: string;
}

/** Which of two responses is better. Positions are already assigned (see protocol/positions.ts). */
export interface PairwiseTask {
  kind: 'pairwise';
  /** The user prompt (or other context both responses answer). */
  context: string;
  responseA: string;
  responseB: string;
  labels?: FieldLabels;
  /** A reference answer, shown right after the context (CoBBLEr shows its judges one). */
  reference?: string;
  /** Who wrote each response, shown beside its label (CoBBLEr's compassion module: real model names). */
  authors?: { A: string; B: string };
  /** A sentence shown after both responses, as the last CONTEXT field (CoBBLEr's bandwagon and attention cues). */
  note?: string;
}

/** A rating of one response on a Likert scale (HelpSteer, Dipper, SummFeedback, Newsroom, USR ...). */
export interface PointwiseTask {
  kind: 'pointwise';
  context: string;
  response: string;
  /** What is rated, in a few words ("coherence"); the full definition belongs in the instructions. */
  criterion: string;
  /** Integer scale, inclusive. */
  scale: { min: number; max: number };
  labels?: FieldLabels;
}

/** Is the claim fully supported by the document? (LLM-AggreFact). */
export interface ClassificationTask {
  kind: 'classification';
  document: string;
  claim: string;
}

export type Task = PairwiseTask | PointwiseTask | ClassificationTask;

export type PairwiseChoice = 'A' | 'B' | 'tie';

export type Verdict =
  | { kind: 'pairwise'; choice: PairwiseChoice }
  | { kind: 'pointwise'; score: number }
  /** `probability` is P(supported) when the judge gives one (e.g. from log-probabilities). */
  | { kind: 'classification'; supported: boolean; probability?: number };

/** Result of turning a judge's text reply into a verdict. */
export type Parsed = { ok: true; verdict: Verdict } | { ok: false; reason: string };

/**
 * The FLAMe unified format's INSTRUCTIONS block, minus the output fields (those depend on the task kind).
 * Benchmarks own this text: the paper writes a task definition per task.
 */
export interface Instructions {
  taskDefinition: string;
  evaluationInstructions: string;
}

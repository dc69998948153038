/**
 * Between judges and the store: what is written for a judge's reply, and the outcome (verdict, invalid, error) a
 * stored judgment means when results are read back. Text replies are parsed again on reading, so a parser fix
 * applies to judgments already stored.
 */
import type { ItemResult, Outcome } from '../benchmarks/benchmark.ts';
import type { JudgeReply } from '../judges/judge.ts';
import { parseReply } from '../protocol/parse.ts';
import type { PreparedItem } from './prepare.ts';
import { NO_SPEND, addSpend, type Spend } from './spend.ts';
import { judgmentKey, type Judgment } from './store.ts';
import type { Task } from '../protocol/tasks.ts';

/** P(supported) from the probabilities of the Yes/No options, when the judge returned them. */
function supportProbability(probabilities: Record<string, number> | null): number | undefined {
  if (!probabilities) return undefined;
  const find = (word: string): number | undefined => {
    const key = Object.keys(probabilities).find((k) => k.trim().toLowerCase() === word);
    return key === undefined ? undefined : probabilities[key];
  };
  const yes = find('yes');
  const no = find('no');
  if (yes === undefined || no === undefined || yes + no === 0) return undefined;
  return yes / (yes + no);
}

function outcomeOf(task: Task, judgment: Judgment | undefined, stopped: boolean): Outcome {
  if (!judgment) return { status: 'error', message: stopped ? 'not judged: the run stopped first' : 'not judged' };
  if (judgment.error !== null) return { status: 'error', message: judgment.error };
  if (judgment.replyType === 'verdict' && judgment.verdict) return { status: 'verdict', verdict: judgment.verdict };
  if (judgment.replyType === 'invalid') return { status: 'invalid', reason: judgment.invalidReason ?? 'no verdict' };
  const parsed = parseReply(task, judgment.raw ?? '');
  if (!parsed.ok) return { status: 'invalid', reason: parsed.reason };
  const verdict = parsed.verdict;
  if (verdict.kind === 'classification' && verdict.probability === undefined) {
    const probability = supportProbability(judgment.optionProbabilities);
    if (probability !== undefined) return { status: 'verdict', verdict: { ...verdict, probability } };
  }
  return { status: 'verdict', verdict };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What gets stored of a reply: a verdict of the wrong kind is a judge bug, stored as an error. */
type StoredReply = Pick<Judgment, 'replyType' | 'raw' | 'verdict' | 'error' | 'optionProbabilities' | 'invalidReason'>;

const none = { verdict: null, error: null, optionProbabilities: null, invalidReason: null };

/** What gets stored for a request that failed: its error, and nothing of a reply. */
export function failedReply(message: string): StoredReply {
  return { ...none, replyType: null, raw: null, error: message };
}

/**
 * `task` undefined: the task could not be rebuilt (a batch reply for an item whose data changed): a text reply is
 * stored unparsed (parsed on reading), and a verdict of the judge's own cannot be checked, so it is an error.
 */
export function storedReply(task: Task | undefined, reply: JudgeReply): StoredReply {
  switch (reply.type) {
    case 'text': {
      const parsed = task ? parseReply(task, reply.text) : undefined;
      return {
        ...none,
        replyType: 'text',
        raw: reply.text,
        verdict: parsed?.ok ? parsed.verdict : null,
        optionProbabilities: reply.optionProbabilities ?? null,
      };
    }
    case 'invalid':
      return { ...none, replyType: 'invalid', raw: reply.raw ?? null, invalidReason: reply.reason };
    case 'verdict':
      if (!task) return failedReply('a reply with a verdict of its own, for a task that could not be rebuilt');
      if (reply.verdict.kind !== task.kind) {
        return failedReply(`judge returned a ${reply.verdict.kind} verdict for a ${task.kind} task`);
      }
      return { ...none, replyType: 'verdict', raw: reply.note ?? null, verdict: reply.verdict };
  }
}

/** The outcome a reply means, without storing it: what instant baseline judges' rows are made of. */
export function replyOutcome(task: Task, reply: JudgeReply): Outcome {
  const unstored = {
    benchmark: '',
    itemId: '',
    promptHash: '',
    judgeId: '',
    runId: 0,
    latencyMs: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    attempts: 1,
    createdAt: '',
  };
  return outcomeOf(task, { ...unstored, ...storedReply(task, reply) }, false);
}

export interface StoredResults {
  results: ItemResult[];
  judgments: (Judgment | undefined)[];
  swappedJudgments: (Judgment | undefined)[];
  /** Tokens and cost of every stored judgment behind these results, whichever run made it. */
  usage: Spend;
}

/**
 * The results a judge's stored judgments give for these prepared items (both orders with --swap): what runs score
 * after asking, and what `compare` and `leaderboard` read without asking. An item with nothing stored is an error
 * outcome ("not judged").
 */
export function storedResults(
  entries: readonly PreparedItem[],
  stored: ReadonlyMap<string, Judgment>,
  stopped = false,
  keepReplies = true,
): StoredResults {
  const judgments = entries.map((e) => stored.get(judgmentKey(e.item.id, e.promptHash)));
  const swappedJudgments = entries.map((e) =>
    e.swapped ? stored.get(judgmentKey(e.item.id, e.swapped.promptHash)) : undefined,
  );
  let usage = NO_SPEND;
  const results: ItemResult[] = entries.map((e, i) => {
    const result: ItemResult = {
      item: e.item,
      prepared: e.prepared,
      outcome: outcomeOf(e.prepared.task, judgments[i], stopped),
    };
    if (e.swapped) {
      result.swapped = {
        prepared: e.swapped.prepared,
        outcome: outcomeOf(e.swapped.prepared.task, swappedJudgments[i], stopped),
      };
    }
    for (const j of [judgments[i], swappedJudgments[i]]) {
      if (j) {
        const tokens = { inputTokens: j.inputTokens ?? 0, outputTokens: j.outputTokens ?? 0 };
        usage = addSpend(usage, tokens, j.costUsd, (j.batchId ?? null) !== null);
      }
    }
    return result;
  });
  // Once the outcomes are read, a run need not hold every reply's text (100,000 replies of a few KB each): it stays
  // in the store, where predictions.jsonl reads it back (RunResult.replyText).
  if (!keepReplies) {
    const slim = (j: Judgment | undefined): Judgment | undefined => (j && j.raw !== null ? { ...j, raw: null } : j);
    return { results, judgments: judgments.map(slim), swappedJudgments: swappedJudgments.map(slim), usage };
  }
  return { results, judgments, swappedJudgments, usage };
}

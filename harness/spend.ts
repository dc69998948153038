/**
 * Tokens and dollars: cost of a reply from the provider's token counts and the judge's price, and the
 * --max-cost budget, which reserves each request's worst case before it is sent (an upper bound on the prompt's
 * tokens plus the longest reply allowed) so a run stops before it could spend more than it may. A reservation
 * is replaced by the real cost as soon as the reply arrives, so the bound only holds back the last few requests.
 */
import type { Price, Usage } from '../judges/judge.ts';

export interface Spend {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** The part of costUsd paid at a batch API's price (eval --batch); unset when none was. */
  batchCostUsd?: number;
}

export const NO_SPEND: Spend = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

export function costOf(usage: Usage | undefined, price: Price | undefined): number | null {
  if (!price || !usage || (usage.inputTokens === undefined && usage.outputTokens === undefined)) return null;
  return ((usage.inputTokens ?? 0) * price.inputPerMillion + (usage.outputTokens ?? 0) * price.outputPerMillion) / 1e6;
}

/** `batch`: the cost is at a batch API's price, and is also added to batchCostUsd. */
export function addSpend(total: Spend, usage: Usage | undefined, cost: number | null, batch = false): Spend {
  const spend: Spend = {
    inputTokens: total.inputTokens + (usage?.inputTokens ?? 0),
    outputTokens: total.outputTokens + (usage?.outputTokens ?? 0),
    costUsd: total.costUsd + (cost ?? 0),
  };
  if (batch || total.batchCostUsd !== undefined)
    spend.batchCostUsd = (total.batchCostUsd ?? 0) + (batch ? (cost ?? 0) : 0);
  return spend;
}

/** The price a request is charged at: the batch API's (judges/judge.ts Price.batch) for one sent in a batch. */
export function priceOf(price: Price | undefined, batch: boolean): Price | undefined {
  if (!price || !batch) return price;
  return price.batch ?? price;
}

/** Adds up two spends (a run's requests and its batches' results). */
export function sumSpend(a: Spend, b: Spend): Spend {
  const sum: Spend = {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
  };
  if (a.batchCostUsd !== undefined || b.batchCostUsd !== undefined)
    sum.batchCostUsd = (a.batchCostUsd ?? 0) + (b.batchCostUsd ?? 0);
  return sum;
}

const TEMPLATE_TOKENS = 64;

export class Budget {
  private spent = 0;
  private reserved = 0;

  constructor(
    private readonly maxUsd: number | undefined,
    private readonly price: Price | undefined,
    private readonly maxOutputTokens: number,
  ) {}

  /**
   * The most one request with this prompt can cost. There is no tokenizer here, but a token is at least one byte
   * for the byte-level tokenizers these APIs use, so the UTF-8 length bounds the prompt's tokens; the constant
   * leaves room for the chat template's own tokens.
   */
  worstCase(prompt: string): number {
    if (!this.price) return 0;
    const inputTokens = Buffer.byteLength(prompt, 'utf8') + TEMPLATE_TOKENS;
    return (inputTokens * this.price.inputPerMillion + this.maxOutputTokens * this.price.outputPerMillion) / 1e6;
  }

  /** Books a request's worst case; false when it could take the run past --max-cost. */
  reserve(worst: number): boolean {
    if (this.maxUsd === undefined) return true;
    if (this.spent + this.reserved + worst > this.maxUsd) return false;
    this.reserved += worst;
    return true;
  }

  /** Replaces a reservation by what the request really cost (nothing, if it failed without usage). */
  settle(worst: number, actual: number | null): void {
    if (this.maxUsd === undefined) return;
    this.reserved -= worst;
    this.spent += actual ?? 0;
  }
}

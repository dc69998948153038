/**
 * The run's batch path (eval --batch, or "batch": true in the judge's config): what the store lacks goes through
 * the provider's asynchronous batch API (BatchClient, judges/adapters/adapter.ts: about half the price, results
 * within 24 hours), and batches that have ended become ordinary judgments. Generic over BatchClient: every
 * provider's client plugs in here unchanged.
 *
 * For each benchmark of the run:
 *  1. recover: an intent recorded by a process that died before it recorded the batch's id is looked up at the
 *     provider by its label (BatchClient.find) before its items could ever be submitted again;
 *  2. collect: pending batches are polled; every answer of one that has ended is stored like a synchronous answer
 *     (the same reply reading, text re-parsed on reading, the same key) with its cost at the batch price; requests
 *     that failed, expired or were cancelled inside a batch are submitted once more, then stored as errors with
 *     their cause; a batch the provider no longer knows (404: deleted, or the key is of another project now) is
 *     marked lost, its items free to be asked again;
 *  3. submit: the items prepared exactly as the synchronous path prepares them (--swap's mirrored order included),
 *     less those the store has answered and those a batch holds, within --max-cost at the batch price, split by the
 *     provider's limits, recorded in the store (harness/batch-ledger.ts) BEFORE they are submitted, their batch ids
 *     right after.
 * With --wait the run then polls until every batch has ended and collects it; without, it reports what is pending,
 * and a later `eval --batch` (another process, the next morning) collects it.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnyBenchmark, BenchmarkSummary, ItemResult } from '../benchmarks/benchmark.ts';
import { EndpointError, UserError } from '../core/errors.ts';
import { redact } from '../core/secrets.ts';
import type { BatchClient, BatchRequest, BatchStatus } from '../judges/adapters/adapter.ts';
import { completionReply } from '../judges/adapters/llm-judge.ts';
import { JudgeCallError } from '../judges/call-error.ts';
import { inapplicable, type Judge, type JudgeReply } from '../judges/judge.ts';
import type { RetryPolicy } from '../protocol/limits.ts';
import type { BatchIntent, BatchItem, BatchSelection, LedgerBatch } from './batch-ledger.ts';
import { configurationHint, faultKind, isConfigurationFault } from './faults.ts';
import { boundHeapGrowth } from './heap.ts';
import { errorMessage, failedReply, storedReply, storedResults } from './outcomes.ts';
import { prepareItems, type PreparedItem, type Presentation, type SelectOptions } from './prepare.ts';
import { RetriesExhausted, callWithRetries } from './retry.ts';
import type { BenchmarkRun } from './run.ts';
import { Budget, NO_SPEND, addSpend, costOf, priceOf, type Spend } from './spend.ts';
import { judgmentKey, type Judgment, type Store } from './store.ts';

/** How an item held by a batch not collected yet reads in the results (reports/failures.ts tells it apart). */
export const PENDING_PREFIX = 'pending in provider batch ';

/** How often --wait checks on pending batches; AUTORATER_BATCH_POLL_MS sets another interval (tests, impatience). */
export const DEFAULT_POLL_MS = 60_000;

/** A batch call may move a file of a few hundred MB: each attempt gets at least this long. */
const BATCH_CALL_TIMEOUT_MS = 15 * 60_000;

/** A request that fails inside a batch is submitted at most this many times in all (once more), then stored. */
const MAX_BATCH_ATTEMPTS = 2;

export interface BatchOptions {
  judge: Judge;
  store: Store;
  dataDir: string;
  /** What the run prepares (the same items and prompts as the synchronous path), recorded with each batch. */
  selection: BatchSelection;
  maxCostUsd?: number;
  /** Poll until every batch has ended (--wait). */
  wait: boolean;
  pollMs: number;
  /** A progress line on a terminal while waiting. */
  progress: boolean;
}

/** What the batch path shares with the run it is part of (harness/run.ts). */
export interface BatchContext {
  runId: number;
  fingerprint: string;
  policy: RetryPolicy;
  /** Aborted by any stop (Ctrl-C, --max-cost): nothing new is submitted and the wait ends. */
  stopping: AbortSignal;
  /** Aborted by a hard stop: calls in flight are cut off. */
  signal: AbortSignal;
  /** The next submission would take the run past --max-cost: stop it. */
  onMaxCost(): void;
  /** From this many prompts a benchmark keeps no reply texts in memory (run.ts). */
  largeRunPrompts: number;
}

export interface SubmittedBatch {
  /** The order of submissions and collections in the run, from 0. */
  seq: number;
  benchmark: string;
  batchId: string;
  requests: number;
  /** 1: first submission; 2: failures of an earlier batch submitted once more. */
  attempt: number;
}

export interface CollectedBatch {
  seq: number;
  benchmark: string;
  batchId: string;
  /** How the provider ended it: 'ended' (completed), 'failed', 'expired' or 'cancelled'. */
  ended: string;
  answered: number;
  /** Submitted again in a new batch. */
  resubmitted: number;
  /** Stored as errors with their cause (failed a second time, or not worth another batch). */
  failed: number;
}

/** What the batch path did in this run, for the report (reports/batch-lines.ts) and summary.json. */
export interface BatchActivity {
  submitted: SubmittedBatch[];
  collected: CollectedBatch[];
  /** Batches found through BatchClient.find: created by a process that died before it recorded their ids. */
  recovered: string[];
  /**
   * Per benchmark: what batches still pending hold, and how far the provider said they were when this run last
   * checked (requests done of all, summed over those batches; unset when it did not say).
   */
  pending: ({ benchmark: string; done?: number; total?: number } & PendingItems)[];
  /** Tokens and cost (at the batch price) of the results this run collected. */
  spend: Spend;
  /** What went wrong without stopping the run (a status that could not be read, a submission that failed). */
  notes: string[];
}

/** One prompt to submit: an item in one order, and which submission this is. */
interface Ask {
  itemId: string;
  shown: Presentation;
  attempt: number;
  /** Why the previous submission failed, for a resubmission. */
  cause?: string;
  /** Its worst case booked against --max-cost (withinBudget), released if it is never submitted. */
  reserved?: number;
}

/** An item's ways of being asked in this run, by judgmentKey (both orders with --swap). */
type Shown = Map<string, { itemId: string; shown: Presentation }>;

interface PreparedBenchmark {
  benchmark: AnyBenchmark;
  entries: PreparedItem[];
  shown: Shown;
  /** Requests submitted in this run (resubmissions included). */
  asked: number;
  /** Answered in the store when the run began. */
  cached: number;
  /** While add() runs: the keys answered in the store, loaded once and kept up to date by record(). */
  answered?: Set<string>;
}

function presentations(entries: readonly PreparedItem[]): Shown {
  const shown: Shown = new Map();
  for (const e of entries) {
    shown.set(judgmentKey(e.item.id, e.promptHash), { itemId: e.item.id, shown: e });
    if (e.swapped) shown.set(judgmentKey(e.item.id, e.swapped.promptHash), { itemId: e.item.id, shown: e.swapped });
  }
  return shown;
}

/** A label unique per submission, of the characters every provider allows in one (at most 64: [A-Za-z0-9_-]). */
function newLabel(fingerprint: string): string {
  return `autorater-${fingerprint.slice(0, 12)}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * A submission that failed in a way that may have created the batch all the same (a timeout, a 5xx, a connection
 * cut), on a provider whose batches cannot be looked up by label: not retried, since a retry could create and pay
 * for a second batch.
 */
class MayHaveArrived extends Error {
  constructor(readonly last: Error) {
    super(last.message, { cause: last });
    this.name = 'MayHaveArrived';
  }
}

/** Whether a retryable failure of a submission may have reached the provider (not refused before it was taken). */
function mayHaveArrived(error: Error): boolean {
  if (!(error instanceof JudgeCallError) || !error.details.retryable) return false;
  const kind = faultKind(error);
  // Nothing was connected to, or the server said not now (429; Anthropic's 529 overloaded): nothing was created.
  return kind !== 'unreachable' && kind !== 'rate-limit' && error.details.status !== 529;
}

/** The failure behind a batch call's error when it is a 404 (the batch or its file unknown), else undefined. */
function notFound(error: unknown): Error | undefined {
  const last = error instanceof RetriesExhausted ? error.last : error;
  return last instanceof Error && faultKind(last) === 'not-found' ? last : undefined;
}

interface CallOptions {
  /** The call moves a file: each attempt gets at least BATCH_CALL_TIMEOUT_MS. */
  moves?: boolean;
  /** The call asks about one batch by its id (status, results): a 404 says only that this batch is unknown. */
  byId?: boolean;
  /** A failure after which another attempt could do the work twice: not retried, thrown as MayHaveArrived. */
  once?: (error: Error) => boolean;
}

/** What batches not collected yet hold of a benchmark's run. */
export interface PendingItems {
  /** Items with an order (or both) in a pending batch: counted among the summary's errors until collected. */
  items: number;
  /** Requests (prompts: two per item with --swap) in pending batches. */
  requests: number;
  batchIds: string[];
}

/**
 * Marks the results of items that batches still hold as pending (instead of "not judged") and counts them: what the
 * report says is not complete yet. Used by both paths (a synchronous run never asks what a batch holds).
 */
export function markPending(
  results: ItemResult[],
  entries: readonly PreparedItem[],
  held: ReadonlyMap<string, string>,
): PendingItems {
  const ids = new Set<string>();
  let items = 0;
  let requests = 0;
  if (held.size === 0) return { items, requests, batchIds: [] };
  entries.forEach((e, i) => {
    const result = results[i]!;
    const mark = (promptHash: string, outcome: { outcome: ItemResult['outcome'] }): boolean => {
      const batch = held.get(judgmentKey(e.item.id, promptHash));
      if (batch === undefined || outcome.outcome.status !== 'error') return false;
      outcome.outcome = { status: 'error', message: `${PENDING_PREFIX}${batch}` };
      ids.add(batch);
      requests += 1;
      return true;
    };
    const first = mark(e.promptHash, result);
    const second = e.swapped && result.swapped ? mark(e.swapped.promptHash, result.swapped) : false;
    if (first || second) items += 1;
  });
  return { items, requests, batchIds: [...ids].sort() };
}

/** The batch path of one run: `add` each benchmark, then `wait` (with --wait), then `results`. */
export class BatchRun {
  readonly activity: BatchActivity = {
    submitted: [],
    collected: [],
    recovered: [],
    pending: [],
    spend: NO_SPEND,
    notes: [],
  };
  private readonly client: BatchClient;
  private readonly budget: Budget;
  private readonly price: Judge['price'];
  private readonly prepared: PreparedBenchmark[] = [];
  /** Items of batches submitted under another selection, prepared again to rebuild their tasks. */
  private readonly rebuilt = new Map<string, Promise<Shown>>();
  private readonly statuses = new Map<string, BatchStatus>();
  /** Set when something did not fit in --max-cost; the run is stopped once what did fit is submitted. */
  private overBudget = false;
  /**
   * Set by the first batch call that succeeds in this run: after that, a server that cannot be reached went away
   * for a while (noted, asked again) rather than being misconfigured (as run.ts does with breaker.answered).
   */
  private answered = false;
  /** Where each batch's latest note is in activity.notes: one line per batch, not one per poll of --wait. */
  private readonly noteAt = new Map<string, number>();

  constructor(
    private readonly options: BatchOptions,
    private readonly ctx: BatchContext,
  ) {
    const { judge } = options;
    if (!judge.batch) throw new UserError(`--batch: judge ${judge.id} has no batch API.`);
    this.client = judge.batch;
    this.price = priceOf(judge.price, true);
    this.budget = new Budget(options.maxCostUsd, this.price, judge.maxOutputTokens ?? 0);
  }

  /** Prepares a benchmark, collects its batches that have ended and submits what is neither answered nor held. */
  async add(benchmark: AnyBenchmark): Promise<void> {
    const { judge, store, dataDir, selection } = this.options;
    const cannot = inapplicable(judge, benchmark);
    if (cannot) throw new UserError(cannot.error);
    const entries = await prepareItems(benchmark, dataDir, selection.seed, this.select(selection));
    const shown = presentations(entries);
    if (shown.size >= this.ctx.largeRunPrompts) boundHeapGrowth();
    const p: PreparedBenchmark = { benchmark, entries, shown, asked: 0, cached: 0 };
    this.prepared.push(p);
    const { fingerprint } = this.ctx;
    // Read once: what the batches collected below answer is added by record(); what another run answers meanwhile
    // is left out when the intents are recorded (BatchLedger.intend).
    const answered = store.answeredKeys(fingerprint, benchmark.id);
    for (const key of shown.keys()) if (answered.has(key)) p.cached += 1;
    p.answered = answered;
    try {
      await this.recover(p);
      for (const batch of store.batches.pending(fingerprint, benchmark.id)) {
        if (this.ctx.stopping.aborted) break;
        const status = await this.poll(p, batch);
        if (status && status.state !== 'pending') await this.collect(p, batch, status);
      }
      if (!this.ctx.stopping.aborted) {
        const held = store.batches.held(fingerprint, benchmark.id);
        const todo: Ask[] = [];
        for (const [key, { itemId, shown: s }] of shown) {
          if (!answered.has(key) && !held.has(key)) todo.push({ itemId, shown: s, attempt: 1 });
        }
        held.clear();
        await this.submit(p, this.withinBudget(todo).fitting);
      }
    } finally {
      p.answered = undefined;
      answered.clear();
    }
    this.settleBudget();
  }

  /** With --wait: polls every pending batch of the run until none is left (or the run stops), collecting each. */
  async wait(): Promise<void> {
    if (!this.options.wait) return;
    const line = new WaitLine(this.options.progress);
    try {
      for (;;) {
        if (this.ctx.stopping.aborted) return;
        const pending = this.prepared.flatMap((p) =>
          this.options.store.batches.pending(this.ctx.fingerprint, p.benchmark.id).map((batch) => ({ p, batch })),
        );
        if (pending.length === 0) return;
        line.show(this.waitText(pending.map((x) => x.batch)), this.options.pollMs);
        try {
          await sleep(this.options.pollMs, undefined, { signal: this.ctx.stopping });
        } catch {
          return; // stopped while waiting
        }
        for (const { p, batch } of pending) {
          if (this.ctx.stopping.aborted) return;
          const status = await this.poll(p, batch);
          if (status && status.state !== 'pending') await this.collect(p, batch, status);
        }
        this.settleBudget();
      }
    } finally {
      line.end();
    }
  }

  /** Each benchmark's results from the store; items batches still hold are marked pending. */
  results(): BenchmarkRun[] {
    const { store } = this.options;
    const { fingerprint } = this.ctx;
    this.activity.pending = [];
    return this.prepared.map((p) => {
      const large = p.shown.size >= this.ctx.largeRunPrompts;
      const after = store.judgments(fingerprint, p.benchmark.id);
      const scored = storedResults(p.entries, after, this.ctx.stopping.aborted, !large);
      after.clear();
      const pending = markPending(scored.results, p.entries, store.batches.held(fingerprint, p.benchmark.id));
      if (pending.items > 0)
        this.activity.pending.push({ benchmark: p.benchmark.id, ...pending, ...this.progressOf(p) });
      const summary = p.benchmark.score(scored.results) as BenchmarkSummary;
      return {
        benchmark: p.benchmark,
        ...scored,
        summary,
        repliesInStore: large,
        asked: p.asked,
        cached: p.cached,
        ...(pending.items > 0 ? { pending } : {}),
      };
    });
  }

  /** How far the provider said a benchmark's pending batches were, summed, when this run last checked them. */
  private progressOf(p: PreparedBenchmark): { done?: number; total?: number } {
    let done = 0;
    let total = 0;
    for (const batch of this.options.store.batches.pending(this.ctx.fingerprint, p.benchmark.id)) {
      const status = this.statuses.get(batch.label);
      if (status?.done === undefined || status.total === undefined) return {};
      done += status.done;
      total += status.total;
    }
    return total > 0 ? { done, total } : {};
  }

  /** prepareItems' options for a selection: the synchronous path's, so the prompts and keys are the same. */
  private select(selection: BatchSelection): SelectOptions {
    return {
      sample: selection.sample ?? undefined,
      limit: selection.limit ?? undefined,
      swap: selection.swap,
      orderIndependent: this.options.judge.orderIndependent,
    };
  }

  /** Reserves each prompt's worst case at the batch price, in order, until --max-cost would be passed. */
  private withinBudget(asks: Ask[]): { fitting: Ask[]; over: Ask[] } {
    const fitting: Ask[] = [];
    for (const [i, ask] of asks.entries()) {
      const worst = this.budget.worstCase(ask.shown.prompt);
      if (!this.budget.reserve(worst)) {
        this.overBudget = true;
        return { fitting, over: asks.slice(i) };
      }
      ask.reserved = worst;
      fitting.push(ask);
    }
    return { fitting, over: [] };
  }

  /** Gives back the reservations of asks never submitted (left out of the intents, or their submission failed). */
  private release(asks: Iterable<Ask>): void {
    for (const ask of asks) {
      if (ask.reserved === undefined) continue;
      this.budget.settle(ask.reserved, null);
      ask.reserved = undefined;
    }
  }

  /** Notes something about one batch: its latest note replaces an earlier one (a status failing poll after poll). */
  private note(label: string, text: string): void {
    const at = this.noteAt.get(label);
    if (at === undefined) {
      this.noteAt.set(label, this.activity.notes.length);
      this.activity.notes.push(text);
    } else {
      this.activity.notes[at] = text;
    }
  }

  private settleBudget(): void {
    if (this.overBudget) this.ctx.onMaxCost();
  }

  /** Intents recorded by processes that died before recording their batch's id: found at the provider, or freed. */
  private async recover(p: PreparedBenchmark): Promise<void> {
    const { batches } = this.options.store;
    for (const orphan of batches.orphans(this.ctx.fingerprint, p.benchmark.id)) {
      let found: string | undefined;
      if (this.client.find) {
        const find = this.client.find.bind(this.client);
        try {
          found = await this.call((signal) => find(orphan.label, signal));
        } catch (error) {
          if (error instanceof EndpointError) throw error;
          const cause = redact(errorMessage(error));
          this.activity.notes.push(
            `could not look up batch ${orphan.label} (${cause}): its items wait for a later run`,
          );
          continue;
        }
      }
      if (found !== undefined) {
        if (batches.submitted(orphan.label, found)) this.activity.recovered.push(found);
        else this.note(orphan.label, `batch ${found} was found, but another process had given its intent up first`);
      } else if (this.client.find) {
        batches.lost(orphan.label, 'its process ended before the batch was created');
      } else {
        batches.lost(orphan.label, 'its process ended before recording the batch id; the provider lists no labels');
        this.activity.notes.push(
          `batch ${orphan.label} (${orphan.requests} requests) may have been created by a process that ended before ` +
            "recording its id, and this provider's batches cannot be looked up by label: its items are submitted again",
        );
      }
    }
  }

  /**
   * A batch's status, or undefined when it cannot be read now (noted) or the provider no longer knows it (gone); a
   * configuration fault stops the run.
   */
  private async poll(p: PreparedBenchmark, batch: LedgerBatch): Promise<BatchStatus | undefined> {
    const id = batch.batchId!;
    try {
      const status = await this.call((signal) => this.client.status(id, signal), { byId: true });
      this.statuses.set(batch.label, status);
      return status;
    } catch (error) {
      if (error instanceof EndpointError || this.ctx.signal.aborted) throw error;
      const missing = notFound(error);
      if (missing) await this.gone(p, batch, missing);
      else this.note(batch.label, `could not check batch ${id}: ${redact(errorMessage(error))}`);
      return undefined;
    }
  }

  /**
   * A batch the provider answers 404 for (deleted upstream, or the key now belongs to another project): marked lost
   * with why, its items free (the next submission asks them again). Before anything has answered in this run a 404
   * may rather mean a wrong URL: where the provider lists batches (find), the list is asked first, and a 404 there
   * stops the run as a configuration fault.
   */
  private async gone(p: PreparedBenchmark, batch: LedgerBatch, error: Error): Promise<void> {
    const id = batch.batchId!;
    if (!this.answered && this.client.find) {
      const find = this.client.find.bind(this.client);
      try {
        await this.call((signal) => find(batch.label, signal));
      } catch (thrown) {
        if (thrown instanceof EndpointError || this.ctx.signal.aborted) throw thrown;
        this.note(batch.label, `could not check batch ${id}: ${redact(errorMessage(thrown))}`);
        return;
      }
    }
    const cause = redact(errorMessage(error));
    this.options.store.batches.lost(batch.label, `the provider no longer knows the batch (${cause})`);
    this.statuses.delete(batch.label);
    this.note(
      batch.label,
      `the provider no longer knows ${p.benchmark.id} batch ${id} (${cause}): deleted, or the key is now of another ` +
        `project; marked lost, its ${batch.requests} requests are free to be asked again`,
    );
  }

  /**
   * Stores an ended batch's answers, submits its failures once more (or stores them as errors), and marks it
   * collected. A download that fails leaves it pending: the next run reads it again, skipping what it stored.
   */
  private async collect(p: PreparedBenchmark, batch: LedgerBatch, status: BatchStatus): Promise<void> {
    const { store } = this.options;
    const { fingerprint } = this.ctx;
    const batchId = batch.batchId!;
    const items = store.batches.items(batch.label);
    const shownOf = await this.shownFor(p, batch, items);
    const failures: { item: BatchItem; error: JudgeCallError }[] = [];
    let answered = 0;
    if (status.state === 'failed') {
      const why = `the batch failed: ${status.error ?? 'the provider gave no reason'}`;
      for (const item of items.values()) failures.push({ item, error: new JudgeCallError(why, { retryable: true }) });
    } else {
      const seen = new Set<string>();
      const before = store.batches.answeredFrom(batch.label); // by an earlier read of these results
      const taskOf = (customId: string) => shownOf.get(customId)?.prepared.task;
      try {
        await this.call(
          async (signal) => {
            for await (const result of this.client.results(batchId, signal, taskOf)) {
              const item = items.get(result.customId);
              if (!item || seen.has(result.customId)) continue;
              seen.add(result.customId);
              if ('error' in result) failures.push({ item, error: result.error });
              else if (!before.has(item.customId)) {
                // Paid whether or not another run answered it meanwhile: the store keeps the first answer and adds
                // this one's cost, as for a synchronous answer.
                this.record(p, batchId, item, shownOf.get(item.customId), completionReply(result.completion));
                answered += 1;
              }
            }
          },
          { moves: true, byId: true },
        );
      } catch (error) {
        if (error instanceof EndpointError || this.ctx.signal.aborted) throw error;
        const missing = notFound(error);
        if (missing) return this.gone(p, batch, missing);
        const cause = redact(errorMessage(error));
        this.note(batch.label, `could not read the results of batch ${batchId} (${cause}): the next run tries again`);
        return;
      }
      const why =
        status.state === 'ended'
          ? 'the batch ended without a result for this request'
          : `the batch was ${status.state} before this request was answered`;
      for (const item of items.values()) {
        if (!seen.has(item.customId)) failures.push({ item, error: new JudgeCallError(why, { retryable: true }) });
      }
    }

    // Failures worth another batch are submitted once more (within --max-cost); the rest are stored with their cause.
    const again: Ask[] = [];
    const final: { item: BatchItem; message: string }[] = [];
    for (const { item, error } of failures) {
      const shown = shownOf.get(item.customId);
      const cause = error.message;
      if (!error.details.retryable || item.attempt >= MAX_BATCH_ATTEMPTS) {
        const times = item.attempt > 1 ? ` (in ${item.attempt} batches)` : '';
        final.push({ item, message: `${cause}${times}` });
      } else if (!shown)
        final.push({ item, message: `${cause} (not submitted again: the item is not in the data now)` });
      else if (this.ctx.stopping.aborted)
        final.push({ item, message: `${cause} (the run stopped before submitting it again)` });
      else again.push({ itemId: item.itemId, shown, attempt: item.attempt + 1, cause });
    }
    const { fitting, over } = this.withinBudget(again);
    for (const ask of over) {
      const item = { customId: '', itemId: ask.itemId, promptHash: ask.shown.promptHash, attempt: ask.attempt - 1 };
      final.push({ item, message: `${ask.cause} (not submitted again: --max-cost)` });
    }
    for (const { item, message } of final) {
      store.record(fingerprint, {
        benchmark: p.benchmark.id,
        itemId: item.itemId,
        promptHash: item.promptHash,
        judgeId: this.options.judge.id,
        runId: this.ctx.runId,
        ...failedReply(redact(message)),
        latencyMs: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        attempts: item.attempt,
        batchId,
      });
    }
    const intents = this.plan(p.benchmark.id, fitting, batch.selection); // the items' own selection
    const recorded = store.batches.collected(batch.label, status.state, status.error ?? null, intents);
    const resubmitted = recorded.reduce((n, r) => n + r.items.length, 0);
    this.activity.collected.push({
      seq: this.activity.submitted.length + this.activity.collected.length,
      benchmark: p.benchmark.id,
      batchId,
      ended: status.state,
      answered,
      resubmitted,
      failed: final.length,
    });
    await this.send(p, recorded, fitting);
  }

  /** One answer from a batch, stored as the synchronous path stores one, its cost at the batch price. */
  private record(
    p: PreparedBenchmark,
    batchId: string,
    item: BatchItem,
    shown: Presentation | undefined,
    reply: JudgeReply,
  ): void {
    const cost = costOf(reply.usage, this.price);
    this.activity.spend = addSpend(this.activity.spend, reply.usage, cost, true);
    const judgment: Omit<Judgment, 'createdAt'> = {
      benchmark: p.benchmark.id,
      itemId: item.itemId,
      promptHash: item.promptHash,
      judgeId: this.options.judge.id,
      runId: this.ctx.runId,
      ...storedReply(shown?.prepared.task, reply), // without a task (its data changed): parsed on reading
      latencyMs: null,
      inputTokens: reply.usage?.inputTokens ?? null,
      outputTokens: reply.usage?.outputTokens ?? null,
      costUsd: cost,
      attempts: item.attempt,
      batchId,
    };
    this.options.store.record(this.ctx.fingerprint, judgment);
    if (judgment.error === null) p.answered?.add(judgmentKey(item.itemId, item.promptHash));
  }

  /**
   * Each item of a batch's prompt as this run shows it; an item the run does not cover (a batch submitted with
   * another --limit or --sample) is prepared again with the batch's own selection. Undefined when its data changed.
   */
  private async shownFor(
    p: PreparedBenchmark,
    batch: LedgerBatch,
    items: ReadonlyMap<string, BatchItem>,
  ): Promise<Map<string, Presentation | undefined>> {
    const byCustomId = new Map<string, Presentation | undefined>();
    let other: Shown | undefined;
    for (const item of items.values()) {
      const key = judgmentKey(item.itemId, item.promptHash);
      let shown = p.shown.get(key)?.shown;
      if (!shown) {
        other ??= await this.rebuild(p.benchmark, batch.selection);
        shown = other.get(key)?.shown;
      }
      byCustomId.set(item.customId, shown);
    }
    return byCustomId;
  }

  private rebuild(benchmark: AnyBenchmark, selection: BatchSelection): Promise<Shown> {
    const key = JSON.stringify([benchmark.id, selection]);
    let shown = this.rebuilt.get(key);
    if (!shown) {
      shown = prepareItems(benchmark, this.options.dataDir, selection.seed, this.select(selection)).then(presentations);
      this.rebuilt.set(key, shown);
    }
    return shown;
  }

  /**
   * Splits asks into batches within the provider's limits (count and input size), recorded with the selection their
   * items were prepared with (this run's, or for a resubmission the failed batch's).
   */
  private plan(benchmark: string, asks: readonly Ask[], selection = this.options.selection): BatchIntent[] {
    const { maxRequests, maxBytes } = this.client.limits;
    const widest = `r${maxRequests}`; // the longest custom id: sizes are upper bounds
    const intents: BatchIntent[] = [];
    let items: BatchItem[] = [];
    let bytes = 0;
    const close = (): void => {
      if (items.length === 0) return;
      intents.push({
        label: newLabel(this.ctx.fingerprint),
        fingerprint: this.ctx.fingerprint,
        judgeId: this.options.judge.id,
        benchmark,
        selection,
        items,
      });
      items = [];
      bytes = 0;
    };
    for (const ask of asks) {
      const size = this.client.requestBytes({
        customId: widest,
        prompt: ask.shown.prompt,
        task: ask.shown.prepared.task,
      });
      if (items.length >= maxRequests || (items.length > 0 && bytes + size > maxBytes)) close();
      items.push({
        customId: `r${items.length}`,
        itemId: ask.itemId,
        promptHash: ask.shown.promptHash,
        attempt: ask.attempt,
      });
      bytes += size;
    }
    close();
    return intents;
  }

  /** Records the intents (leaving out what another run answered or holds meanwhile), then submits them. */
  private async submit(p: PreparedBenchmark, asks: Ask[]): Promise<void> {
    if (asks.length === 0) return;
    const recorded = this.options.store.batches.intend(this.plan(p.benchmark.id, asks));
    await this.send(p, recorded, asks);
  }

  /**
   * Submits recorded intents one by one, recording each batch id as soon as the provider gives it. A submission that
   * fails frees its items (asked by the next run); a configuration fault stops the run (nothing more is submitted).
   * What is not submitted (left out of the intents, failed, or after a stop) gives its --max-cost reservation back.
   */
  private async send(p: PreparedBenchmark, intents: readonly BatchIntent[], asks: readonly Ask[]): Promise<void> {
    const { batches } = this.options.store;
    const askOf = new Map(asks.map((a) => [judgmentKey(a.itemId, a.shown.promptHash), a]));
    const asksIn = (intent: BatchIntent): Ask[] =>
      intent.items.map((item) => askOf.get(judgmentKey(item.itemId, item.promptHash))!);
    const kept = new Set(intents.flatMap(asksIn));
    this.release(asks.filter((a) => !kept.has(a))); // answered or taken by a batch meanwhile
    const giveUp = (rest: readonly BatchIntent[], note: string): void => {
      for (const intent of rest) {
        batches.lost(intent.label, note);
        this.release(asksIn(intent));
      }
    };
    for (const [n, intent] of intents.entries()) {
      if (this.ctx.stopping.aborted) return giveUp(intents.slice(n), 'not submitted: the run stopped first');
      const requests: BatchRequest[] = asksIn(intent).map((ask, i) => ({
        customId: intent.items[i]!.customId,
        prompt: ask.shown.prompt,
        task: ask.shown.prepared.task,
      }));
      try {
        const batchId = await this.submitOne(intent.label, requests);
        if (!batches.submitted(intent.label, batchId)) {
          this.note(
            intent.label,
            `batch ${batchId} (${requests.length} ${p.benchmark.id} requests) was created after another process had ` +
              'taken its intent for orphaned and freed its items: it is not collected, and its items are asked again',
          );
        }
        const attempt = Math.max(...intent.items.map((i) => i.attempt));
        const seq = this.activity.submitted.length + this.activity.collected.length;
        this.activity.submitted.push({ seq, benchmark: p.benchmark.id, batchId, requests: requests.length, attempt });
        p.asked += requests.length;
      } catch (error) {
        const cause = redact(errorMessage(error));
        if (error instanceof MayHaveArrived) {
          giveUp([intent], `not submitted again: the submission may have created the batch (${cause})`);
          this.note(
            intent.label,
            `the submission of ${requests.length} ${p.benchmark.id} requests failed after it may have reached the ` +
              `provider (${cause}); not retried, since this provider's batches cannot be looked up by label and a ` +
              'retry could create and pay for a second batch. The next run submits them again: if a batch created ' +
              `at ${new Date().toISOString()} shows up in the provider's console, cancel it`,
          );
          continue;
        }
        giveUp([intent], `not submitted: ${cause}`);
        if (error instanceof EndpointError || this.ctx.signal.aborted) {
          giveUp(intents.slice(n + 1), 'not submitted: the run stopped first');
          throw error;
        }
        this.activity.notes.push(`${requests.length} ${p.benchmark.id} requests not submitted (${cause})`);
      }
    }
  }

  /**
   * Submits one batch. A failed attempt may have created the batch after all (a reply lost on the way back, a
   * timeout): where the provider can look batches up by label (find), it is asked before a retry, so a retry does not
   * create a second batch the list shows; where it cannot, such a failure is not retried (MayHaveArrived).
   */
  private async submitOne(label: string, requests: readonly BatchRequest[]): Promise<string> {
    const find = this.client.find?.bind(this.client);
    let tried = false;
    return this.call(
      async (signal) => {
        if (tried && find) {
          const found = await find(label, signal);
          if (found !== undefined) return found;
        }
        tried = true;
        return this.client.submit(requests, label, signal);
      },
      { moves: true, ...(find ? {} : { once: mayHaveArrived }) },
    );
  }

  /**
   * One batch API call under the run's retry policy (see CallOptions); a configuration fault becomes the run's
   * EndpointError. A server that cannot be reached is one only until a batch call has succeeded in this run.
   */
  private async call<T>(run: (signal: AbortSignal) => Promise<T>, how: CallOptions = {}): Promise<T> {
    const { policy } = this.ctx;
    const patient = how.moves ? { ...policy, timeoutMs: Math.max(policy.timeoutMs, BATCH_CALL_TIMEOUT_MS) } : policy;
    const fatal = (error: Error): boolean => {
      const kind = faultKind(error);
      if (how.byId && kind === 'not-found') return false; // that one batch is unknown: the caller gives it up
      return (
        (error instanceof JudgeCallError && error.details.fatal === true) || isConfigurationFault(kind, this.answered)
      );
    };
    let unsure: Error | undefined;
    const stop = (error: Error): boolean => {
      if (fatal(error)) return true;
      if (how.once?.(error)) unsure = error;
      return unsure !== undefined;
    };
    try {
      const { value } = await callWithRetries(run, patient, this.ctx.signal, { isFatal: stop });
      this.answered = true;
      return value;
    } catch (error) {
      if (unsure !== undefined && !this.ctx.signal.aborted) throw new MayHaveArrived(unsure);
      const last = error instanceof RetriesExhausted ? error.last : error;
      if (last instanceof Error && fatal(last)) throw this.endpointError(last);
      throw error;
    }
  }

  /** One line: which judge and endpoint, what failed, and what to change. */
  private endpointError(error: Error): EndpointError {
    const { judge } = this.options;
    const endpoint = judge.endpoint;
    const where = endpoint ? ` at ${endpoint.url} (URL from ${endpoint.source})` : '';
    const cause = error.message.replace(/\s+/g, ' ').trim().replace(/[.:]$/, '');
    const kind = faultKind(error);
    // A client that says the server has no batch API said all there is to say.
    const saidAll = kind === 'not-found' && error instanceof JudgeCallError && error.details.fatal === true;
    const hint = saidAll ? '' : ` ${configurationHint(kind, endpoint)}.`;
    return new EndpointError(
      redact(`${judge.id}${where}: ${cause}.${hint} Batches submitted before stay recorded in the store.`),
    );
  }

  private waitText(pending: readonly LedgerBatch[]): string {
    let done = 0;
    let total = 0;
    for (const batch of pending) {
      const status = this.statuses.get(batch.label);
      done += status?.done ?? 0;
      total += status?.total ?? batch.requests;
    }
    const collected = this.activity.collected.length;
    const s = pending.length === 1 ? '' : 'es';
    return `waiting for ${pending.length} batch${s}: ${done}/${total} requests done; ${collected} collected so far`;
  }
}

/**
 * --wait's progress line on stderr: redrawn in place on a terminal (with the time to the next check), else printed
 * when it changes (logs of a nightly job).
 */
class WaitLine {
  private last = '';
  private drawn = false;
  private readonly live: boolean;

  constructor(progress: boolean) {
    this.live = progress && process.stderr.isTTY === true;
  }

  show(text: string, nextInMs: number): void {
    if (this.live) {
      process.stderr.write(`\r\x1b[K${text}; next check in ${Math.round(nextInMs / 1000)} s`);
      this.drawn = true;
    } else if (text !== this.last) {
      process.stderr.write(`${text}\n`);
    }
    this.last = text;
  }

  end(): void {
    if (this.drawn) process.stderr.write('\n');
  }
}

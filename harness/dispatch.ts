/**
 * Hands the items a run still has to ask to its workers, leasing them in the store a chunk at a time so that
 * another run on the same store (an overlapping nightly job, a manual rerun) never asks the same item: it skips
 * what is leased, and what one run answers the other reads instead of asking. Items another live run holds are
 * asked for again after it lets go of them: answered by then (nothing to do), or released unanswered (a failure,
 * or that run stopped), in which case this run asks them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LEASE_TTL_MS, type ItemKey, type Store } from './store.ts';

/** How often a run checks on items another run holds. */
const WAIT_POLL_MS = 250;
/** Chunks used up faster than this grow (see adaptChunk), up to MAX_CHUNK items per lease transaction. */
const CHUNK_FAST_MS = 100;
const MAX_CHUNK = 1024;

interface DispatchEvents<K> {
  /** Another run answered these while this one was getting to them. */
  answeredElsewhere?(keys: K[]): void;
  /** Waiting on items other runs hold (0 when no longer waiting). */
  waiting?(count: number, pids: number[]): void;
}

export class Dispatcher<K extends ItemKey> {
  private next = 0;
  private ready: K[] = [];
  private readyAt = 0;
  private held = new Map<string, K>();
  private poll: Promise<void> | undefined;
  private readonly renewal: NodeJS.Timeout;
  private chunk: number;
  private claimedAt = -Infinity;

  constructor(
    private readonly store: Store,
    private readonly fingerprint: string,
    private readonly benchmark: string,
    private readonly todo: readonly K[],
    private readonly baseChunk: number,
    private readonly signal: AbortSignal,
    private readonly events: DispatchEvents<K> = {},
  ) {
    this.chunk = baseChunk;
    // Leases outlive a slow request only if renewed; unref'd, so it never keeps the process alive.
    this.renewal = setInterval(() => this.renew(), LEASE_TTL_MS / 4);
    this.renewal.unref();
  }

  /** The next item to ask, or undefined when there is none left (or the run stopped dispatching). */
  async take(): Promise<K | undefined> {
    for (;;) {
      if (this.signal.aborted) return undefined;
      if (this.readyAt < this.ready.length) return this.ready[this.readyAt++];
      if (this.next < this.todo.length) {
        this.adaptChunk();
        const keys = this.todo.slice(this.next, this.next + this.chunk);
        this.next += keys.length;
        this.claim(keys);
        continue;
      }
      if (this.held.size === 0) return undefined;
      // One poll at a time for all workers: the others wait on the same promise.
      this.poll ??= this.pollHeld().finally(() => (this.poll = undefined));
      await this.poll;
    }
  }

  /**
   * A judge that used up its last chunk within CHUNK_FAST_MS (an in-process baseline, a replay) gets twice as many
   * next time, up to MAX_CHUNK: one lease transaction per 16 instant answers would cost more than the answers.
   * A judge that takes its time goes back to the chunk it started with, so other runs can share the work.
   */
  private adaptChunk(): void {
    const now = performance.now();
    this.chunk = now - this.claimedAt < CHUNK_FAST_MS ? Math.min(MAX_CHUNK, this.chunk * 2) : this.baseChunk;
    this.claimedAt = now;
  }

  /** Ends this run's leases (items claimed but not asked go back to whoever wants them). */
  close(): void {
    clearInterval(this.renewal);
    this.store.releaseLeases();
  }

  private claim(keys: K[]): void {
    const { claimed, answered, busy } = this.store.claim(this.fingerprint, this.benchmark, keys);
    this.ready = claimed;
    this.readyAt = 0;
    if (answered.length > 0) this.events.answeredElsewhere?.(answered);
    for (const { key } of busy) this.held.set(`${key.itemId}\u0000${key.promptHash}`, key);
    if (busy.length > 0) this.events.waiting?.(this.held.size, [...new Set(busy.map((b) => b.pid))]);
  }

  private async pollHeld(): Promise<void> {
    try {
      await sleep(WAIT_POLL_MS, undefined, { signal: this.signal });
    } catch {
      return; // stopped while waiting
    }
    const keys = [...this.held.values()];
    this.held.clear();
    this.claim(keys);
    if (this.held.size === 0) this.events.waiting?.(0, []);
  }

  private renew(): void {
    try {
      this.store.renewLeases();
    } catch {
      // A busy or failing store: the next write reports it to the run; leases are also renewed by the next claim.
    }
  }
}

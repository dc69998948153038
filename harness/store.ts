/**
 * Every judgment, written the moment it completes, in SQLite (better-sqlite3, WAL). A judgment's key is
 * (judge fingerprint, benchmark, item, prompt hash): rerunning a command asks the judge only for keys it does
 * not have, and a changed prompt or judge config is simply a different key. An item that failed is stored
 * with its error and asked again next time.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from './errors.ts';
import type { Verdict } from './tasks.ts';

const SCHEMA_VERSION = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS judges (
  fingerprint TEXT PRIMARY KEY,
  judge_id    TEXT NOT NULL,
  config      TEXT NOT NULL,
  first_seen  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  id                INTEGER PRIMARY KEY,
  judge_id          TEXT NOT NULL,
  judge_fingerprint TEXT NOT NULL,
  benchmarks        TEXT NOT NULL,
  args              TEXT NOT NULL,
  started_at        TEXT NOT NULL,
  finished_at       TEXT,
  status            TEXT NOT NULL,
  summary           TEXT
);
CREATE TABLE IF NOT EXISTS judgments (
  judge_fingerprint TEXT NOT NULL,
  benchmark         TEXT NOT NULL,
  item_id           TEXT NOT NULL,
  prompt_hash       TEXT NOT NULL,
  judge_id          TEXT NOT NULL,
  run_id            INTEGER NOT NULL,
  reply_type        TEXT,
  raw               TEXT,
  verdict           TEXT,
  error             TEXT,
  latency_ms        REAL,
  input_tokens      INTEGER,
  output_tokens     INTEGER,
  attempts          INTEGER NOT NULL DEFAULT 1,
  created_at        TEXT NOT NULL,
  cost_usd          REAL,
  option_probs      TEXT,
  invalid_reason    TEXT,
  PRIMARY KEY (judge_fingerprint, benchmark, item_id, prompt_hash)
);
`;

/** Steps from each older schema version to the next. */
const MIGRATIONS: Record<number, string> = {
  1: 'ALTER TABLE judgments ADD COLUMN cost_usd REAL; ALTER TABLE judgments ADD COLUMN option_probs TEXT;',
  2: 'ALTER TABLE judgments ADD COLUMN invalid_reason TEXT;',
};

export interface Judgment {
  benchmark: string;
  itemId: string;
  promptHash: string;
  judgeId: string;
  runId: number;
  /** 'text' (parse `raw`), 'verdict' (given directly), 'invalid' (the judge itself found no verdict), or null when it failed. */
  replyType: 'text' | 'verdict' | 'invalid' | null;
  raw: string | null;
  verdict: Verdict | null;
  error: string | null;
  latencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** From the judge's price and the provider's token counts; null without a price or usage. */
  costUsd: number | null;
  optionProbabilities: Record<string, number> | null;
  /** Why a reply of type 'invalid' has no verdict. */
  invalidReason: string | null;
  attempts: number;
  createdAt: string;
}

interface JudgmentRow {
  benchmark: string;
  item_id: string;
  prompt_hash: string;
  judge_id: string;
  run_id: number;
  reply_type: 'text' | 'verdict' | 'invalid' | null;
  raw: string | null;
  verdict: string | null;
  error: string | null;
  latency_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  option_probs: string | null;
  invalid_reason: string | null;
  attempts: number;
  created_at: string;
}

export function judgmentKey(itemId: string, promptHash: string): string {
  return `${itemId}\u0000${promptHash}`;
}

/** 'stopped': --max-cost was reached. */
export type RunStatus = 'running' | 'complete' | 'incomplete' | 'interrupted' | 'stopped' | 'failed';

/**
 * Judgments recorded in one turn of the event loop are committed together, at the end of that turn, in one
 * transaction: answers that arrive together (high concurrency) then cost one WAL commit instead of one each, the
 * largest part of the harness's own cost per request. A judgment is still committed within a millisecond or so of
 * its arrival; a SIGKILL in that window loses it like a request still in flight (it is simply asked next run).
 * Judges that answer without I/O can fill a turn with thousands of answers, so a batch is also committed at once
 * when it reaches this size.
 */
const MAX_BATCH = 256;

export class Store {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly writeBatch: (rows: Record<string, unknown>[]) => void;
  private pending: Record<string, unknown>[] = [];
  private flushScheduled = false;
  /** A commit that failed at the end of a turn, rethrown to the next caller (there is no caller to throw to then). */
  private failure: unknown;

  private constructor(readonly file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    try {
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a committed judgment survives a killed process; only an OS crash can lose the last ones.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new UserError(`${file} was written by a newer autorater-harness (store schema ${version}); upgrade to read it.`);
      }
      // A new store gets the current schema; an older one is migrated step by step, keeping its judgments.
      if (version === 0) this.db.exec(SCHEMA);
      else for (let v = version; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]!);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      // Derived values (bootstrap intervals) are a cache keyed by a hash of their inputs: never migrated, safe to drop.
      this.db.exec('CREATE TABLE IF NOT EXISTS derived (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`cannot open the run store ${file}: ${(error as Error).message}`);
    }
    this.upsert = this.db.prepare(`
      INSERT INTO judgments (judge_fingerprint, benchmark, item_id, prompt_hash, judge_id, run_id, reply_type, raw,
                             verdict, error, latency_ms, input_tokens, output_tokens, cost_usd, option_probs, invalid_reason, attempts, created_at)
      VALUES (@fingerprint, @benchmark, @itemId, @promptHash, @judgeId, @runId, @replyType, @raw,
              @verdict, @error, @latencyMs, @inputTokens, @outputTokens, @costUsd, @optionProbs, @invalidReason, @attempts, @createdAt)
      ON CONFLICT (judge_fingerprint, benchmark, item_id, prompt_hash) DO UPDATE SET
        judge_id = excluded.judge_id, run_id = excluded.run_id, reply_type = excluded.reply_type, raw = excluded.raw,
        verdict = excluded.verdict, error = excluded.error, latency_ms = excluded.latency_ms,
        input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, cost_usd = excluded.cost_usd,
        option_probs = excluded.option_probs, invalid_reason = excluded.invalid_reason, attempts = judgments.attempts + excluded.attempts,
        created_at = excluded.created_at`);
    this.writeBatch = this.db.transaction((rows: Record<string, unknown>[]) => {
      for (const row of rows) this.upsert.run(row);
    });
  }

  /** Commits every judgment recorded so far. Reads, run bookkeeping and close() call it first. */
  flush(): void {
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.writeBatch(rows);
  }

  private flushAtEndOfTurn = (): void => {
    this.flushScheduled = false;
    try {
      this.flush();
    } catch (error) {
      this.failure = error;
    }
  };

  static open(file: string): Store {
    return new Store(file);
  }

  registerJudge(fingerprint: string, judgeId: string, config: Readonly<Record<string, unknown>>): void {
    this.db
      .prepare('INSERT OR IGNORE INTO judges (fingerprint, judge_id, config, first_seen) VALUES (?, ?, ?, ?)')
      .run(fingerprint, judgeId, JSON.stringify(config), new Date().toISOString());
  }

  startRun(judgeId: string, fingerprint: string, benchmarks: string[], args: Record<string, unknown>): number {
    const info = this.db
      .prepare('INSERT INTO runs (judge_id, judge_fingerprint, benchmarks, args, started_at, status) VALUES (?, ?, ?, ?, ?, ?)')
      .run(judgeId, fingerprint, benchmarks.join(','), JSON.stringify(args), new Date().toISOString(), 'running');
    return Number(info.lastInsertRowid);
  }

  finishRun(runId: number, status: RunStatus, summary: unknown): void {
    this.flush();
    this.db
      .prepare('UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?')
      .run(new Date().toISOString(), status, JSON.stringify(summary), runId);
  }

  /** All stored judgments of one judge config on one benchmark, keyed by judgmentKey(itemId, promptHash). */
  judgments(fingerprint: string, benchmark: string): Map<string, Judgment> {
    this.flush();
    const rows = this.db
      .prepare('SELECT * FROM judgments WHERE judge_fingerprint = ? AND benchmark = ?')
      .all(fingerprint, benchmark) as JudgmentRow[];
    const map = new Map<string, Judgment>();
    for (const row of rows) {
      map.set(judgmentKey(row.item_id, row.prompt_hash), {
        benchmark: row.benchmark,
        itemId: row.item_id,
        promptHash: row.prompt_hash,
        judgeId: row.judge_id,
        runId: row.run_id,
        replyType: row.reply_type,
        raw: row.raw,
        verdict: row.verdict === null ? null : (JSON.parse(row.verdict) as Verdict),
        error: row.error,
        latencyMs: row.latency_ms,
        inputTokens: row.input_tokens,
        outputTokens: row.output_tokens,
        costUsd: row.cost_usd,
        optionProbabilities: row.option_probs === null ? null : (JSON.parse(row.option_probs) as Record<string, number>),
        invalidReason: row.invalid_reason,
        attempts: row.attempts,
        createdAt: row.created_at,
      });
    }
    return map;
  }

  /**
   * Writes one judgment (or failure), committed at the end of this turn of the event loop (see MAX_BATCH); a later
   * success replaces a stored failure. `attempts` is the number of requests this call made (retries included);
   * stored attempts add up across runs.
   */
  record(fingerprint: string, j: Omit<Judgment, 'createdAt'>): void {
    if (this.failure !== undefined) this.flush(); // throws the failed commit's error to the run
    this.pending.push({
      fingerprint,
      benchmark: j.benchmark,
      itemId: j.itemId,
      promptHash: j.promptHash,
      judgeId: j.judgeId,
      runId: j.runId,
      replyType: j.replyType,
      raw: j.raw,
      verdict: j.verdict === null ? null : JSON.stringify(j.verdict),
      error: j.error,
      latencyMs: j.latencyMs,
      inputTokens: j.inputTokens,
      outputTokens: j.outputTokens,
      costUsd: j.costUsd,
      optionProbs: j.optionProbabilities === null ? null : JSON.stringify(j.optionProbabilities),
      invalidReason: j.invalidReason,
      attempts: j.attempts,
      createdAt: new Date().toISOString(),
    });
    if (this.pending.length >= MAX_BATCH) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAtEndOfTurn);
    }
  }

  /** A cached derived value (see harness/intervals.ts), or undefined. */
  derived(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM derived WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  saveDerived(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO derived (key, value) VALUES (?, ?)').run(key, value);
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.db.close();
    }
  }
}

/**
 * Every judgment, written the moment it completes, in SQLite (better-sqlite3, WAL). A judgment's key is
 * (judge fingerprint, benchmark, item, prompt hash): rerunning a command asks the judge only for keys it does
 * not have, and a changed prompt or judge config is simply a different key. An item that failed is stored
 * with its error and asked again next time.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../core/errors.ts';
import { redact, redactSecrets } from '../core/secrets.ts';
import type { Verdict } from '../protocol/tasks.ts';
import { BATCH_TABLES, BatchLedger } from './batch-ledger.ts';

const SCHEMA_VERSION = 4;

/**
 * Who is asking which item right now, so that runs sharing a store never ask (and pay for) the same item twice.
 * A lease ends when its judgment is recorded, when its run ends, when it expires (its holder renews it while it
 * lives), or at once when its holder's process is gone (same host: the pid no longer exists). Coordination
 * state, not data: created when missing, never migrated.
 */
const LEASES = `
CREATE TABLE IF NOT EXISTS leases (
  judge_fingerprint TEXT NOT NULL,
  benchmark         TEXT NOT NULL,
  item_id           TEXT NOT NULL,
  prompt_hash       TEXT NOT NULL,
  holder            TEXT NOT NULL,
  host              TEXT NOT NULL,
  pid               INTEGER NOT NULL,
  expires_at        INTEGER NOT NULL,
  PRIMARY KEY (judge_fingerprint, benchmark, item_id, prompt_hash)
);
CREATE INDEX IF NOT EXISTS leases_by_holder ON leases (holder);
`;

const TAKE_LEASE =
  'INSERT OR REPLACE INTO leases (judge_fingerprint, benchmark, item_id, prompt_hash, holder, host, pid, expires_at) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

/** This machine's name on leases (os.hostname() is a system call: read once). */
const HOST = os.hostname();

/** How long a lease lasts without renewal: only matters for a holder on another host (same host: pid check). */
export const LEASE_TTL_MS = 60_000;

/**
 * The judgments table, one entry per field of a Judgment, in the table's column order (columns added by migrations
 * come last): the one place a field's column is named. The table's definition, the statement that writes a
 * judgment and the conversion of a row back into a Judgment are all made from it. `stored` is what a value becomes
 * in its column: JSON text, or text with keys and passwords removed (whoever echoed them: the one place anything
 * reaches the store).
 */
const JUDGMENT_COLUMNS: readonly {
  field: keyof Judgment;
  column: string;
  type: string;
  stored?: 'json' | 'redacted' | 'secrets-redacted';
}[] = [
  { field: 'benchmark', column: 'benchmark', type: 'TEXT NOT NULL' },
  { field: 'itemId', column: 'item_id', type: 'TEXT NOT NULL' },
  { field: 'promptHash', column: 'prompt_hash', type: 'TEXT NOT NULL' },
  { field: 'judgeId', column: 'judge_id', type: 'TEXT NOT NULL' },
  { field: 'runId', column: 'run_id', type: 'INTEGER NOT NULL' },
  { field: 'replyType', column: 'reply_type', type: 'TEXT' },
  { field: 'raw', column: 'raw', type: 'TEXT', stored: 'secrets-redacted' },
  { field: 'verdict', column: 'verdict', type: 'TEXT', stored: 'json' },
  { field: 'error', column: 'error', type: 'TEXT', stored: 'redacted' },
  { field: 'latencyMs', column: 'latency_ms', type: 'REAL' },
  { field: 'inputTokens', column: 'input_tokens', type: 'INTEGER' },
  { field: 'outputTokens', column: 'output_tokens', type: 'INTEGER' },
  { field: 'attempts', column: 'attempts', type: 'INTEGER NOT NULL DEFAULT 1' },
  { field: 'createdAt', column: 'created_at', type: 'TEXT NOT NULL' },
  { field: 'costUsd', column: 'cost_usd', type: 'REAL' },
  { field: 'optionProbabilities', column: 'option_probs', type: 'TEXT', stored: 'json' },
  { field: 'invalidReason', column: 'invalid_reason', type: 'TEXT', stored: 'redacted' },
  { field: 'batchId', column: 'batch_id', type: 'TEXT' },
];

/** A judgment's key columns besides the judge's fingerprint. */
const KEY_FIELDS: readonly (keyof Judgment)[] = ['benchmark', 'itemId', 'promptHash'];

const JUDGMENTS_TABLE = `CREATE TABLE IF NOT EXISTS judgments (
  judge_fingerprint TEXT NOT NULL,
${JUDGMENT_COLUMNS.map((c) => `  ${c.column.padEnd(17)} ${c.type},`).join('\n')}
  PRIMARY KEY (judge_fingerprint, benchmark, item_id, prompt_hash)
);`;

/**
 * Writes a judgment unless an answer is stored for its key: a new row, or over a stored error (attempts add up).
 */
const UPSERT_JUDGMENT = `
  INSERT INTO judgments (judge_fingerprint, ${JUDGMENT_COLUMNS.map((c) => c.column).join(', ')})
  VALUES (@fingerprint, ${JUDGMENT_COLUMNS.map((c) => `@${c.field}`).join(', ')})
  ON CONFLICT (judge_fingerprint, benchmark, item_id, prompt_hash) DO UPDATE SET
    ${JUDGMENT_COLUMNS.filter((c) => !KEY_FIELDS.includes(c.field))
      .map((c) => `${c.column} = ${c.field === 'attempts' ? 'judgments.attempts + ' : ''}excluded.${c.column}`)
      .join(', ')}
  WHERE judgments.error IS NOT NULL`;

/** A judgment's statement parameters: its values as stored. */
function judgmentParams(fingerprint: string, j: Judgment): Record<string, unknown> {
  const params: Record<string, unknown> = { fingerprint };
  for (const { field, stored } of JUDGMENT_COLUMNS) {
    const value = j[field];
    params[field] =
      value === null || stored === undefined
        ? value
        : stored === 'json'
          ? JSON.stringify(value)
          : stored === 'redacted'
            ? redact(value as string)
            : redactSecrets(value as string);
  }
  return params;
}

/** A stored row as a Judgment; `once` shares equal strings between rows. */
function judgmentOf(row: Record<string, unknown>, once: (text: string) => string): Judgment {
  const j: Record<string, unknown> = {};
  for (const { field, column, stored } of JUDGMENT_COLUMNS) {
    const value = row[column];
    j[field] = value !== null && stored === 'json' ? JSON.parse(value as string) : value;
  }
  j.benchmark = once(j.benchmark as string);
  j.judgeId = once(j.judgeId as string);
  return j as unknown as Judgment;
}

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
${JUDGMENTS_TABLE}
${BATCH_TABLES}
`;

/** Steps from each older schema version to the next. */
const MIGRATIONS: Record<number, string> = {
  1: 'ALTER TABLE judgments ADD COLUMN cost_usd REAL; ALTER TABLE judgments ADD COLUMN option_probs TEXT;',
  2: 'ALTER TABLE judgments ADD COLUMN invalid_reason TEXT;',
  3: `ALTER TABLE judgments ADD COLUMN batch_id TEXT; ${BATCH_TABLES}`,
};

export interface Judgment {
  benchmark: string;
  itemId: string;
  promptHash: string;
  judgeId: string;
  runId: number;
  /**
   * 'text' (parse `raw`), 'verdict' (given directly), 'invalid' (the judge itself found no verdict), or null when it
   * failed.
   */
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
  /**
   * The provider batch that answered it (eval --batch; its cost is at the batch price); null (or unset, for a record
   * being written) when it was asked on its own.
   */
  batchId?: string | null;
  attempts: number;
  createdAt: string;
}

export interface ItemKey {
  itemId: string;
  promptHash: string;
}

interface Claim<K extends ItemKey> {
  /** Leased to this store's process now: ask them. */
  claimed: K[];
  /** Answered (a verdict or a reply without one) since the caller looked: nothing to ask. */
  answered: K[];
  /** Being asked by another live process: wait for it. */
  busy: { key: K; pid: number; host: string }[];
}

interface LeaseRow {
  holder: string;
  host: string;
  pid: number;
  expires_at: number;
}

export function judgmentKey(itemId: string, promptHash: string): string {
  return `${itemId}\u0000${promptHash}`;
}

/** 'stopped': --max-cost was reached. 'pending': some items are in provider batches not collected yet. */
export type RunStatus = 'running' | 'complete' | 'incomplete' | 'interrupted' | 'stopped' | 'pending' | 'failed';

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
  private readonly addToAnswered: Database.Statement;
  /** PRAGMA data_version after the last claim that found no other run's leases: unchanged means no one else wrote. */
  private quietSince: number | undefined;
  private readonly writeBatch: (rows: Record<string, unknown>[]) => void;
  /** This process's name on its leases. */
  readonly holder = `${HOST}:${process.pid}:${randomBytes(6).toString('hex')}`;
  private pending: Record<string, unknown>[] = [];
  private replyStatement: Database.Statement | undefined;
  private flushScheduled = false;
  /** A commit that failed at the end of a turn, rethrown to the next caller (there is no caller to throw to then). */
  private failure: unknown;
  /** The provider batches submitted for this store's judgments (eval --batch). */
  readonly batches: BatchLedger;

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
        throw new UserError(
          `${file} was written by a newer autorater-harness (store schema ${version}); upgrade to read it.`,
        );
      }
      // A new store gets the current schema; an older one is migrated step by step, keeping its judgments.
      if (version === 0) this.db.exec(SCHEMA);
      else for (let v = version; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]!);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      // Derived values (bootstrap intervals) are a cache keyed by a hash of their inputs: never migrated, safe to drop.
      this.db.exec('CREATE TABLE IF NOT EXISTS derived (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      this.db.exec(LEASES);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`cannot open the run store ${file}: ${(error as Error).message}`);
    }
    this.upsert = this.db.prepare(UPSERT_JUDGMENT);
    this.batches = new BatchLedger(this.db, {
      flush: () => this.flush(),
      host: HOST,
      alive: processExists,
      key: judgmentKey,
    });
    // A stored answer is never replaced: not by an error (a later failure must not erase a verdict), and not by a
    // second answer (two runs that both asked: the first answer stays, and what the second one cost is added, so
    // the store's costs are what was paid).
    this.addToAnswered = this.db.prepare(`
      UPDATE judgments SET attempts = attempts + @attempts,
        cost_usd = CASE WHEN @costUsd IS NULL THEN cost_usd ELSE coalesce(cost_usd, 0) + @costUsd END,
        input_tokens = CASE WHEN @error IS NULL
          THEN coalesce(input_tokens, 0) + coalesce(@inputTokens, 0) ELSE input_tokens END,
        output_tokens = CASE WHEN @error IS NULL
          THEN coalesce(output_tokens, 0) + coalesce(@outputTokens, 0) ELSE output_tokens END
      WHERE judge_fingerprint = @fingerprint AND benchmark = @benchmark AND item_id = @itemId
        AND prompt_hash = @promptHash`);
    // A recorded item's lease is not deleted here (one more write per judgment): claim() reads an answered item as
    // answered whoever holds its lease, and the run's leases all end together in releaseLeases().
    this.writeBatch = this.db.transaction((rows: Record<string, unknown>[]) => {
      for (const row of rows) if (this.upsert.run(row).changes === 0) this.addToAnswered.run(row);
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
      .prepare(
        'INSERT INTO runs (judge_id, judge_fingerprint, benchmarks, args, started_at, status) ' +
          'VALUES (?, ?, ?, ?, ?, ?)',
      )
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
    // Row by row: a 100,000-item benchmark is not held twice (as rows and as judgments) on the way.
    const rows = this.db
      .prepare(
        `SELECT ${JUDGMENT_COLUMNS.map((c) => c.column).join(', ')} FROM judgments ` +
          'WHERE judge_fingerprint = ? AND benchmark = ?',
      )
      .iterate(fingerprint, benchmark) as IterableIterator<
      Record<string, unknown> & { item_id: string; prompt_hash: string }
    >;
    const map = new Map<string, Judgment>();
    // Every row of a benchmark has the same benchmark id and, mostly, the same judge id: one string each, not one
    // per row (SQLite hands out a new one every time).
    const shared = new Map<string, string>();
    const once = (text: string): string => {
      const known = shared.get(text);
      if (known !== undefined) return known;
      shared.set(text, text);
      return text;
    };
    for (const row of rows) {
      map.set(judgmentKey(row.item_id, row.prompt_hash), judgmentOf(row, once));
    }
    return map;
  }

  /** The stored reply text of one judgment (null when it has none, or nothing is stored). */
  replyText(fingerprint: string, benchmark: string, itemId: string, promptHash: string): string | null {
    this.replyStatement ??= this.db.prepare(
      'SELECT raw FROM judgments WHERE judge_fingerprint = ? AND benchmark = ? AND item_id = ? AND prompt_hash = ?',
    );
    type Row = { raw: string | null } | undefined;
    const row = this.replyStatement.get(fingerprint, benchmark, itemId, promptHash) as Row;
    return row?.raw ?? null;
  }

  /** The judgmentKeys of the answered judgments (not failures) of one judge config on one benchmark. */
  answeredKeys(fingerprint: string, benchmark: string): Set<string> {
    this.flush();
    const keys = new Set<string>();
    const rows = this.db
      .prepare(
        'SELECT item_id, prompt_hash FROM judgments WHERE judge_fingerprint = ? AND benchmark = ? AND error IS NULL',
      )
      .raw()
      .iterate(fingerprint, benchmark) as IterableIterator<[string, string]>;
    for (const [itemId, promptHash] of rows) keys.add(judgmentKey(itemId, promptHash));
    return keys;
  }

  /**
   * Writes one judgment (or failure), committed at the end of this turn of the event loop (see MAX_BATCH); a later
   * success replaces a stored failure. `attempts` is the number of requests this call made (retries included);
   * stored attempts add up across runs.
   */
  record(fingerprint: string, j: Omit<Judgment, 'createdAt'>): void {
    if (this.failure !== undefined) this.flush(); // throws the failed commit's error to the run
    this.pending.push(judgmentParams(fingerprint, { batchId: null, ...j, createdAt: new Date().toISOString() }));
    if (this.pending.length >= MAX_BATCH) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAtEndOfTurn);
    }
  }

  /**
   * Leases the given items to this process, in one write transaction: items answered meanwhile (by another run)
   * and items another live process holds are returned apart. An item whose stored row is an error is claimable.
   */
  claim<K extends ItemKey>(fingerprint: string, benchmark: string, keys: readonly K[], ttlMs = LEASE_TTL_MS): Claim<K> {
    const result: Claim<K> = { claimed: [], answered: [], busy: [] };
    if (keys.length === 0) return result;
    this.flush();
    const stored = this.db.prepare(
      'SELECT error FROM judgments WHERE judge_fingerprint = ? AND benchmark = ? AND item_id = ? AND prompt_hash = ?',
    );
    const leased = this.db.prepare(
      'SELECT holder, host, pid, expires_at FROM leases ' +
        'WHERE judge_fingerprint = ? AND benchmark = ? AND item_id = ? AND prompt_hash = ?',
    );
    const take = this.db.prepare(TAKE_LEASE);
    // Fast path: no other connection has committed anything since the last claim found no other run at work, so
    // nothing was answered or leased meanwhile and every key can be leased without looking (the common case: one run).
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (this.quietSince === version) {
      const take = this.db.prepare(TAKE_LEASE);
      const expires = Date.now() + ttlMs;
      this.db.transaction(() => {
        for (const key of keys) {
          take.run(fingerprint, benchmark, key.itemId, key.promptHash, this.holder, HOST, process.pid, expires);
        }
      })();
      result.claimed.push(...keys);
      return result;
    }
    const now = Date.now();
    const host = HOST;
    const alive = new Map<string, boolean>();
    const drop = this.db.prepare(
      'DELETE FROM leases WHERE judge_fingerprint = ? AND benchmark = ? AND item_id = ? AND prompt_hash = ?',
    );
    const holderAlive = (lease: LeaseRow): boolean => {
      if (lease.holder === this.holder) return false; // our own (an earlier claim): take it again
      if (lease.expires_at <= now) return false;
      if (lease.host !== host) return true; // another machine: only expiry tells
      let known = alive.get(lease.holder);
      if (known === undefined) {
        known = processExists(lease.pid);
        alive.set(lease.holder, known);
      }
      return known;
    };
    this.db
      .transaction(() => {
        for (const key of keys) {
          const row = stored.get(fingerprint, benchmark, key.itemId, key.promptHash) as
            | { error: string | null }
            | undefined;
          if (row && row.error === null) {
            result.answered.push(key);
            // A dead run's lease on an item it answered before it died: nobody else would ever remove it.
            const lease = leased.get(fingerprint, benchmark, key.itemId, key.promptHash) as LeaseRow | undefined;
            if (lease && lease.holder !== this.holder && !holderAlive(lease)) {
              drop.run(fingerprint, benchmark, key.itemId, key.promptHash);
            }
            continue;
          }
          const lease = leased.get(fingerprint, benchmark, key.itemId, key.promptHash) as LeaseRow | undefined;
          if (lease && holderAlive(lease)) {
            result.busy.push({ key, pid: lease.pid, host: lease.host });
            continue;
          }
          take.run(fingerprint, benchmark, key.itemId, key.promptHash, this.holder, host, process.pid, now + ttlMs);
          result.claimed.push(key);
        }
        // Two range scans of the holder index (a plain "!=" would read every lease).
        const others = this.db
          .prepare('SELECT 1 FROM leases WHERE holder < ? OR holder > ? LIMIT 1')
          .get(this.holder, this.holder);
        const version = this.db.pragma('data_version', { simple: true }) as number;
        this.quietSince = others === undefined ? version : undefined;
      })
      .immediate();
    return result;
  }

  /** Extends every lease this process holds (called on a timer while a run asks). */
  renewLeases(ttlMs = LEASE_TTL_MS): void {
    this.db.prepare('UPDATE leases SET expires_at = ? WHERE holder = ?').run(Date.now() + ttlMs, this.holder);
  }

  /**
   * Ends every lease this process holds (the run is over, or stopped before asking what it had claimed), and clears
   * leases nobody will end: expired ones, and those of processes on this host that died holding them.
   */
  releaseLeases(): void {
    this.flush();
    this.db.prepare('DELETE FROM leases WHERE holder = ? OR expires_at <= ?').run(this.holder, Date.now());
    const others = this.db.prepare('SELECT DISTINCT holder, pid FROM leases WHERE host = ?').all(HOST) as {
      holder: string;
      pid: number;
    }[];
    for (const { holder, pid } of others) {
      if (!processExists(pid)) this.db.prepare('DELETE FROM leases WHERE holder = ?').run(holder);
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
      if (this.db.open && !this.db.readonly) this.db.prepare('DELETE FROM leases WHERE holder = ?').run(this.holder);
    } finally {
      this.db.close();
    }
  }
}

/** Whether a process with this pid exists on this host (EPERM: it exists but belongs to someone else). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

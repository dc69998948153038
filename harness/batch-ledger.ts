/**
 * The run store's record of provider batches (harness/batch.ts): which items each batch holds, under the label the
 * harness gave it, and where it is in its life. An intent (label and items) is committed BEFORE the batch is
 * submitted, and its id right after, so an item is never submitted twice: a later run skips what a batch holds,
 * and recovers a batch whose process died between creating it and recording its id through the provider's list
 * (BatchClient.find) before it would ever submit those items again.
 *
 * States: 'submitting' (intent recorded, no id yet), 'pending' (id recorded, not collected), 'collected' (its
 * results are stored as judgments, its failures resubmitted or stored as errors), 'lost' (an intent whose process
 * died and whose batch the provider does not know, a submission that failed, or a batch the provider no longer
 * knows: its items are free again; `note` says which).
 */
import type Database from 'better-sqlite3';

export const BATCH_TABLES = `
CREATE TABLE IF NOT EXISTS batches (
  label             TEXT PRIMARY KEY,
  judge_fingerprint TEXT NOT NULL,
  judge_id          TEXT NOT NULL,
  benchmark         TEXT NOT NULL,
  batch_id          TEXT,
  state             TEXT NOT NULL,
  requests          INTEGER NOT NULL,
  selection         TEXT NOT NULL,
  host              TEXT NOT NULL,
  pid               INTEGER NOT NULL,
  created_at        TEXT NOT NULL,
  submitted_at      TEXT,
  ended             TEXT,
  note              TEXT,
  collected_at      TEXT
);
CREATE INDEX IF NOT EXISTS batches_by_judge ON batches (judge_fingerprint, benchmark, state);
CREATE TABLE IF NOT EXISTS batch_items (
  label       TEXT NOT NULL,
  custom_id   TEXT NOT NULL,
  item_id     TEXT NOT NULL,
  prompt_hash TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  PRIMARY KEY (label, custom_id)
);
`;

/** An intent whose process is on another host is taken for dead after this long without an id (no pid to check). */
const ORPHAN_MS = 60 * 60_000;

export type LedgerState = 'submitting' | 'pending' | 'collected' | 'lost';

/** The selection a batch's items were prepared with, so a later run can rebuild their tasks (harness/batch.ts). */
export interface BatchSelection {
  seed: number;
  sample: number | null;
  limit: number | null;
  swap: boolean;
}

export interface BatchItem {
  customId: string;
  itemId: string;
  promptHash: string;
  /** 1 for the first submission, 2 for the one resubmission after a failure inside a batch. */
  attempt: number;
}

export interface BatchIntent {
  label: string;
  fingerprint: string;
  judgeId: string;
  benchmark: string;
  selection: BatchSelection;
  items: BatchItem[];
}

export interface LedgerBatch {
  label: string;
  benchmark: string;
  batchId: string | null;
  state: LedgerState;
  requests: number;
  selection: BatchSelection;
  createdAt: string;
}

interface Row {
  label: string;
  benchmark: string;
  batch_id: string | null;
  state: LedgerState;
  requests: number;
  selection: string;
  created_at: string;
  host: string;
  pid: number;
}

function batchOf(row: Row): LedgerBatch {
  return {
    label: row.label,
    benchmark: row.benchmark,
    batchId: row.batch_id,
    state: row.state,
    requests: row.requests,
    selection: JSON.parse(row.selection) as BatchSelection,
    createdAt: row.created_at,
  };
}

interface LedgerHooks {
  /** Commits the judgments recorded so far (they decide what is answered). */
  flush(): void;
  /** This machine's name, as on leases. */
  host: string;
  /** Whether a process on this host still runs. */
  alive(pid: number): boolean;
  /** A judgment's key within one judge and benchmark (store.ts judgmentKey). */
  key(itemId: string, promptHash: string): string;
}

const COLUMNS = 'label, benchmark, batch_id, state, requests, selection, created_at, host, pid';

export class BatchLedger {
  constructor(
    private readonly db: Database.Database,
    private readonly hooks: LedgerHooks,
  ) {}

  /**
   * The items of one judge and benchmark that batches still submitting or pending hold: judgmentKey → the batch's id
   * (its label while it has none).
   */
  held(fingerprint: string, benchmark: string): Map<string, string> {
    const rows = this.db
      .prepare(
        'SELECT i.item_id, i.prompt_hash, coalesce(b.batch_id, b.label) FROM batch_items i ' +
          'JOIN batches b ON b.label = i.label ' +
          "WHERE b.judge_fingerprint = ? AND b.benchmark = ? AND b.state IN ('submitting', 'pending')",
      )
      .raw()
      .iterate(fingerprint, benchmark) as IterableIterator<[string, string, string]>;
    const held = new Map<string, string>();
    for (const [itemId, promptHash, batch] of rows) held.set(this.hooks.key(itemId, promptHash), batch);
    return held;
  }

  /**
   * Records intents to submit, in one write transaction, leaving out items answered or held by a batch meanwhile
   * (another run on the same store got there first). Returns the intents as recorded; one left empty is dropped.
   */
  intend(intents: readonly BatchIntent[]): BatchIntent[] {
    this.hooks.flush();
    return this.db.transaction(() => this.insert(intents)).immediate();
  }

  /**
   * The provider's id for a recorded intent: the batch exists and holds its items until collected. False when the
   * intent is no longer 'submitting' and does not hold this id: another process took it for orphaned meanwhile and
   * freed its items (state 'lost'); the row is left as that process left it.
   */
  submitted(label: string, batchId: string): boolean {
    const { changes } = this.db
      .prepare(
        "UPDATE batches SET batch_id = ?, state = 'pending', submitted_at = ? WHERE label = ? AND state = 'submitting'",
      )
      .run(batchId, new Date().toISOString(), label);
    if (changes > 0) return true;
    // Another process may have found it through BatchClient.find and recorded the same id first.
    const row = this.db.prepare('SELECT batch_id FROM batches WHERE label = ?').get(label) as
      | { batch_id: string | null }
      | undefined;
    return row?.batch_id === batchId;
  }

  /**
   * An intent that never became a batch (its process died first, or the submission failed), or a pending batch the
   * provider no longer knows: its items are free. A batch already collected or lost is left alone.
   */
  lost(label: string, note: string): void {
    this.db
      .prepare("UPDATE batches SET state = 'lost', note = ? WHERE label = ? AND state IN ('submitting', 'pending')")
      .run(note, label);
  }

  /**
   * Intents of one judge and benchmark without an id whose process is gone: on this host its pid no longer runs; on
   * another host, after ORPHAN_MS. Their batches may exist at the provider (BatchClient.find).
   */
  orphans(fingerprint: string, benchmark: string): LedgerBatch[] {
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM batches ` +
          "WHERE judge_fingerprint = ? AND benchmark = ? AND state = 'submitting' ORDER BY created_at",
      )
      .all(fingerprint, benchmark) as Row[];
    const now = Date.now();
    return rows
      .filter((r) =>
        r.host === this.hooks.host
          ? r.pid !== process.pid && !this.hooks.alive(r.pid)
          : now - Date.parse(r.created_at) > ORPHAN_MS,
      )
      .map(batchOf);
  }

  /** Batches of one judge and benchmark submitted and not yet collected, oldest first. */
  pending(fingerprint: string, benchmark: string): LedgerBatch[] {
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM batches ` +
          "WHERE judge_fingerprint = ? AND benchmark = ? AND state = 'pending' ORDER BY created_at",
      )
      .all(fingerprint, benchmark) as Row[];
    return rows.map(batchOf);
  }

  /** The items a batch holds, by their custom ids. */
  items(label: string): Map<string, BatchItem> {
    const rows = this.db
      .prepare('SELECT custom_id, item_id, prompt_hash, attempt FROM batch_items WHERE label = ?')
      .raw()
      .all(label) as [string, string, string, number][];
    return new Map(
      rows.map(([customId, itemId, promptHash, attempt]) => [customId, { customId, itemId, promptHash, attempt }]),
    );
  }

  /**
   * The custom ids of a batch's items whose stored answer is this batch's: read before its results, so that a read
   * that broke off midway and is read again does not store (and count the cost of) an answer twice.
   */
  answeredFrom(label: string): Set<string> {
    this.hooks.flush();
    const rows = this.db
      .prepare(
        'SELECT i.custom_id FROM batch_items i JOIN batches b ON b.label = i.label ' +
          'JOIN judgments j ON j.judge_fingerprint = b.judge_fingerprint AND j.benchmark = b.benchmark ' +
          'AND j.item_id = i.item_id AND j.prompt_hash = i.prompt_hash ' +
          'WHERE i.label = ? AND j.batch_id = b.batch_id AND j.error IS NULL',
      )
      .pluck()
      .all(label) as string[];
    return new Set(rows);
  }

  /**
   * A batch whose results are all stored: marked collected, with how it ended, and the intents to resubmit its
   * failed items recorded in the same transaction (so they are resubmitted once, by whichever run gets there).
   */
  collected(label: string, ended: string, note: string | null, resubmit: readonly BatchIntent[]): BatchIntent[] {
    this.hooks.flush();
    return this.db
      .transaction(() => {
        this.db
          .prepare("UPDATE batches SET state = 'collected', ended = ?, note = ?, collected_at = ? WHERE label = ?")
          .run(ended, note, new Date().toISOString(), label);
        return this.insert(resubmit);
      })
      .immediate();
  }

  private insert(intents: readonly BatchIntent[]): BatchIntent[] {
    const answered = this.db.prepare(
      'SELECT 1 FROM judgments WHERE judge_fingerprint = ? AND benchmark = ? AND item_id = ? AND prompt_hash = ? ' +
        'AND error IS NULL',
    );
    const addBatch = this.db.prepare(
      'INSERT INTO batches (label, judge_fingerprint, judge_id, benchmark, state, requests, selection, host, pid, ' +
        "created_at) VALUES (?, ?, ?, ?, 'submitting', ?, ?, ?, ?, ?)",
    );
    const addItem = this.db.prepare(
      'INSERT INTO batch_items (label, custom_id, item_id, prompt_hash, attempt) VALUES (?, ?, ?, ?, ?)',
    );
    const recorded: BatchIntent[] = [];
    const heldBy = new Map<string, Map<string, string>>();
    for (const intent of intents) {
      const { fingerprint, benchmark } = intent;
      const scope = `${fingerprint}\u0000${benchmark}`;
      let held = heldBy.get(scope);
      if (!held) heldBy.set(scope, (held = this.held(fingerprint, benchmark)));
      const items = intent.items.filter(
        (i) =>
          !held.has(this.hooks.key(i.itemId, i.promptHash)) &&
          answered.get(fingerprint, benchmark, i.itemId, i.promptHash) === undefined,
      );
      if (items.length === 0) continue;
      const now = new Date().toISOString();
      addBatch.run(
        intent.label,
        fingerprint,
        intent.judgeId,
        benchmark,
        items.length,
        JSON.stringify(intent.selection),
        this.hooks.host,
        process.pid,
        now,
      );
      for (const i of items) {
        addItem.run(intent.label, i.customId, i.itemId, i.promptHash, i.attempt);
        held.set(this.hooks.key(i.itemId, i.promptHash), intent.label);
      }
      recorded.push({ ...intent, items });
    }
    return recorded;
  }
}

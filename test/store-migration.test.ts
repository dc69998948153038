import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Store } from '../harness/store.ts';
import { tempDir } from './helpers.ts';

// The judgments table as the first release wrote it (store schema 1).
const V1 =
  `
CREATE TABLE judges (fingerprint TEXT PRIMARY KEY, judge_id TEXT NOT NULL, config TEXT NOT NULL, ` +
  `first_seen TEXT NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY, judge_id TEXT NOT NULL, judge_fingerprint TEXT NOT NULL, ` +
  `benchmarks TEXT NOT NULL,
  args TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, summary TEXT);
CREATE TABLE judgments (judge_fingerprint TEXT NOT NULL, benchmark TEXT NOT NULL, item_id TEXT NOT NULL, ` +
  `prompt_hash TEXT NOT NULL,
  judge_id TEXT NOT NULL, run_id INTEGER NOT NULL, reply_type TEXT, raw TEXT, verdict TEXT, error TEXT, latency_ms REAL,
  input_tokens INTEGER, output_tokens INTEGER, attempts INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL,
  PRIMARY KEY (judge_fingerprint, benchmark, item_id, prompt_hash));
PRAGMA user_version = 1;
`;

describe('run store upgrades', () => {
  it('opens a store written by the first release, keeps its judgments, and adds the new columns', () => {
    const file = path.join(tempDir(), 'old.sqlite');
    const old = new Database(file);
    old.exec(V1);
    old
      .prepare(
        `INSERT INTO judgments VALUES ('fp', 'rewardbench', 'donotanswer/3692', 'h', ` +
          `'longer-wins', 1, 'verdict', NULL,
      '{"kind":"pairwise","choice":"A"}', NULL, 0.1, NULL, NULL, 1, '2026-11-01T00:00:00Z')`,
      )
      .run();
    old.close();

    const store = Store.open(file);
    const rows = store.judgments('fp', 'rewardbench');
    expect(rows.get('donotanswer/3692\u0000h')).toMatchObject({
      replyType: 'verdict',
      verdict: { kind: 'pairwise', choice: 'A' },
      costUsd: null,
      optionProbabilities: null,
      invalidReason: null,
      attempts: 1,
    });
    store.record('fp', {
      benchmark: 'rewardbench',
      itemId: 'hep-go/1',
      promptHash: 'h2',
      judgeId: 'x',
      runId: 2,
      replyType: 'invalid',
      raw: 'r',
      verdict: null,
      error: null,
      latencyMs: 1,
      inputTokens: 10,
      outputTokens: 2,
      costUsd: 0.5,
      optionProbabilities: { A: 0.9, B: 0.1 },
      invalidReason: 'no winner',
      attempts: 2,
    });
    expect(store.judgments('fp', 'rewardbench').get('hep-go/1\u0000h2')).toMatchObject({
      costUsd: 0.5,
      optionProbabilities: { A: 0.9, B: 0.1 },
      invalidReason: 'no winner',
      attempts: 2,
    });
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    // Schema 4: the batch a judgment was answered in, and the record of provider batches (harness/batch-ledger.ts).
    const columns = (db.prepare('PRAGMA table_info(judgments)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('batch_id');
    expect(db.prepare('SELECT COUNT(*) AS n FROM batches').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM batch_items').get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a store from a newer release instead of damaging it', () => {
    const file = path.join(tempDir(), 'new.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => Store.open(file)).toThrow(/written by a newer autorater-harness \(store schema 99\)/);
  });
});

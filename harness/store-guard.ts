/**
 * How commands open the run store, and what a store failure tells the user: one line naming the file, SQLite's
 * code and what to do, exit 8 (StoreError), never a stack trace.
 *
 * A store is checked (`PRAGMA quick_check`, then the JSON columns) by a connection that only reads, before it is
 * opened for writing: SQLite finds damage only when it reads the damaged page, and by then a run has already
 * written to the file (its run row, the schema version), and writing into a damaged b-tree can spread the damage
 * to good pages. The check reads every page once: about 3 ms per MB of store (warm cache).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { StoreError, UserError } from '../core/errors.ts';
import { Store } from './store.ts';

/** The store the running command opened: names the file when SQLite fails later, mid-run. */
let currentStore: string | undefined;

/**
 * SQLite's own text for its result codes (sqlite3_errstr: fixed since 3.7). store.ts reports a failed open as a
 * UserError holding only this text, so the code is recovered from it.
 */
const CODE_OF_MESSAGE: Record<string, string> = {
  'database disk image is malformed': 'SQLITE_CORRUPT',
  'file is not a database': 'SQLITE_NOTADB',
  'attempt to write a readonly database': 'SQLITE_READONLY',
  'database or disk is full': 'SQLITE_FULL',
  'disk I/O error': 'SQLITE_IOERR',
  'unable to open database file': 'SQLITE_CANTOPEN',
  'database is locked': 'SQLITE_BUSY',
};

/** Opens `file` for a command (see above); every way it can fail is a StoreError. */
export function openStore(file: string): Store {
  currentStore = file;
  if (file !== ':memory:') checkExisting(file);
  try {
    return Store.open(file);
  } catch (error) {
    throw openFailure(error, file);
  }
}

/** A SQLite failure after the store was opened (disk full mid-run, a damaged page a query reached) as a StoreError. */
export function storeFailure(error: unknown): StoreError | undefined {
  if (error instanceof StoreError) return error;
  if (error instanceof Database.SqliteError) return describe(currentStore, error.code, error.message);
  return undefined;
}

/**
 * Refuses a store SQLite cannot read in full, without writing to it (only a WAL a killed run left is checkpointed
 * on close, as any open does: those are committed judgments).
 */
function checkExisting(file: string): void {
  let size: number;
  try {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return; // a new store
    if (stat.isDirectory()) throw new StoreError(`run store ${file} is a folder: pass --store a file.`);
    size = stat.size;
  } catch (error) {
    throw openFailure(error, file);
  }
  if (size === 0) return; // SQLite makes a new database of an empty file
  let db: Database.Database | undefined;
  let problem: string | undefined;
  try {
    // Not `readonly`: a read-only connection leaves the -wal and -shm files it creates behind. This one only
    // reads, and as the last connection to close it removes them.
    db = new Database(file, { fileMustExist: true });
    const result = db.pragma('quick_check(1)', { simple: true }) as string;
    // quick_check's report is several lines ("*** in database main ***", then the problem): one line here.
    if (result !== 'ok') {
      problem = `quick_check: ${result.replace(/\*\*\* in database main \*\*\*\s*/, '').replace(/\s*\n\s*/g, '; ')}`;
    } else {
      problem = notJson(db);
    }
  } catch (error) {
    // Only damage is decided here. Anything else (no permission, locked) the read-write open reports itself.
    const code = error instanceof Database.SqliteError ? error.code : '';
    const isDamage = code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
    if (isDamage) throw describe(file, code, (error as Error).message);
  } finally {
    db?.close();
  }
  if (problem !== undefined) throw damaged(file, problem);
}

/**
 * The columns the harness parses as JSON when it reads them (store.ts, the intervals cache). Garbage inside a row
 * that leaves SQLite's page structure intact passes quick_check, and would then crash a read with a SyntaxError.
 */
const JSON_COLUMNS: Record<string, readonly string[]> = { judgments: ['verdict', 'option_probs'], derived: ['value'] };

function notJson(db: Database.Database): string | undefined {
  for (const [table, columns] of Object.entries(JSON_COLUMNS)) {
    // An older schema may lack a column (migrations add them), a new file every table.
    const present = new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name));
    const checks = columns
      .filter((c) => present.has(c))
      .map((c) => `(${c} IS NOT NULL AND (typeof(${c}) != 'text' OR NOT json_valid(${c})))`);
    if (checks.length === 0) continue;
    const bad = db.prepare(`SELECT rowid FROM ${table} WHERE ${checks.join(' OR ')} LIMIT 1`).get() as
      | { rowid: number }
      | undefined;
    if (bad) return `${table} row ${bad.rowid}: ${columns.join(' or ')} is not JSON`;
  }
  return undefined;
}

function openFailure(error: unknown, file: string): unknown {
  if (error instanceof StoreError) return error;
  if (error instanceof Database.SqliteError) return describe(file, error.code, error.message);
  if (error instanceof UserError) {
    const prefix = `cannot open the run store ${file}: `;
    if (!error.message.startsWith(prefix)) return new StoreError(error.message); // e.g. a newer schema version
    const message = error.message.slice(prefix.length);
    return describe(file, CODE_OF_MESSAGE[message] ?? 'SQLITE_ERROR', message);
  }
  // Creating the store's folder, or looking at the file: EACCES, EROFS, ENOSPC, ENOTDIR…
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (errno?.startsWith('E')) {
    const cause = (error as Error).message;
    return new StoreError(`run store ${file} cannot be created (${cause}): pass --store a writable path.`);
  }
  return error;
}

function storeName(file: string | undefined): string {
  return file === undefined ? 'the run store' : `run store ${file}`;
}

function moveAside(file: string | undefined): string {
  return file === undefined ? 'move it aside' : `move it aside (mv ${file} ${file}.damaged)`;
}

/** One line for a store whose pages or rows are broken (`cause`: what SQLite or the check found). */
function damaged(file: string | undefined, cause: string): StoreError {
  const recover = file === undefined ? '' : `; \`sqlite3 ${file} .recover\` may save what is still readable`;
  const what = `${storeName(file)} is damaged (${cause})`;
  return new StoreError(`${what}: ${moveAside(file)} and rerun to start a new store${recover}.`);
}

/** One line: which store, SQLite's code and text, what to do. */
function describe(file: string | undefined, code: string, message: string): StoreError {
  if (code.startsWith('SQLITE_CORRUPT')) return damaged(file, `${code}: ${message}`);
  const store = storeName(file);
  const cause = `(${code}: ${message})`;
  const aside = moveAside(file);
  const kept = 'every committed judgment is kept';
  let line: string;
  if (code === 'SQLITE_NOTADB') {
    line = `${store} is not a SQLite database ${cause}: check that --store names the right file, or ${aside}.`;
  } else if (code.startsWith('SQLITE_READONLY')) {
    // SQLite also writes the -wal and -shm files beside the store, so its folder matters as much as the file.
    line = `${store} cannot be written ${cause}: check the permissions of it and its folder, or pass another --store.`;
  } else if (code === 'SQLITE_FULL') {
    line = `${store}: the disk is full ${cause}: free some space and rerun; ${kept}.`;
  } else if (code.startsWith('SQLITE_IOERR')) {
    line = `${store}: the disk failed ${cause}: check the disk and its free space, then rerun; ${kept}.`;
  } else if (code.startsWith('SQLITE_CANTOPEN')) {
    line = `${store} cannot be opened ${cause}: check that its folder exists and is writable, or pass another --store.`;
  } else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    line = `${store} is locked by another process ${cause}: wait for it to finish, or pass another --store.`;
  } else {
    line = `${store} cannot be used ${cause}: pass another --store, or ${aside} and rerun.`;
  }
  return new StoreError(line);
}

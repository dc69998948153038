/**
 * Finding and reading the held-out sets' original files (JSON arrays and CSVs), with errors a user can act on:
 * every message names the file, the row (and for CSV the line) and what was expected.
 */
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { DataError, MissingDataError } from '../../core/errors.ts';
import {
  firstFile,
  isFile,
  pullAgain,
  readJsonFile,
  readUtf8,
  requireExactRowCount,
  whereToGet,
} from '../data-text.ts';

function missingMessage(title: string, benchmarkId: string, looked: { file: string; found: boolean }[]): string {
  return [
    `${title} data not found. Looked for:`,
    ...looked.map((l) => `  ${l.file}${l.found ? '' : ' (missing)'}`),
    ...whereToGet(benchmarkId),
  ].join('\n');
}

/** Absolute paths of a set's files, which must all exist: `relPaths` in its folder `dir` of the data directory. */
export async function requireFiles(
  dataDir: string,
  dir: string,
  relPaths: readonly string[],
  title: string,
  benchmarkId: string,
): Promise<string[]> {
  const looked = await Promise.all(
    relPaths.map(async (rel) => {
      const file = path.join(dataDir, `${dir}/${rel}`);
      return { file, found: await isFile(file) };
    }),
  );
  if (looked.some((l) => !l.found)) throw new MissingDataError(missingMessage(title, benchmarkId, looked));
  return looked.map((l) => l.file);
}

/** The first of several alternative files of a set (in its folder `dir`) that exists. */
export async function firstExisting(
  dataDir: string,
  dir: string,
  relPaths: readonly string[],
  title: string,
  benchmarkId: string,
): Promise<{ file: string; index: number }> {
  const candidates = relPaths.map((rel) => `${dir}/${rel}`);
  const found = await firstFile(dataDir, candidates);
  if (found) return found;
  const looked = candidates.map((rel) => ({ file: path.join(dataDir, rel), found: false }));
  throw new MissingDataError(missingMessage(title, benchmarkId, looked));
}

/** A JSON file holding one array of records, and where each record starts. */
export interface JsonRecords {
  rows: unknown[];
  /** "file: line 14 (row 3)", for error messages about record `index`. */
  where(index: number): string;
}

/** A file holding one JSON array (the layout of every held-out JSON file used here). */
export async function readJsonArray(file: string): Promise<JsonRecords> {
  const json = await readJsonFile(file);
  const value = json.value;
  if (!Array.isArray(value)) {
    throw new DataError(`${file}: expected a JSON array of records, found ${value === null ? 'null' : typeof value}.`);
  }
  return { rows: value as unknown[], where: (index) => `${file}: ${json.where(index)}` };
}

/** Validates one record; `where` says which (e.g. "file: row 3" or "file: line 12 (row 10)"). */
export function parseRecord<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'the record';
  throw new DataError(`${where}: ${field}: ${issue.message}`);
}

interface CsvRecord {
  /** 1-based line where the record starts (records may span lines: quoted fields hold newlines). */
  line: number;
  /** 0-based index among the data records (the header is not counted). */
  row: number;
  values: Record<string, string>;
}

/** Reads a CSV with a header row. Duplicate or missing required columns are reported with the file name. */
async function readCsv(file: string, requiredColumns: readonly string[]): Promise<CsvRecord[]> {
  const text = await readUtf8(file);
  let raw: { record: string[]; raw: string }[];
  try {
    raw = parse(text, { bom: true, raw: true, skip_empty_lines: true }) as unknown as {
      record: string[];
      raw: string;
    }[];
  } catch (error) {
    const lines = (error as { lines?: number }).lines;
    throw new DataError(
      `${file}: not a readable CSV file${lines ? ` (near line ${lines})` : ''}: ${(error as Error).message}`,
    );
  }
  const [header, ...records] = raw;
  if (!header) throw new DataError(`${file}: empty; expected a header row with columns ${requiredColumns.join(', ')}.`);
  const missing = requiredColumns.filter((c) => !header.record.includes(c));
  if (missing.length > 0) {
    throw new DataError(
      `${file}: line 1: missing column(s) ${missing.map((c) => `"${c}"`).join(', ')}; the header has ` +
        `${header.record.length} columns.`,
    );
  }
  // Line numbers come from counting the newlines in each record's raw text, since quoted fields span lines.
  let line = 1 + newlines(header.raw);
  return records.map(({ record, raw: recordRaw }, row) => {
    const start = line + leadingNewlines(recordRaw);
    line += newlines(recordRaw);
    const values: Record<string, string> = {};
    header.record.forEach((name, i) => {
      if (name !== '' && !(name in values)) values[name] = record[i] ?? '';
    });
    return { line: start, row, values };
  });
}

function newlines(text: string): number {
  let n = 0;
  for (const ch of text) if (ch === '\n') n += 1;
  return n;
}

/** Skipped empty lines before a record show up at the start of its raw text. */
function leadingNewlines(text: string): number {
  const match = /^(?:\r?\n)*/.exec(text);
  return match ? newlines(match[0]) : 0;
}

function csvWhere(file: string, record: CsvRecord): string {
  return `${file}: line ${record.line} (row ${record.row})`;
}

/** Where a record of a set's files is, for the record's own checks and messages. */
export interface RecordPlace {
  file: string;
  /** Which of the files read (their order as given). */
  fileIndex: number;
  /** 0-based row among the file's records. */
  index: number;
  /** "file: line 14 (row 3)". */
  where: string;
  /** CSV only: the 1-based line where the record starts. */
  line?: number;
}

/** The row counts of a set's pinned release, one per file, and the set to pull again when a file has other rows. */
interface PinnedRows {
  rows: readonly number[];
  benchmarkId: string;
}

/** A record as read, before it is validated, and where it is. */
interface RawRecord {
  value: unknown;
  index: number;
  where: string;
  line?: number;
}

async function forEachRecord<S extends z.ZodType>(
  files: readonly string[],
  read: (file: string) => Promise<RawRecord[]>,
  schema: S,
  pinned: PinnedRows | undefined,
  visit: (record: z.output<S>, at: RecordPlace) => void,
): Promise<void> {
  const counts: number[] = [];
  for (const [fileIndex, file] of files.entries()) {
    const records = await read(file);
    counts.push(records.length);
    for (const { value, index, where, line } of records) {
      visit(parseRecord(schema, value, where), { file, fileIndex, index, where, ...(line ? { line } : {}) });
    }
  }
  requireRowCounts(files, counts, pinned);
}

/**
 * Every record of a set's JSON-array files, validated by `schema`, in file order. Each file's row count must be the
 * pinned release's (fewer or more is refused, naming the file and both counts); it is checked once every record has
 * been validated, so a malformed record is reported before a short file.
 */
export function forEachJsonRecord<S extends z.ZodType>(
  files: readonly string[],
  schema: S,
  pinned: PinnedRows | undefined,
  visit: (record: z.output<S>, at: RecordPlace) => void,
): Promise<void> {
  const read = async (file: string): Promise<RawRecord[]> => {
    const records = await readJsonArray(file);
    return records.rows.map((value, index) => ({ value, index, where: records.where(index) }));
  };
  return forEachRecord(files, read, schema, pinned, visit);
}

/** forEachJsonRecord for CSV files with a header row that must name `columns`. */
export function forEachCsvRecord<S extends z.ZodType>(
  files: readonly string[],
  columns: readonly string[],
  schema: S,
  pinned: PinnedRows | undefined,
  visit: (record: z.output<S>, at: RecordPlace) => void,
): Promise<void> {
  const read = async (file: string): Promise<RawRecord[]> =>
    (await readCsv(file, columns)).map((r) => ({
      value: r.values,
      index: r.row,
      where: csvWhere(file, r),
      line: r.line,
    }));
  return forEachRecord(files, read, schema, pinned, visit);
}

function requireRowCounts(files: readonly string[], counts: readonly number[], pinned: PinnedRows | undefined): void {
  if (!pinned) return;
  for (const [k, file] of files.entries()) {
    requireExactRowCount(file, counts[k]!, pinned.rows[k]!, 'rows', pullAgain(pinned.benchmarkId));
  }
}

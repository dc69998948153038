/**
 * Finding and reading the held-out sets' original files (JSON arrays and CSVs), with errors a user can act on:
 * every message names the file, the row (and for CSV the line) and what was expected.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { DataError, MissingDataError } from '../../harness/errors.ts';
import { readJsonFile, readUtf8 } from '../data-text.ts';

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

function missingMessage(title: string, benchmarkId: string, looked: { file: string; found: boolean }[]): string {
  return [
    `${title} data not found. Looked for:`,
    ...looked.map((l) => `  ${l.file}${l.found ? '' : ' (missing)'}`),
    `Download it with: npm run data -- pull ${benchmarkId}`,
    'or point --data / AUTORATER_DATA at a folder that has it.',
  ].join('\n');
}

/** Absolute paths of files that must all exist (relative to the data directory). */
export async function requireFiles(
  dataDir: string,
  relPaths: readonly string[],
  title: string,
  benchmarkId: string,
): Promise<string[]> {
  const looked = await Promise.all(
    relPaths.map(async (rel) => ({ file: path.join(dataDir, rel), found: await isFile(path.join(dataDir, rel)) })),
  );
  if (looked.some((l) => !l.found)) throw new MissingDataError(missingMessage(title, benchmarkId, looked));
  return looked.map((l) => l.file);
}

/** The first of several alternative files that exists. */
export async function firstExisting(
  dataDir: string,
  relPaths: readonly string[],
  title: string,
  benchmarkId: string,
): Promise<{ file: string; index: number }> {
  const looked = [];
  for (const [index, rel] of relPaths.entries()) {
    const file = path.join(dataDir, rel);
    if (await isFile(file)) return { file, index };
    looked.push({ file, found: false });
  }
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

export interface CsvRecord {
  /** 1-based line where the record starts (records may span lines: quoted fields hold newlines). */
  line: number;
  /** 0-based index among the data records (the header is not counted). */
  row: number;
  values: Record<string, string>;
}

/** Reads a CSV with a header row. Duplicate or missing required columns are reported with the file name. */
export async function readCsv(file: string, requiredColumns: readonly string[]): Promise<CsvRecord[]> {
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
      `${file}: line 1: missing column(s) ${missing.map((c) => `"${c}"`).join(', ')}; the header has ${header.record.length} columns.`,
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

export function csvWhere(file: string, record: CsvRecord): string {
  return `${file}: line ${record.line} (row ${record.row})`;
}

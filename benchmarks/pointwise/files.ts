/**
 * Reading the pointwise sets' files with errors a user can act on: a missing file names every path looked at
 * and how to get it; a malformed file names the file, the record (row or line) and what was expected.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { DataError, MissingDataError } from '../../harness/errors.ts';
import { type JsonFile, readJsonFile } from '../data-text.ts';

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The first of `candidates` (relative to the data directory) that exists. Otherwise a DataError listing every
 * absolute path tried, then `howToGet` (one line per entry).
 */
export async function findDataFile(
  dataDir: string,
  what: string,
  candidates: readonly string[],
  howToGet: readonly string[],
): Promise<string> {
  const absolute = candidates.map((rel) => path.join(dataDir, rel));
  for (const file of absolute) if (await isFile(file)) return file;
  throw new MissingDataError(
    [`${what} not found. Looked for:`, ...absolute.map((f) => `  ${f}`), ...howToGet].join('\n'),
  );
}

/** Every file of a set that needs them all; a DataError naming the missing ones (and the ones found). */
export async function findAllDataFiles(
  dataDir: string,
  what: string,
  files: readonly string[],
  howToGet: readonly string[],
): Promise<string[]> {
  const absolute = files.map((rel) => path.join(dataDir, rel));
  const present = await Promise.all(absolute.map(isFile));
  const missing = absolute.filter((_, i) => !present[i]);
  if (missing.length === 0) return absolute;
  const found = absolute.filter((_, i) => present[i]);
  throw new MissingDataError(
    [
      `${what}: ${missing.length} of ${absolute.length} files not found. Looked for:`,
      ...missing.map((f) => `  ${f}`),
      ...(found.length > 0
        ? [
            'Found (a partial set is not comparable with published numbers, so it is not used):',
            ...found.map((f) => `  ${f}`),
          ]
        : []),
      ...howToGet,
    ].join('\n'),
  );
}

/** A JSON file, parsed, that can also say on which line a record starts (for error messages). */
export function readJson(file: string): Promise<JsonFile> {
  return readJsonFile(file);
}

/** JSON Lines: one parsed value per non-empty line, with its 1-based line number. */
export function parseJsonLines(file: string, text: string): { line: number; value: unknown }[] {
  const records: { line: number; value: unknown }[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    try {
      records.push({ line: index + 1, value: JSON.parse(raw) });
    } catch (error) {
      throw new DataError(`${file}: line ${index + 1}: not a JSON object (${(error as Error).message}).`);
    }
  });
  return records;
}

/** "field.path: message" for the first problem zod found. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(record)';
  return `"${field}": ${issue.message}`;
}

/** Validates one record; `where` is e.g. "line 12" or "instance 3". */
export function parseRecord<T>(schema: z.ZodType<T>, value: unknown, file: string, where: string, expected: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new DataError(`${file}: ${where}, ${describeIssue(parsed.error)}. Expected ${expected}.`);
  return parsed.data;
}

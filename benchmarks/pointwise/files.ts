/**
 * Reading the pointwise sets' files with errors a user can act on: a missing file names every path looked at
 * and how to get it; a malformed file names the file, the record (row or line) and what was expected.
 */
import path from 'node:path';
import type { z } from 'zod';
import { DataError, MissingDataError } from '../../core/errors.ts';
import { memoizeByKey } from '../../core/memo.ts';
import { findDataFile, isFile, type JsonFile, readJsonFile } from '../data-text.ts';
import type { Criterion, RatedItem } from './types.ts';

/**
 * The loader of a set read from one file: the first of `candidates` that exists (see findDataFile), read by `read`
 * once per file however many runs ask for it.
 */
export function singleFileLoader(
  what: string,
  candidates: readonly string[],
  howToGet: readonly string[],
  read: (file: string) => Promise<RatedItem[]>,
): (dataDir: string) => Promise<RatedItem[]> {
  const readOnce = memoizeByKey(read);
  return async (dataDir) => readOnce(await findDataFile(dataDir, what, candidates, howToGet));
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
function parseJsonLines(file: string, text: string): { line: number; value: unknown }[] {
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

/**
 * JSON Lines records validated by `schema`, with their lines. Every line is parsed as JSON first; a record is
 * validated when it is reached, so the caller's own checks on earlier records come first.
 */
export function* jsonLinesRecords<T>(
  file: string,
  text: string,
  schema: z.ZodType<T>,
  expected: string,
): Generator<{ line: number; record: T }> {
  for (const { line, value } of parseJsonLines(file, text)) {
    yield { line, record: parseRecord(schema, value, file, `line ${line}`, expected) };
  }
}

/** "field.path: message" for the first problem zod found. */
function describeIssue(error: z.ZodError): string {
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

/**
 * A DataError unless the rating (or every one of the ratings) is on the criterion's scale; `where` and `field` say
 * which, e.g. "line 12" and "helpfulness".
 */
export function requireOnScale(
  rating: number | readonly number[],
  criterion: Criterion,
  file: string,
  where: string,
  field: string,
): void {
  const { min, max } = criterion.scale;
  const ratings: readonly number[] = typeof rating === 'number' ? [rating] : rating;
  if (!ratings.some((r) => r < min || r > max)) return;
  const shown = typeof rating === 'number' ? `${rating}` : `[${ratings.join(', ')}]`;
  throw new DataError(`${file}: ${where}, "${field}": ${shown} is not on the ${min}-${max} scale.`);
}

/**
 * Reading benchmark files that may be hostile or damaged: every loader decodes text, parses JSON and checks row
 * counts through here, so a bad file is always reported the same way, as a DataError naming the file and the line
 * (for parquet, the row index), never as a crash.
 *
 * Invalid UTF-8 and raw NUL bytes are rejected, not decoded with U+FFFD replacement: every pinned upstream file is
 * valid UTF-8 without NUL bytes, so either one means a damaged download, a binary file or a copy re-saved in another
 * encoding. Replacing bytes would silently change the text the judge sees (and AggreFact's content-hash item ids),
 * so the run would no longer be comparable with the published numbers, and nobody would know. A NUL *character*
 * written the format's own way (JSON "\u0000", a parquet string) is valid data and kept.
 */
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DataError, MissingDataError } from '../core/errors.ts';

const decoder = new TextDecoder('utf-8');

/** 1-based line of a byte offset. */
function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/** The first line (1-based) that is not valid UTF-8. Newline bytes never occur inside a multi-byte sequence. */
function firstInvalidLine(bytes: Uint8Array): number {
  let start = 0;
  let line = 1;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (!isUtf8(bytes.subarray(start, end))) return line;
    start = end + 1;
    line += 1;
  }
  return line;
}

/** A text file's bytes as a string; a DataError naming the line of the first invalid UTF-8 sequence or NUL byte. */
export function decodeUtf8(file: string, bytes: Uint8Array): string {
  if (!isUtf8(bytes)) {
    throw new DataError(
      `${file}: line ${firstInvalidLine(bytes)}: not valid UTF-8; the file is damaged or in another encoding ` +
        '(download it again, or convert it to UTF-8).',
    );
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new DataError(
      `${file}: line ${lineOfByte(bytes, nul)}: a NUL byte, which a text file never holds; ` +
        'the file is damaged or binary.',
    );
  }
  // A leading byte-order mark is dropped (TextDecoder's default), so JSON written by Windows tools still parses.
  return decoder.decode(bytes);
}

/** Reads a UTF-8 text file (see decodeUtf8); an unreadable file is a DataError too. */
export async function readUtf8(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new DataError(`${file}: cannot be read (${(error as Error).message}).`);
  }
  return decodeUtf8(file, bytes);
}

/** 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** JSON.parse; a syntax error becomes a DataError with the line and column where V8 reports a position. */
function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const at = position ? lineAndColumn(text, Number(position[1])) : undefined;
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    throw new DataError(`${file}: not valid JSON${where} (${message}).`);
  }
}

type JsonPath = readonly (string | number)[];

interface Frame {
  array: boolean;
  /** Arrays: the index of the element being read. */
  index: number;
  /** Objects: the key of the value being read (null while reading a key). */
  key: string | null;
  /** How many segments of the wanted path lead here, or null when this container is off the path. */
  depth: number | null;
}

/**
 * The 1-based line where each element of the array at `at` starts (`[]` is the top level; strings are object keys,
 * numbers array indexes). Only called on text JSON.parse accepted, and only when an error needs a line, so it
 * tokenises just enough to follow nesting: strings (with escapes), containers, and scalars as plain runs.
 */
export function jsonElementLines(text: string, at: JsonPath = []): number[] {
  const lines: number[] = [];
  const stack: Frame[] = [];
  let line = 1;
  let i = 0;
  const startValue = (): number | null => {
    const top = stack.at(-1);
    if (!top) return 0;
    if (top.array && top.depth === at.length) lines.push(line);
    if (top.depth === null || top.depth >= at.length) return null;
    return (top.array ? top.index : top.key) === at[top.depth] ? top.depth + 1 : null;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line += 1;
      i += 1;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === ':') {
      i += 1;
    } else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top && !top.array && top.key === null) top.key = JSON.parse(text.slice(i, end + 1)) as string;
      else startValue();
      i = end + 1;
    } else if (c === '{' || c === '[') {
      const depth = startValue();
      stack.push({ array: c === '[', index: 0, key: null, depth });
      i += 1;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i += 1;
    } else if (c === ',') {
      const top = stack.at(-1)!;
      if (top.array) top.index += 1;
      else top.key = null;
      i += 1;
    } else {
      startValue();
      while (i < text.length && !',]}\n \t\r'.includes(text[i]!)) i += 1;
    }
  }
  return lines;
}

/** A parsed JSON file that can say on which line a record starts (computed once per array, on first use). */
export class JsonFile {
  private readonly lines = new Map<string, number[]>();

  constructor(
    readonly file: string,
    readonly text: string,
    readonly value: unknown,
  ) {}

  /** 1-based line of element `index` of the array at `at`, or undefined when there is no such element. */
  lineOf(index: number, at: JsonPath = []): number | undefined {
    const key = JSON.stringify(at);
    let lines = this.lines.get(key);
    if (!lines) {
      lines = jsonElementLines(this.text, at);
      this.lines.set(key, lines);
    }
    return lines[index];
  }

  /** "line 14 (row 3)": where a record of the array at `at` starts, for error messages. */
  where(index: number, noun = 'row', at: JsonPath = []): string {
    const line = this.lineOf(index, at);
    return line === undefined ? `${noun} ${index}` : `line ${line} (${noun} ${index})`;
  }
}

export async function readJsonFile(file: string): Promise<JsonFile> {
  const text = await readUtf8(file);
  return new JsonFile(file, text, parseJson(file, text));
}

/**
 * A file with fewer records than the pinned release is an error, not a silently smaller benchmark: a truncated
 * download or an older version would otherwise be scored and compared with published numbers as if complete.
 */
export function requireRowCount(file: string, found: number, pinned: number, noun = 'rows', howToGet?: string): void {
  if (found >= pinned) return;
  throw new DataError(
    `${file}: ${found.toLocaleString('en-US')} ${noun}, fewer than the ${pinned.toLocaleString('en-US')} ` +
      `of the pinned release; the file is truncated or another version.${howToGet ? ` ${howToGet}` : ''}`,
  );
}

/**
 * requireRowCount for a file whose whole release is pinned: more records than it ships is refused too (another
 * version of the file, whose extra rows would be scored as if they were the benchmark's).
 */
export function requireExactRowCount(
  file: string,
  found: number,
  pinned: number,
  noun = 'rows',
  howToGet?: string,
): void {
  requireRowCount(file, found, pinned, noun, howToGet);
  if (found === pinned) return;
  throw new DataError(
    `${file}: ${found.toLocaleString('en-US')} ${noun}, more than the ${pinned.toLocaleString('en-US')} ` +
      `of the pinned release; the file is another version.${howToGet ? ` ${howToGet}` : ''}`,
  );
}

/** True when `file` exists and is a file (not a folder). */
export async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The first of `candidates` (relative to the data directory) that is a file: its absolute path and which it is. */
export async function firstFile(
  dataDir: string,
  candidates: readonly string[],
): Promise<{ file: string; index: number } | undefined> {
  for (const [index, rel] of candidates.entries()) {
    const file = path.join(dataDir, rel);
    if (await isFile(file)) return { file, index };
  }
  return undefined;
}

/**
 * The absolute path of the first of `candidates` (relative to the data directory) that exists. Otherwise a
 * MissingDataError: "<what> not found. Looked for:", every absolute path tried, then `howToGet` (one line per entry).
 */
export async function findDataFile(
  dataDir: string,
  what: string,
  candidates: readonly string[],
  howToGet: readonly string[],
): Promise<string> {
  const found = await firstFile(dataDir, candidates);
  if (found) return found.file;
  const looked = candidates.map((rel) => `  ${path.join(dataDir, rel)}`);
  throw new MissingDataError([`${what} not found. Looked for:`, ...looked, ...howToGet].join('\n'));
}

/** The download hint for requireRowCount. */
export const pullAgain = (benchmarkId: string): string => `Download it again with: npm run data -- pull ${benchmarkId}`;

/** The lines that end a message about missing data: how to get it. */
export function whereToGet(benchmarkId: string): string[] {
  return [
    `Download it with: npm run data -- pull ${benchmarkId}`,
    'or point --data / AUTORATER_DATA at a folder that has it.',
  ];
}

/** A data value quoted for an error message: JSON-escaped (no control characters reach the terminal), cut short. */
export function quote(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return `${JSON.stringify(cut)}${text.length > max ? ` (${text.length.toLocaleString('en-US')} characters)` : ''}`;
}

/** Marks a parquet string value whose bytes are not valid UTF-8 (see parquetTextParsers). */
class InvalidUtf8 {
  constructor(readonly bytes: number) {}
}

/**
 * hyparquet parsers that keep invalid UTF-8 from being decoded with replacement characters: such a value becomes an
 * InvalidUtf8 marker, which `checkParquetText` reports with the row and column.
 */
export const parquetTextParsers = {
  stringFromBytes(bytes: Uint8Array | undefined): string | InvalidUtf8 | undefined {
    if (!bytes) return bytes;
    return isUtf8(bytes) ? decoder.decode(bytes) : new InvalidUtf8(bytes.length);
  },
};

/** A DataError for the first column of a parquet row holding invalid UTF-8. */
export function checkParquetText(file: string, row: number, values: Record<string, unknown>): void {
  for (const [column, value] of Object.entries(values)) {
    if (value instanceof InvalidUtf8) {
      throw new DataError(
        `${file}: row ${row}, column "${column}": not valid UTF-8; the file is damaged (download it again).`,
      );
    }
  }
}

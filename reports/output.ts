/**
 * The one writer of every command's output files (eval's --out, compare's --out, the leaderboard): each file is
 * written whole beside its target and renamed into place, so a reader (a web server publishing leaderboard/, a CI
 * job reading summary.json) never sees half a file, and a crash leaves the previous version. Large outputs come as
 * lines (predictions.jsonl at 100,000 items) and are streamed, not built as one string.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A file's content: its text, or its lines (each written followed by a newline). */
export type OutputContent = string | Iterable<string>;

/** Writes every file (creating folders), in order; returns their paths as given. */
export async function writeOutputs(files: ReadonlyMap<string, OutputContent>): Promise<string[]> {
  for (const [file, content] of files) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.tmp-${process.pid}`;
    if (typeof content === 'string') await fs.writeFile(temp, content);
    else await writeLines(temp, content);
    await fs.rename(temp, file);
  }
  return [...files.keys()];
}

async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const stream = createWriteStream(file);
  for (const line of lines) {
    if (!stream.write(line + '\n')) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

/** What every command prints after writing: the files, in the order written. */
export function wroteLine(files: readonly string[]): string {
  return `Wrote ${files.join(', ')}`;
}

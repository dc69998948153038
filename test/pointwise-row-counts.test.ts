/**
 * The pointwise loaders with a pinned release refuse a copy of the real file whose rows are not the ones the source
 * ships (pointwise/SOURCES.md): a row removed or added is an error naming the file and both counts. HelpSteer and
 * SummFeedback have no pinned count (no copy of their files was available to count), Dipper has no data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEWSROOM_CRITERIA } from '../benchmarks/pointwise/newsroom/index.ts';
import { NEWSROOM_FILE, readNewsroomFile } from '../benchmarks/pointwise/newsroom/loader.ts';
import { usrPersonaChat } from '../benchmarks/pointwise/usr-personachat/index.ts';
import { PERSONACHAT_FILE, readPersonaChatFile } from '../benchmarks/pointwise/usr-personachat/loader.ts';
import { usrTopicalChat } from '../benchmarks/pointwise/usr-topicalchat/index.ts';
import { TOPICALCHAT_FILE, readTopicalChatFile } from '../benchmarks/pointwise/usr-topicalchat/loader.ts';
import { DataError } from '../core/errors.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

/** A copy of the real file `rel` after `edit`, in a temp folder. */
function copyOf<T>(rel: string, edit: (json: T) => void): string {
  const json = JSON.parse(fs.readFileSync(path.join(DATA_DIR, rel), 'utf8')) as T;
  edit(json);
  const file = path.join(tempDir('autorater-rows-'), path.basename(rel));
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

async function message(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataError);
  return (error as Error).message;
}

const fewer = (file: string, found: number, pinned: number, noun: string, id: string): string =>
  `${file}: ${found} ${noun}, fewer than the ${pinned} of the pinned release; the file is truncated or another ` +
  `version. Download it again with: npm run data -- pull ${id}`;
const more = (file: string, found: number, pinned: number, noun: string, id: string): string =>
  `${file}: ${found} ${noun}, more than the ${pinned} of the pinned release; the file is another version. ` +
  `Download it again with: npm run data -- pull ${id}`;

describe('USR PersonaChat: 60 contexts × 5 responses', () => {
  type Context = { responses: unknown[] };
  const criteria = usrPersonaChat.criteria;

  it('a response removed from one context (still 60 contexts): 299 of 300 responses', async () => {
    const file = copyOf<Context[]>(PERSONACHAT_FILE, (json) => {
      json[7]!.responses.splice(2, 1);
    });
    expect(await message(readPersonaChatFile(file, criteria))).toBe(
      fewer(file, 299, 300, 'responses', 'usr-personachat'),
    );
  });

  it('a context removed, and a response added', async () => {
    const short = copyOf<Context[]>(PERSONACHAT_FILE, (json) => {
      json.pop();
    });
    expect(await message(readPersonaChatFile(short, criteria))).toBe(
      fewer(short, 59, 60, 'contexts', 'usr-personachat'),
    );
    const long = copyOf<Context[]>(PERSONACHAT_FILE, (json) => {
      json[0]!.responses.push(json[0]!.responses[0]);
    });
    expect(await message(readPersonaChatFile(long, criteria))).toBe(
      more(long, 301, 300, 'responses', 'usr-personachat'),
    );
  });
});

describe('USR Topical-Chat: 360 rated responses', () => {
  it('one removed, one added', async () => {
    const short = copyOf<unknown[]>(TOPICALCHAT_FILE, (json) => {
      json.splice(100, 1);
    });
    expect(await message(readTopicalChatFile(short, usrTopicalChat.criteria))).toBe(
      fewer(short, 359, 360, 'items', 'usr-topicalchat'),
    );
    const long = copyOf<unknown[]>(TOPICALCHAT_FILE, (json) => {
      json.push(json[0]);
    });
    expect(await message(readTopicalChatFile(long, usrTopicalChat.criteria))).toBe(
      more(long, 361, 360, 'items', 'usr-topicalchat'),
    );
  });
});

describe('Newsroom: 420 instances', () => {
  it('one added (with its own id): more than the pinned release', async () => {
    const file = copyOf<{ instances: { id: number }[] }>(NEWSROOM_FILE, (json) => {
      json.instances.push({ ...structuredClone(json.instances[0]!), id: 100_000 });
    });
    expect(await message(readNewsroomFile(file, NEWSROOM_CRITERIA))).toBe(
      more(file, 421, 420, 'instances', 'newsroom'),
    );
  });
});

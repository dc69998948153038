/**
 * The item every held-out pairwise set loads into: one unique (context, response, response) pair with the human
 * label, the responses kept in the order the source lists them. Positions shown to a judge are assigned later
 * (pairwise-set.ts), so nothing here depends on the seed.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { DataError } from '../../core/errors.ts';
import { memoizeByKey } from '../../core/memo.ts';
import type { FieldLabels } from '../../protocol/tasks.ts';
import type { BenchmarkItem } from '../benchmark.ts';
import { quote } from '../data-text.ts';
import { forEachJsonRecord, type RecordPlace, requireFiles } from './source-files.ts';

export type SourceSlot = 'first' | 'second';

export interface Votes {
  /** Non-tie annotator votes for the response the source lists first / second. */
  first: number;
  second: number;
}

export interface HumanPair extends BenchmarkItem {
  /** Derived from the source's own keys (or, where it has none, its file and row), so reruns hit the store. */
  id: string;
  context: string;
  /** The two responses in the source's own order (its A/B, text1/text2, chosen/rejected, ...). */
  first: string;
  second: string;
  /** Which one the human majority (or the curated gold label) prefers. */
  better: SourceSlot;
  /** The set's natural breakdown (LLMBar subset, HHH source, RankGen model, ...). */
  group: string;
  /** Annotator votes, for sets with several annotators per pair (per-annotation agreement). */
  votes?: Votes;
  /** What produced each response, where the source says (e.g. beam / nucleus, collab / solo). */
  systems?: { first: string; second: string };
  /** Per-item field names, when they depend on the item (LitMT's languages). */
  labels?: FieldLabels;
  /** Other facts about the item for predictions.jsonl (never shown to a judge). */
  meta?: Record<string, string | number | boolean>;
}

/** What a loader found: the items, plus what the item rule left out (reported in the table notes). */
export interface LoadedSet {
  items: HumanPair[];
  /** Which file(s) the items came from. */
  files: string[];
  /** Pairs whose annotator votes were tied: not asked, and not in the majority accuracy. */
  droppedTies?: { pairs: number; votes: number };
  /** Anything else the report should say about what was read (e.g. which of two alternative files). */
  note?: string;
}

/** The majority of the votes, or null for a tie (such pairs are dropped, as SOURCES.md's item rule says). */
function majority(votes: Votes): SourceSlot | null {
  if (votes.first === votes.second) return null;
  return votes.first > votes.second ? 'first' : 'second';
}

/** Decides pairs by majority and counts the tied ones, which are dropped and reported (LoadedSet.droppedTies). */
class TiedPairs {
  pairs = 0;
  votes = 0;

  /** The majority, or null for a tie, which is counted. */
  decide(votes: Votes): SourceSlot | null {
    const better = majority(votes);
    if (better === null) {
      this.pairs += 1;
      this.votes += votes.first + votes.second;
    }
    return better;
  }
}

/** One item per pair, from the majority of its votes; tied pairs are left out and counted. */
export function majorityItems<P extends { votes: Votes }>(
  pairs: Iterable<P>,
  item: (pair: P, better: SourceSlot) => HumanPair,
): { items: HumanPair[]; droppedTies: TiedPairs } {
  const items: HumanPair[] = [];
  const droppedTies = new TiedPairs();
  for (const pair of pairs) {
    const better = droppedTies.decide(pair.votes);
    if (better !== null) items.push(item(pair, better));
  }
  return { items, droppedTies };
}

/** A short stable hash of some of an item's source fields, for ids where the source has no single key. */
export function contentKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 12);
}

/** Fails loudly if two items got the same id (the store keys judgments by it): the source then has duplicate rows. */
export function assertUniqueIds(items: readonly HumanPair[], where: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id))
      throw new DataError(`${where}: two items have the key ${quote(item.id)}; expected each pair once.`);
    seen.add(item.id);
  }
}

/** Where a record is, plus the majority rule for sets with votes: a tie is counted, and the pair left out. */
interface PairPlace extends RecordPlace {
  majority(votes: Votes): SourceSlot | null;
}

/** A held-out set whose files are JSON arrays holding one pair per record (see jsonPairLoader). */
interface JsonPairSource<S extends z.ZodType> {
  /** For the message when files are missing: what the data is, and the id to pull it with. */
  title: string;
  benchmarkId: string;
  /** The set's folder under the data directory, and its files in that folder. */
  dir: string;
  files: readonly string[];
  /** Records per file in the pinned release (any other count is an error); omitted when no count is pinned. */
  rows?: readonly number[];
  /** One record, validated before `pair` sees it (errors name the file, line, row and field). */
  record: S;
  /** The pair a record holds, or null to leave the record out (a tie: `at.majority(votes)` gave null). */
  pair(record: z.output<S>, at: PairPlace): HumanPair | null;
}

/**
 * The loader of a set whose files are JSON arrays of one pair per record: finds the files (a message naming every
 * missing one), validates every record, checks the pinned row counts and that ids are unique, and reports the tied
 * pairs left out. Memoized per data directory.
 */
export function jsonPairLoader<S extends z.ZodType>(
  source: JsonPairSource<S>,
): (dataDir: string) => Promise<LoadedSet> {
  return memoizeByKey(async (dataDir) => {
    const files = await requireFiles(dataDir, source.dir, source.files, source.title, source.benchmarkId);
    const items: HumanPair[] = [];
    const droppedTies = new TiedPairs();
    const majority = (votes: Votes): SourceSlot | null => droppedTies.decide(votes);
    const pinned = source.rows ? { rows: source.rows, benchmarkId: source.benchmarkId } : undefined;
    await forEachJsonRecord(files, source.record, pinned, (record, at) => {
      const item = source.pair(record, { ...at, majority });
      if (item) items.push(item);
    });
    assertUniqueIds(items, files.length === 1 ? files[0]! : `${dataDir}/${source.dir}`);
    return { items, files, droppedTies };
  });
}

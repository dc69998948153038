/**
 * Turns a loader of human-labelled pairs into a Benchmark: seeded A/B positions, the set's FLAMe instructions and
 * field names, accuracy against the human majority (with a per-group breakdown and, for multi-annotator sets,
 * per-annotation agreement), and a table with this run, the baselines and the paper's Table 1 column.
 * Each held-out set is then a loader plus a spec of a few lines.
 */
import { mean } from 'simple-statistics';
import { chosenSlot, presentPair } from '../../protocol/positions.ts';
import type { FieldLabels, Instructions } from '../../protocol/tasks.ts';
import { alignIntervals, byColumn, type ReportRow, type ReportTable } from '../../core/table.ts';
import { type Benchmark, type BenchmarkDeclaration, declaredFields, incompleteNote } from '../benchmark.ts';
import { TABLE_1, TABLE_1_CITATION } from '../flame-paper.ts';
import { pairwiseItemScore } from '../pairwise.ts';
import type { HumanPair, LoadedSet } from './human-pair.ts';
import { scoreHeldout, type HeldoutGold, type HeldoutSummary } from './scoring.ts';

/** A column averaging some groups' accuracies, where the set's own paper reports one (LLMBar's Adversarial average). */
export interface GroupAverage {
  /** The column's name; it follows the last of its groups. */
  label: string;
  /** The groups averaged: the plain mean of their accuracies (each group counts once, whatever its size). */
  of: readonly string[];
  /** For the table notes: what the column is and whose convention it follows. */
  note: string;
}

interface PairwiseSetSpec extends BenchmarkDeclaration {
  /** FLAMe INSTRUCTIONS: task definition and evaluation instructions, reusing the annotators' own where known. */
  instructions: Instructions;
  /** CONTEXT field names, unless an item brings its own. */
  labels: FieldLabels;
  /** What the breakdown groups are ("subset", "source", ...), and their column order (default: sorted). */
  groupKind: string;
  groups?: readonly string[];
  /** Averages over some groups, each a column after its last group. */
  averages?: readonly GroupAverage[];
  /** Several annotators per pair: also report per-annotation agreement. */
  perAnnotation: boolean;
  /** How an item's label is formed, for the table notes. */
  labelRule: string;
  load(dataDir: string): Promise<LoadedSet>;
}

export type HeldoutBenchmark = Benchmark<HumanPair, HeldoutGold, HeldoutSummary>;

/** The breakdown columns in order: each group, and each average right after the last of its groups. */
function breakdown(summary: HeldoutSummary, averages: readonly GroupAverage[]): (string | GroupAverage)[] {
  const groups = Object.keys(summary.groups);
  const last = (average: GroupAverage): string | undefined => groups.findLast((g) => average.of.includes(g));
  return groups.flatMap((g) => [g, ...averages.filter((a) => last(a) === g)]);
}

/** The plain mean of the groups' accuracies; null unless every one of them has a score. */
function groupAverage(summary: HeldoutSummary, average: GroupAverage): number | null {
  const values = average.of.map((g) => summary.groups[g] ?? null);
  return values.every((v): v is number => v !== null) ? mean(values) : null;
}

function rowValues(summary: HeldoutSummary, spec: PairwiseSetSpec): (number | null)[] {
  const values = [
    summary.score,
    ...breakdown(summary, spec.averages ?? []).map((c) =>
      typeof c === 'string' ? (summary.groups[c] ?? null) : groupAverage(summary, c),
    ),
  ];
  if (spec.perAnnotation) values.push(summary.perAnnotation?.agreement ?? null);
  return values;
}

function columnsOf(summary: HeldoutSummary, spec: PairwiseSetSpec): string[] {
  const groupColumns = breakdown(summary, spec.averages ?? []).map((c) => (typeof c === 'string' ? c : c.label));
  return ['Accuracy', ...groupColumns, ...(spec.perAnnotation ? ['Per-annotation'] : [])];
}

function pairs(n: number): string {
  return n === 1 ? '1 pair' : `${n} pairs`;
}

function fixed(value: number | null, digits = 1): string {
  return value === null ? '—' : value.toFixed(digits);
}

function notes(spec: PairwiseSetSpec, summary: HeldoutSummary, loaded: LoadedSet, groups: readonly string[]): string[] {
  const out: string[] = [];
  const total = loaded.items.length;
  const coverage = summary.n === total ? `${summary.n} items` : `${summary.n} of the set's ${total} items`;
  const dropped = loaded.droppedTies;
  out.push(
    `${coverage}. Label: ${spec.labelRule}.` +
      (dropped && dropped.pairs > 0
        ? ` ${pairs(dropped.pairs)} whose annotator votes were tied (${dropped.votes} votes) left out.`
        : ''),
  );
  if (loaded.note) out.push(loaded.note);
  out.push(
    'Accuracy: 1 when the judge picks the response the humans preferred, 0 for the other, 0.5 for a tie or a reply ' +
      `with no readable verdict (this run: ${summary.ties} ties, ${summary.invalid} unreadable).` +
      (summary.ci95 ? ` 95% interval ${fixed(summary.ci95[0])}–${fixed(summary.ci95[1])}.` : ''),
  );
  out.push(
    'A and B are assigned per item from the seed (about half the preferred responses are A), so a judge that always ' +
      'answers A scores about 50 whatever order the source lists the pair in.',
  );
  if (groups.length > 0) {
    out.push(
      `Breakdown by ${spec.groupKind}: ${groups.map((g) => `${g} ${summary.groupSizes[g] ?? 0}`).join(', ')} items.`,
    );
  }
  for (const average of spec.averages ?? []) out.push(`${average.label}: ${average.note}`);
  if (spec.perAnnotation && summary.perAnnotation) {
    out.push(
      `Per-annotation: each of the ${summary.perAnnotation.votes} non-tie annotator votes on these items is a ` +
        'separate judgment (a tie or unreadable reply agrees half).' +
        (dropped && dropped.pairs > 0
          ? ` The tied pairs are not asked: any answer would agree with exactly half of their ${dropped.votes} votes.`
          : ''),
    );
  }
  if (spec.paperColumn) {
    out.push(
      `Paper rows: ${TABLE_1_CITATION}, column ${spec.paperColumn}. The paper samples 256 items per held-out task ` +
        '(all if fewer) and does not say how it handled annotator ties or which sample it drew: compare with care.',
    );
  }
  out.push(...incompleteNote(summary));
  if (summary.consistency) {
    const c = summary.consistency;
    out.push(
      `Asked in both orders (--swap): ${c.agreed} of ${c.compared} items agree across orders (consistency ` +
        `${fixed(c.rate)}%); an item scores 1 only when both orders pick the preferred response, a flip counts 0.5.`,
    );
  }
  return out;
}

/** Every benchmark definePairwiseSet made: the held-out sets are found in the registry, not listed twice. */
const definedSets = new WeakSet<object>();

export function isPairwiseSet(benchmark: object): benchmark is HeldoutBenchmark {
  return definedSets.has(benchmark);
}

export function definePairwiseSet(spec: PairwiseSetSpec): HeldoutBenchmark {
  const benchmark: HeldoutBenchmark = {
    ...declaredFields(spec, 'pairwise'),

    async load(dataDir) {
      return (await spec.load(dataDir)).items;
    },

    prepare(item, seed) {
      const [chosen, rejected] = item.better === 'first' ? [item.first, item.second] : [item.second, item.first];
      const presented = presentPair({ context: item.context, chosen, rejected }, chosenSlot(seed, spec.id, item.id));
      return {
        task: { ...presented.task, labels: item.labels ?? spec.labels },
        instructions: spec.instructions,
        gold: { chosenSlot: presented.chosenSlot },
      };
    },

    metrics: {
      values: (summary) => byColumn(columnsOf(summary, spec), rowValues(summary, spec)),
      // Resampling within groups keeps every group's size, so each group column has a value in every resample.
      stratum: (item) => item.group,
      binaryOutcome(result) {
        const score = pairwiseItemScore(result);
        return { columns: ['Accuracy', result.item.group], correct: score === 1 ? true : score === 0 ? false : null };
      },
    },

    score(results) {
      return scoreHeldout(results, {
        perAnnotation: spec.perAnnotation,
        ...(spec.groups ? { groups: spec.groups } : {}),
      });
    },

    describe(result) {
      const item = result.item;
      return {
        group: item.group,
        chosen_slot: result.prepared.gold.chosenSlot,
        preferred_in_source: item.better,
        ...(item.systems ? { systems: item.systems } : {}),
        ...(item.votes ? { votes: item.votes } : {}),
        ...(item.meta ?? {}),
        score: pairwiseItemScore(result),
      };
    },

    async tables(summary, context) {
      const loaded = await spec.load(context.dataDir);
      const groups = Object.keys(summary.groups);
      const columns = columnsOf(summary, spec);
      const row = (label: string, source: ReportRow['source'], s: HeldoutSummary): ReportRow => ({
        label,
        source,
        values: rowValues(s, spec),
        intervals: alignIntervals(columns, context.intervals?.(s)),
      });
      const rows: ReportRow[] = [row(context.judgeId, 'this run', summary)];
      for (const baseline of context.baselines ?? []) rows.push(row(baseline.judgeId, 'baseline', baseline.summary));
      const column = spec.paperColumn;
      if (column) {
        for (const paper of TABLE_1) {
          rows.push({
            label: paper.model,
            source: 'paper',
            citation: TABLE_1_CITATION,
            values: [paper.values[column], ...columns.slice(1).map(() => null)],
          });
        }
      }
      const where = column ? ` (FLAMe Table 1: ${column})` : '';
      const table: ReportTable = {
        id: spec.id,
        title: `${spec.title}${where}: ${summary.n} items, ${summary.invalid} invalid, ${summary.errors} errors`,
        columns,
        rows,
        notes: notes(spec, summary, loaded, groups),
      };
      return [table];
    },
  };
  definedSets.add(benchmark);
  return benchmark;
}

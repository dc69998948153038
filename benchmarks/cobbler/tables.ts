/**
 * The report: FLAMe's Table 3 layout (this run, the baseline judges on the same comparisons, the paper's rows),
 * then the judges' agreement with the human majority. Rates print ×100 (the paper's 0.25 is 25.0), because the
 * report renders one decimal. Every rate's n and 95% interval is in the notes.
 */
import { alignIntervals, type ReportRow, type ReportTable } from '../../core/table.ts';
import type { TableContext } from '../benchmark.ts';
import { generatorOf } from './identity.ts';
import { humanMajority, type CobblerData } from './loader.ts';
import { MODULES } from './modules.ts';
import { TABLE_3, TABLE_3_CITATION } from './published.ts';
import {
  columnsFromCounts,
  identityFreeColumns,
  meanOrNull,
  type Agreement,
  type CobblerSummary,
  type Rate,
} from './scoring.ts';

export const TABLE_3_COLUMNS = [
  'Avg',
  'Order',
  'Compassion',
  'Length',
  'Egocentric',
  'Bandwagon',
  'Attention',
] as const;
const HUMAN_COLUMNS = ['Order run', 'Compassion run'] as const;

const pct = (v: number | null): number | null => (v === null ? null : 100 * v);
const pctInterval = (ci: [number, number] | null): [number, number] | null => (ci ? [100 * ci[0], 100 * ci[1]] : null);
const fixed = (v: number | null): string => (v === null ? '—' : (100 * v).toFixed(1));

function rateText(r: Rate): string {
  if (r.rate === null) return '— (n = 0)';
  return `${fixed(r.rate)} [${fixed(r.ci95![0])}–${fixed(r.ci95![1])}] (${r.k}/${r.n})`;
}

/** Table 3's values for a summary, 0-100; Egocentric only for a judge that is one of the generators. */
function table3Values(summary: CobblerSummary, generator: string | null): (number | null)[] {
  const free = identityFreeColumns(summary);
  const egocentric = generator === null ? null : (summary.egocentric.order[generator]?.rate ?? null);
  const columns = [
    free.Order,
    free.Compassion,
    free.Length,
    ...(generator === null ? [] : [egocentric]),
    free.Bandwagon,
    free.Attention,
  ];
  return [
    pct(meanOrNull(columns)),
    pct(free.Order),
    pct(free.Compassion),
    pct(free.Length),
    pct(egocentric),
    pct(free.Bandwagon),
    pct(free.Attention),
  ];
}

/** The identity-free headline columns by name, 0-100: MetricSpec.values, and the bootstrap's targets. */
export function metricValues(summary: CobblerSummary): Record<string, number | null> {
  return valuesOf(identityFreeColumns(summary), summary.score);
}

/** The headline values from summed per-comparison counts (MetricSpec.counts): the same numbers as metricValues. */
export function metricValuesFromCounts(totals: readonly number[]): Record<string, number | null> {
  const free = columnsFromCounts(totals);
  const avg = meanOrNull(Object.values(free));
  return valuesOf(free, avg === null ? null : 100 * avg);
}

function valuesOf(free: ReturnType<typeof identityFreeColumns>, avg: number | null): Record<string, number | null> {
  return {
    Avg: avg,
    Order: pct(free.Order),
    Compassion: pct(free.Compassion),
    Length: pct(free.Length),
    Bandwagon: pct(free.Bandwagon),
    Attention: pct(free.Attention),
  };
}

/** The harness's bootstrap intervals where it gives them, else this summary's own (Wilson) ones. */
function table3Intervals(
  summary: CobblerSummary,
  generator: string | null,
  context: TableContext<CobblerSummary>,
): ([number, number] | null)[] {
  const boot = alignIntervals(TABLE_3_COLUMNS, context.intervals?.(summary));
  const own: ([number, number] | null)[] = [
    null,
    pctInterval(summary.order.combined.ci95),
    pctInterval(summary.compassion.combined.ci95),
    pctInterval(summary.length.ci95),
    generator === null ? null : pctInterval(summary.egocentric.order[generator]?.ci95 ?? null),
    pctInterval(summary.bandwagon.ci95),
    pctInterval(summary.attention.ci95),
  ];
  // The bootstrap's Avg leaves Egocentric out (it depends on who the judge is), so it fits only a row without it.
  return own.map((o, i) => (i === 0 && generator !== null ? null : (boot?.[i] ?? o)));
}

function egocentricNote(
  summary: CobblerSummary,
  judgeId: string,
  generator: string | null,
  models: readonly string[],
): string {
  const rates = models.map((g) => summary.egocentric.order[g]?.rate ?? null).filter((r): r is number => r !== null);
  const across = rates.length > 0 ? (100 * rates.reduce((a, b) => a + b, 0)) / rates.length : null;
  if (generator !== null) {
    return (
      `Egocentric: ${judgeId} is CoBBLEr's generator "${generator}": ` +
      `${rateText(summary.egocentric.order[generator]!)} of the comparisons holding its response, q1 picking it and ` +
      'q2 not picking the same slot (order run); the same count on the compassion run ' +
      `${rateText(summary.egocentric.named[generator]!)} (not compassion.py's "Me bias", which counts q2 not ` +
      'naming it).'
    );
  }
  return (
    `Egocentric is defined only when the judge is one of CoBBLEr's 15 generators (${models.join(', ')}; mapping in ` +
    `benchmarks/cobbler/identity.ts); ${judgeId} is not, so the column is blank and Avg averages the other five. ` +
    'For reference, the same rate averaged over the 15 generators, as if the judge were each in turn, is ' +
    `${across === null ? '—' : across.toFixed(1)} (a coin flip gives 25, the paper's Random row). The paper does ` +
    'not say how it filled the column for FLAMe, which is not a generator.'
  );
}

function detailNotes(summary: CobblerSummary): string[] {
  const c = summary.comparisons;
  const lengthCi = summary.length.ci95;
  const lengthInterval = lengthCi ? ` [${fixed(lengthCi[0])}–${fixed(lengthCi[1])}]` : '';
  return [
    'Comparisons per module (each asked twice; of 5,250 = 50 instructions × 105 model pairs): order ' +
      `${c.order}, compassion ${c.compassion}, bandwagon ${c.bandwagon}, attention ${c.attention}. Rates with ` +
      '95% Wilson intervals and counts:',
    `  Order (anonymous): first-order ${rateText(summary.order.first)}, last-order ${rateText(summary.order.last)}, ` +
      `q1 readable ${rateText(summary.order.valid)}, both readable ${rateText(summary.order.bothValid)}.`,
    `  Compassion (real names, counted as CoBBLEr's compassion.py): both asks named model1 (shown first in q1) ` +
      `${rateText(summary.compassion.first)}, both named model2 ${rateText(summary.compassion.last)}, q1 readable ` +
      `${rateText(summary.compassion.valid)}, both readable ${rateText(summary.compassion.bothValid)}.`,
    '  Order with real names (the compassion run counted as the order module: the same slot both times; not ' +
      `Compassion): first-order ${rateText(summary.namedOrder.first)}, last-order ` +
      `${rateText(summary.namedOrder.last)}, together ${rateText(summary.namedOrder.combined)}.`,
    `  Length (order run, readable q1 not order-flagged): long ${rateText(summary.length.long)}, short ` +
      `${rateText(summary.length.short)}; |long − 0.5| ${fixed(summary.length.bias)}${lengthInterval}.`,
    '  Bandwagon (followed "85% of people believe that System X is better" both times): ' +
      `${rateText(summary.bandwagon)}.`,
    `  Attention (picked the system an irrelevant sentence was about, both times): ${rateText(summary.attention)}.`,
  ];
}

function humanTable(summary: CobblerSummary, context: TableContext<CobblerSummary>, data: CobblerData): ReportTable {
  const values = (s: CobblerSummary): (number | null)[] => [
    pct(s.human.order.agreement),
    pct(s.human.compassion.agreement),
  ];
  const intervals = (s: CobblerSummary): ([number, number] | null)[] => [
    pctInterval(s.human.order.ci95),
    pctInterval(s.human.compassion.ci95),
  ];
  const rows: ReportRow[] = [
    { label: context.judgeId, source: 'this run', values: values(summary), intervals: intervals(summary) },
  ];
  for (const b of context.baselines ?? [])
    rows.push({ label: b.judgeId, source: 'baseline', values: values(b.summary), intervals: intervals(b.summary) });
  const ties = data.comparisons.filter((c) => humanMajority(c) === null).length;
  const describe = (name: string, a: Agreement): string =>
    `${name}: ${a.agreement === null ? '—' : fixed(a.agreement)}` +
    (a.ci95 ? ` [${fixed(a.ci95[0])}–${fixed(a.ci95[1])}]` : '') +
    ` on ${a.n} comparisons`;
  return {
    id: 'cobbler-human',
    title: `CoBBLEr: agreement with the human majority (${summary.human.order.n} comparisons with a majority)`,
    columns: [...HUMAN_COLUMNS],
    rows,
    notes: [
      'Six annotators ranked all 15 responses per instruction (annot_1..6.json); each ranking gives a ' +
        'preference for every pair, and the majority of the six is the label. Of the 5,250 comparisons, ' +
        `${ties} split 3–3 and are left out.`,
      "The judge's pick is the model it preferred in both asks of a module; an item scores 1 when that is the " +
        "majority's, 0 for the other, 0.5 when the two asks disagree (a position flip) or one reply is unreadable. " +
        'Bandwagon and attention are left out: their prompts push the judge on purpose.',
      `This run: ${describe('order run', summary.human.order)}; ` +
        `${describe('compassion run', summary.human.compassion)} (95% intervals, normal approximation).`,
    ],
  };
}

export function cobblerTables(
  summary: CobblerSummary,
  context: TableContext<CobblerSummary>,
  data: CobblerData,
): ReportTable[] {
  const own = generatorOf(data.models, context.judgeId, context.publishedAs);
  const rows: ReportRow[] = [
    {
      label: context.judgeId,
      source: 'this run',
      values: table3Values(summary, own),
      intervals: table3Intervals(summary, own, context),
    },
  ];
  for (const b of context.baselines ?? []) {
    const g = generatorOf(data.models, b.judgeId);
    rows.push({
      label: b.judgeId,
      source: 'baseline',
      values: table3Values(b.summary, g),
      intervals: table3Intervals(b.summary, g, context),
    });
  }
  for (const p of TABLE_3) {
    rows.push({
      label: p.model,
      source: 'paper',
      citation: TABLE_3_CITATION,
      values: [p.avg, p.order, p.compassion, p.length, p.egocentric, p.bandwagon, p.attention].map((v) => 100 * v),
    });
  }
  const notes = [
    'Lower is less biased. Rates ×100 (the paper prints 0-1: its 0.25 is 25.0). Order adds the first- and ' +
      'last-order rates (the same slot picked in both orders). Compassion shows real model names instead of ' +
      "anonymous labels and is counted as CoBBLEr's compassion.py counts it, as the published rows were: by the " +
      'name picked, so it adds the comparisons where both orders picked the same model (a consistent judge scores ' +
      "high; the paper's GPT-4: Order 23, Compassion 79). Length is |long bias − 0.5|; Egocentric is the order-run " +
      'self-preference; Avg is the mean of the columns shown. A coin flip scores 50, 50, 0, 25, 25, 25.',
    ...detailNotes(summary),
    egocentricNote(summary, context.judgeId, own, data.models),
    `Unreadable replies (this run: ${summary.invalid}) are no pick and stay in every denominator (Length's, as in ` +
      'Koo et al., counts readable q1 only).',
    `Prompts: FLAMe's unified format with CoBBLEr's question, instruction, reference and responses; "System A/B" ` +
      `stand for CoBBLEr's "System Star/Square" (FLAMe's answer field reads A or B); the bandwagon and attention ` +
      'sentences are the last CONTEXT field, after the responses, where CoBBLEr puts them. Every judge gets the same ' +
      `prompts, so the compassion module does not tag the judge's own name "(You)" as CoBBLEr does.`,
    `Published rows: ${TABLE_3_CITATION} (Koo et al.'s evaluators, FLAMe, FLAMe-RM), on ` +
      'all 5,250 comparisons per module.',
  ];
  if (summary.errors > 0 || summary.incomplete > 0) {
    notes.push(
      `This run is incomplete: ${summary.errors} asks have no answer and ${summary.incomplete} comparison-module ` +
        'pairs lack an ask (rerun to retry; --limit cuts comparisons): those comparisons are left out of every rate.',
    );
  }
  const asked = Math.max(...MODULES.map((m) => summary.comparisons[m]));
  return [
    {
      id: 'cobbler',
      title:
        `CoBBLEr bias (FLAMe Table 3 layout, ×100, lower is better): ${asked} comparisons per module, ${summary.n} ` +
        `asks, ${summary.invalid} invalid, ${summary.errors} errors`,
      columns: [...TABLE_3_COLUMNS],
      rows,
      notes,
    },
    humanTable(summary, context, data),
  ];
}

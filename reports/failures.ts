/**
 * Why items failed, and where the judge's requests went: the lines every run prints on stderr, and the same facts
 * for report.md and summary.json. Causes are grouped (harness/faults.ts failureCause), so 2,000 failures read as
 * the two or three things that went wrong.
 */
import type { ItemResult } from '../benchmarks/benchmark.ts';
import { PENDING_PREFIX } from '../harness/batch.ts';
import { groupCauses } from '../harness/faults.ts';
import type { BenchmarkRun, RunResult } from '../harness/run.ts';
import type { Judge } from '../judges/judge.ts';
import { isJury } from '../judges/jury.ts';

export interface CauseCount {
  cause: string;
  count: number;
}

/** Items without an answer yet, apart from those in provider batches not collected (reports/batch-lines.ts). */
function errorMessages(results: readonly ItemResult[]): string[] {
  const messages: string[] = [];
  const failed = (outcome: ItemResult['outcome'] | undefined): outcome is { status: 'error'; message: string } =>
    outcome?.status === 'error' && !outcome.message.startsWith(PENDING_PREFIX);
  for (const r of results) {
    if (failed(r.outcome)) messages.push(r.outcome.message);
    if (failed(r.swapped?.outcome)) messages.push(r.swapped.outcome.message);
  }
  return messages;
}

/** One benchmark's failed items (both orders with --swap) by cause, most frequent first. */
export function failuresByCause(run: BenchmarkRun): CauseCount[] {
  return groupCauses(errorMessages(run.results));
}

/** Every benchmark's failed items by cause. */
export function runFailures(run: RunResult): CauseCount[] {
  return groupCauses(run.benchmarks.flatMap((b) => errorMessages(b.results)));
}

/** The first line of a run on stderr: where the judge sends requests and which setting chose it. */
export function endpointLine(judge: Judge): string {
  if (isJury(judge)) {
    const { members, aggregate } = judge.jury;
    const head =
      `judge ${judge.id}: a jury of ${members.length} (majority vote; ratings: ${aggregate}), ` +
      'each member run in turn:';
    return [head, ...members.map((m) => `  ${endpointLine(m)}`)].join('\n');
  }
  if (!judge.endpoint) return `judge ${judge.id}: answers in this process (no network)`;
  const { url, source, model } = judge.endpoint;
  return `judge ${judge.id}: model ${model} at ${url} (from ${source})`;
}

/** "Failed items by cause" for the terminal: at most `shown` causes, each with its count. */
export function failureLines(causes: readonly CauseCount[], shown = 8): string[] {
  if (causes.length === 0) return [];
  const total = causes.reduce((n, c) => n + c.count, 0);
  const width = String(causes[0]!.count).length;
  const lines = [`Items without an answer, by cause (${total}; the next run asks them again):`];
  for (const c of causes.slice(0, shown)) lines.push(`  ${String(c.count).padStart(width)}  ${c.cause}`);
  if (causes.length > shown)
    lines.push(`  … and ${causes.length - shown} more causes (report.md and summary.json list them all)`);
  return lines;
}

/** What the breaker saw, and what to do about it. */
export function breakerLine(run: RunResult): string | undefined {
  const trip = run.breaker;
  if (!trip) return undefined;
  return (
    `Stopped asking: ${trip.count} requests in a row failed over ${(trip.sinceMs / 1000).toFixed(0)} s with the same ` +
    `cause (${trip.cause}); the endpoint looks down. Everything judged so far is stored: rerun the same command ` +
    'when it is back, and only what is missing is asked.'
  );
}

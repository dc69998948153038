/**
 * What a run's provider batches did (eval --batch, harness/batch.ts) and what is still pending: the lines eval prints
 * on stderr and report.md's Run section lists.
 */
import type { BenchmarkRun, RunResult } from '../harness/run.ts';

/** At most this many batch ids on one line; the rest are counted. */
const SHOWN_IDS = 4;

function ids(batchIds: readonly string[]): string {
  const shown = batchIds.slice(0, SHOWN_IDS).join(', ');
  return batchIds.length > SHOWN_IDS ? `${shown} and ${batchIds.length - SHOWN_IDS} more` : shown;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const ENDED: Record<string, string> = {
  ended: 'completed',
  failed: 'failed as a whole',
  expired: 'expired',
  cancelled: 'cancelled',
};

/** "3 errors", or "2 errors, 10 pending" when batches not collected yet hold some items (counted as errors). */
export function errorsText(b: BenchmarkRun): string {
  const pending = b.pending?.items ?? 0;
  const errors = `${b.summary.errors - pending} errors`;
  return pending > 0 ? `${errors}, ${pending} pending in batches` : errors;
}

/** A benchmark's counts, as eval, report.md and a jury's member lines say them: "12 asked, 3 from the store, …". */
export function countsText(b: BenchmarkRun): string {
  return `${b.asked} asked, ${b.cached} from the store, ${errorsText(b)}, ${b.summary.invalid} invalid`;
}

export function batchLines(run: RunResult): string[] {
  const lines: string[] = [];
  const batch = run.batch;
  if (batch) {
    for (const id of batch.recovered) {
      lines.push(`Recovered batch ${id}: submitted by a run that ended before it could record the batch's id.`);
    }
    // In the order they happened: a batch collected, its failures submitted once more, that batch collected.
    const events = [
      ...batch.collected.map((c) => {
        const again = c.resubmitted > 0 ? `, ${c.resubmitted} submitted once more` : '';
        const failed = c.failed > 0 ? `, ${c.failed} stored as errors` : '';
        const line =
          `${c.benchmark}: collected batch ${c.batchId} (${ENDED[c.ended] ?? c.ended}): ` +
          `${plural(c.answered, 'answer')}${again}${failed}.`;
        return { seq: c.seq, line };
      }),
      ...batch.submitted.map((s) => {
        const what = s.attempt > 1 ? 'failed requests submitted once more' : 'requests';
        return {
          seq: s.seq,
          line: `${s.benchmark}: submitted batch ${s.batchId}: ${s.requests} ${what}, at the batch price.`,
        };
      }),
    ];
    for (const { line } of events.sort((a, b) => a.seq - b.seq)) lines.push(line);
    for (const note of batch.notes) lines.push(`Batches: ${note}.`);
  }
  for (const b of run.benchmarks) {
    if (!b.pending) continue;
    const n = b.pending.batchIds.length;
    const progress = batch?.pending.find((p) => p.benchmark === b.benchmark.id);
    const done = progress?.total ? `; the provider reports ${progress.done}/${progress.total} done` : '';
    lines.push(
      `${b.benchmark.id}: ${plural(b.pending.requests, 'request')} in ${n} pending batch${n === 1 ? '' : 'es'} ` +
        `(${ids(b.pending.batchIds)}${done}): the scores above are of what is answered so far; ` +
        '`eval --batch` with the same flags collects the rest once the provider has ended them.',
    );
  }
  return lines;
}

/**
 * V8 lets its heap grow to several times what is live before it collects the old generation again (up to 4×,
 * tuned for short programs that allocate fast). A run of 100,000 items holds every item's task, prompt hash and,
 * at the end, every judgment and result: about 200 MB live, which V8's default would let grow past 500 MB of
 * resident memory. A large run (harness/run.ts decides) lets it grow 50% past what is live instead: a few more
 * collections (each well under 0.1 s at that size) for a bounded footprint. Small runs keep V8's defaults.
 */
import v8 from 'node:v8';

const GROWTH_PERCENT = 50;

let tightened = false;

/** Tightens heap growth, once, for the rest of the process. */
export function boundHeapGrowth(): void {
  if (tightened) return;
  // V8 reads this flag each time it sizes the heap after a collection, so setting it now takes effect from the next.
  v8.setFlagsFromString(`--heap-growing-percent=${GROWTH_PERCENT}`);
  tightened = true;
}

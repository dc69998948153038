/**
 * Ctrl-C and SIGTERM (what schedulers and `timeout` send) for long commands. The first one aborts the returned
 * signal: the run stops dispatching, lets the requests in flight finish within their timeout, stores them, and
 * the command exits 130. A second one quits at once with 130, after `onForceExit` (which commits what is already
 * answered). `dispose` removes the handlers when the command ends.
 */
import { EXIT_CODES } from '../core/exit-codes.ts';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

export function interruptOnSignals(message: string, onForceExit?: () => void): Interrupt {
  const controller = new AbortController();
  const forceExit = (): void => {
    try {
      onForceExit?.();
    } finally {
      process.exit(EXIT_CODES.interrupted.code);
    }
  };
  const first = (signal: NodeJS.Signals): void => {
    for (const s of SIGNALS) process.removeListener(s, first);
    process.stderr.write(`\n${signal === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'}: ${message}\n`);
    controller.abort(new Error(`interrupted by ${signal}`));
    for (const s of SIGNALS) process.once(s, forceExit);
  };
  for (const s of SIGNALS) process.once(s, first);
  return {
    signal: controller.signal,
    dispose() {
      for (const s of SIGNALS) {
        process.removeListener(s, first);
        process.removeListener(s, forceExit);
      }
    },
  };
}

/** What the first Ctrl-C does, said exactly: for a judge that calls an endpoint, and for one in this process. */
export function interruptMessage(callsEndpoint: boolean, timeoutMs: number): string {
  if (!callsEndpoint) return 'stopping: no new items; everything judged so far is stored, then exit 130.';
  return (
    'stopping: no new requests; the ones in flight finish ' +
    `(each within its ${Math.round(timeoutMs / 1000)} s timeout) ` +
    'and are stored, then exit 130. Press Ctrl-C again to quit at once: they are then dropped and asked next run.'
  );
}

/**
 * Ctrl-C for long commands: the first press aborts the returned signal (no new requests; everything finished is
 * stored), a second press quits at once with 130. `dispose` removes the handler when the command ends.
 */
export function interruptOnSigint(message: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    process.stderr.write(`\n${message}\n`);
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}

/** Reading a BatchClient's results in the provider batch tests (anthropic-batch, gemini-batch). */
import { expect } from 'vitest';
import type { BatchResult } from '../judges/adapters/adapter.ts';
import { JudgeCallError } from '../judges/call-error.ts';

/** Every result of a batch, by custom id. */
export async function collect(results: AsyncIterable<BatchResult>): Promise<Map<string, BatchResult>> {
  const byId = new Map<string, BatchResult>();
  for await (const result of results) byId.set(result.customId, result);
  return byId;
}

/** The error a result carries; fails the test if it is an answer. */
export function errorOf(result: BatchResult | undefined): JudgeCallError {
  if (!result || !('error' in result)) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

/** The JudgeCallError a call rejects with. */
export async function thrown(promise: Promise<unknown>): Promise<JudgeCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JudgeCallError);
  return error as JudgeCallError;
}

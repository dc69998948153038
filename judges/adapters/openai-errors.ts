/**
 * What the `openai` SDK throws, in the harness's terms (judges/call-error.ts): HTTP statuses through
 * httpCallError (Retry-After honoured, 401/403 fatal), dropped connections and cut-off or unreadable bodies as
 * retryable, and an abort by the harness's own signal handed back untouched. Shared by the `openai` and
 * `openai-compatible` adapters, which both talk to servers through this SDK.
 */
import type { APIError } from 'openai';
import { JudgeCallError, httpCallError, innermostCause, redactSecret } from '../call-error.ts';

/** The server's own error text: OpenAI's `{"error": {"message"}}`, TGI's `{"error": "..."}`, else the SDK's. */
function serverMessage(error: APIError): string {
  const body: unknown = error.error;
  if (typeof body === 'string' && body.trim() !== '') return body;
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string' && body.message !== '')
    return body.message;
  // The SDK's message starts with the status, which httpCallError adds again.
  return error.message.replace(/^\d{3}\s+/, '');
}

/**
 * The error to throw for what `client.chat.completions.create` threw. `signal` is the attempt's signal: when it
 * has fired, its reason (the harness's TimeoutError, or the reason of a Ctrl-C or fatal stop) is what the
 * harness needs to see, not the SDK's generic APIUserAbortError, so it is returned as it is.
 */
export function toCallError(
  error: unknown,
  sdk: typeof import('openai'),
  signal: AbortSignal,
  secret: string | undefined,
): unknown {
  // The SDK's classes come from the caller, which imports the SDK only when it first sends a request.
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = sdk;
  if (signal.aborted) return signal.reason;
  // The reply bound (bounded-fetch.ts) failed reading a 2xx body: response.json() rethrows the stream's own
  // error, so it arrives here as it was made, already in the harness's terms. (For an error status the SDK puts
  // its message into an APIError with the status, handled below.)
  if (error instanceof JudgeCallError) return error;
  // Only our signal can abort a request, so this cannot really happen; if it does, it is not a server failure.
  if (error instanceof APIUserAbortError) return error;
  // The SDK's own timer is set later than the harness's (see openai.ts), so this is only a backstop.
  if (error instanceof APIConnectionTimeoutError)
    return new JudgeCallError('the server did not answer in time (client timeout)', { retryable: true });
  if (error instanceof APIConnectionError) {
    return new JudgeCallError(redactSecret(`connection failed: ${innermostCause(error)}`, secret), { retryable: true });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    return httpCallError(error.status, redactSecret(serverMessage(error), secret), error.headers);
  }
  // After a 200, the SDK reads the body with response.json(): undici throws TypeError("terminated") when the
  // connection drops mid-body, and JSON.parse throws SyntaxError for a cut-off or non-JSON body. Both are
  // transport faults that a second request usually fixes.
  if (error instanceof SyntaxError || error instanceof TypeError) {
    return new JudgeCallError(
      redactSecret(`the response body was cut off or is not valid JSON: ${innermostCause(error)}`, secret),
      { retryable: true },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new JudgeCallError(redactSecret(message, secret), { retryable: false });
}

/**
 * What a failed request says about the endpoint, for the decisions the run makes and the grouping the user sees:
 * - a configuration that cannot work (no server at the URL, DNS, TLS, a rejected key, a model that does not
 *   exist) stops the run at once, before any item is stored as failed;
 * - the same failure over and over after the endpoint had answered (the server went away) opens the breaker;
 * - anything else is one item's bad luck, retried by the retry policy.
 * Node and undici name their failures by code (ECONNREFUSED, ENOTFOUND, UND_ERR_CONNECT_TIMEOUT, ...), and every
 * adapter puts the innermost cause's message in its JudgeCallError, so the message is enough to classify.
 */
import { JudgeCallError } from '../judges/call-error.ts';

export type FaultKind =
  | 'unreachable' // nothing answers at the address (refused, DNS, no route, connect timeout)
  | 'tls'
  | 'auth' // 401, 403
  | 'not-found' // 404: the model or the URL's path does not exist
  | 'bad-url'
  | 'rate-limit' // 429
  | 'timeout' // no complete reply within the attempt's timeout
  | 'server' // 5xx, 408, 409, 529
  | 'reply' // a 2xx that is not a usable reply (not JSON, cut off, an HTML page, too large)
  | 'request' // another 4xx: this request's own fault
  | 'other';

const UNREACHABLE = new RegExp(
  '\\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EAI_NONAME|EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|UND_ERR_CONNECT_TIMEOUT)\\b' +
    '|Connect Timeout Error|getaddrinfo',
);
const TLS = new RegExp(
  '\\b(CERT_[A-Z_]+|ERR_TLS_[A-Z_]+|ERR_SSL_[A-Z_]+|EPROTO|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN' +
    '|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?)\\b|self[- ]signed certificate' +
    '|certificate has expired|unable to verify the first certificate|wrong version number|does not match certificate' +
    '|SSL routines',
  'i',
);
// "bad port": fetch refuses ports browsers block (e.g. 9, 25, 6000), whatever listens there.
const BAD_URL =
  /\bERR_INVALID_URL\b|Invalid URL|unknown scheme|ERR_UNSUPPORTED_PROTOCOL|only absolute urls|\bbad port\b/i;

export function faultKind(error: Error): FaultKind {
  const status = error instanceof JudgeCallError ? error.details.status : undefined;
  if (status !== undefined && status >= 400) {
    // A 400 that the adapter marked fatal is a refused credential said otherwise (Gemini: API_KEY_INVALID).
    if (status === 401 || status === 403 || (status === 400 && error instanceof JudgeCallError && error.details.fatal))
      return 'auth';
    if (status === 404) return 'not-found';
    if (status === 429) return 'rate-limit';
    if (status >= 500 || status === 408 || status === 409) return 'server';
    return 'request';
  }
  if (error.name === 'TimeoutError') return 'timeout';
  const text = error.message;
  if (TLS.test(text)) return 'tls';
  if (UNREACHABLE.test(text)) return 'unreachable';
  if (BAD_URL.test(text)) return 'bad-url';
  if (error instanceof JudgeCallError && error.details.retryable) return 'reply';
  return 'other';
}

/**
 * Faults of the judge's configuration rather than of one item: every other request would fail the same way. A
 * server that cannot be reached only counts before it has answered once in this run; afterwards it went away,
 * which is the breaker's call (it may come back).
 */
export function isConfigurationFault(kind: FaultKind, answeredBefore: boolean): boolean {
  if (kind === 'auth' || kind === 'not-found' || kind === 'tls' || kind === 'bad-url') return true;
  return kind === 'unreachable' && !answeredBefore;
}

/** Where the judge sends requests, as far as a hint needs it (judges/judge.ts Endpoint). */
interface EndpointInfo {
  source: string;
  keyFrom?: string;
  model: string;
}

/** The setting a user changes for each configuration fault, said after the cause. */
export function configurationHint(kind: FaultKind, endpoint?: EndpointInfo): string {
  const url = endpoint ? `the URL (${endpoint.source})` : 'the URL';
  switch (kind) {
    case 'auth':
      return endpoint
        ? `The key was refused: check ${endpoint.keyFrom ?? 'the API key'} and its access to model "${endpoint.model}"`
        : 'The key was refused: check the API key';
    case 'not-found':
      return (
        `${endpoint ? `Model "${endpoint.model}"` : 'The model'} or the path does not exist there: ` +
        `check "model" in the judge config and ${url}`
      );
    case 'tls':
      return (
        `The TLS handshake failed: check http:// vs https:// in ${url}, ` +
        'or trust a private CA with NODE_EXTRA_CA_CERTS'
      );
    case 'bad-url':
      return `The URL is malformed or refused by fetch (which blocks ports such as 9, 25 and 6000): check ${url}`;
    case 'unreachable':
      return `Nothing answers there: start the server, or fix ${url}`;
    default:
      return `Check the judge's key, model and ${url}`;
  }
}

/** Request ids, hex digests and long numbers vary per request; masked so that one cause is one group. */
const VARYING =
  /\b(?:req_|request[-_ ]id[:= ]*)[A-Za-z0-9-]+|\b[0-9a-f]{16,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f-]{19,}\b/gi;
const MAX_CAUSE_CHARS = 100;

/**
 * The group a failure message belongs to: the status or error class and the provider's message, without the
 * attempt count and request-specific ids, shortened. Messages are already redacted when stored.
 */
export function failureCause(message: string): string {
  const flat = message
    .replace(/\s*\(after \d+ attempts\)\s*$/, '')
    .replace(VARYING, '…')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > MAX_CAUSE_CHARS ? `${flat.slice(0, MAX_CAUSE_CHARS - 1)}…` : flat || 'unknown error';
}

/** Failure causes with their counts, most frequent first. */
export function groupCauses(messages: Iterable<string>): { cause: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const message of messages) {
    const cause = failureCause(message);
    counts.set(cause, (counts.get(cause) ?? 0) + 1);
  }
  return [...counts]
    .map(([cause, count]) => ({ cause, count }))
    .sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
}

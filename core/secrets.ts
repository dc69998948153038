/**
 * The one redaction every stored, reported or printed text goes through. Judges register the secrets they were
 * given (API keys, passwords and user names in URLs, query-string values, the Basic credentials built from them)
 * when they are created; `redact` then removes those values wherever they turn up (a proxy echoing a header, an
 * SDK quoting a URL in its error, a server repeating the request), plus anything shaped like a credential that no
 * judge registered: Bearer/Basic tokens, `user:password@` in URLs, and key-like query parameters.
 */

/** Shorter values are not registered: replacing "ab" in every reply would mangle text and hide nothing worth hiding. */
const MIN_SECRET_LENGTH = 6;
const REDACTED = '***';

const secrets = new Set<string>();
let ordered: string[] = [];

/** Registers values to hide from every text written from now on (process-wide: one CLI run, one set of judges). */
export function registerSecret(...values: (string | undefined | null)[]): void {
  let added = false;
  for (const value of values) {
    if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) continue;
    secrets.add(value);
    // Percent-encoded copies: a URL quoted in an error shows the value as it was sent.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) secrets.add(encoded);
    added = true;
  }
  // Longest first, so a secret that contains another is removed whole.
  if (added) ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/** Hides every registered secret in `text`: for texts a judge produced (replies), where only exact values go. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

const QUERY_SECRET =
  /([?&](?:api[-_]?key|key|token|access[-_]?token|auth|sig|signature|secret|password|code)=)[^&#\s"'<>]+/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s"'<>]+@/gi;
const AUTH_TOKEN = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g;
// The scheme word of an Authorization value stays readable: AUTH_TOKEN has already hidden its token.
const KEY_HEADER =
  /\b((?:x-api-key|x-goog-api-key|api-key|authorization)["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b)[^\s"',}]+/gi;

/**
 * For messages the harness writes (errors, endpoint lines, failure causes): registered secrets, then anything
 * shaped like a credential, so an unregistered token in a quoted URL or header never reaches a file or a terminal.
 */
export function redact(text: string): string {
  return redactSecrets(text)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(QUERY_SECRET, `$1${REDACTED}`)
    .replace(AUTH_TOKEN, `$1 ${REDACTED}`)
    .replace(KEY_HEADER, `$1${REDACTED}`);
}

/** A URL fit to show: no user name or password, and every query value hidden (any of them may be a key). */
export function displayUrl(url: URL): string {
  const shown = new URL(url.href);
  const hadUser = shown.username !== '' || shown.password !== '';
  shown.username = '';
  shown.password = '';
  for (const key of [...shown.searchParams.keys()]) shown.searchParams.set(key, REDACTED);
  // The URL class writes a bare host as "host/"; shown as the user would write it.
  const text = shown.pathname === '/' ? shown.href.replace(/\/(?=[?#]|$)/, '') : shown.href;
  return hadUser ? text.replace('://', `://${REDACTED}@`) : text;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
  ordered = [];
}

/**
 * Escaping for the self-contained HTML leaderboard. Judge ids, citations, notes and version strings come from
 * configuration files and downloaded data, so every one of them is treated as hostile text.
 */

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * JSON for a `<script type="application/json">` element. `<`, `>` and `&` only ever occur inside JSON strings, where
 * their \u escapes mean the same thing, so `</script>` and `<!--` cannot end or confuse the element. U+2028/2029 are
 * escaped too so the text stays valid if anyone ever pastes it into a classic script.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Code for an inline `<script>` element. JavaScript cannot be escaped generically (`<\/` is only valid inside
 * strings), so code that could end the element or enter the HTML parser's "script data escaped" state is refused.
 */
export function inlineScript(code: string, what: string): string {
  const bad = /<\/script|<!--|<script/i.exec(code);
  if (bad) throw new Error(`${what} contains "${bad[0]}" and cannot be inlined into a <script> element`);
  return code;
}

/**
 * Escaping for everything the report writes from data (customer, segment, product and team names come
 * straight from finance exports): HTML text and attributes, and JSON embedded in a <script> element.
 */
const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for an HTML element or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

const SCRIPT_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON that can sit inside <script type="application/json"> (or be evaluated as JS): no `</script>`,
 * no `<!--`, no line separators, whatever the strings contain. JSON.parse gives the same value back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => SCRIPT_ESCAPES[ch] ?? ch);
}

/** Source code inlined into a <script> element: refuses what would close the element early. */
export function inlineScript(source: string): string {
  if (/<\/script|<!--/i.test(source))
    throw new Error('script source cannot be inlined: it contains </script or <!--');
  return source;
}

/** Text for HTML and SVG output (chapters 0 and 9). */

/** Escapes text for safe inclusion in HTML or SVG. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * Text for HTML and SVG output (chapter 0 introduces it; chapter 9's CartPole
 * drawing uses it for captions).
 */

/** Escapes text for safe inclusion in HTML or SVG (chapter 0). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

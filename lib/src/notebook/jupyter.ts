/**
 * The bridge to the notebook (chapter 0): rich output through tslab when the
 * code runs inside a tslab kernel, nothing (or a file) outside one.
 */
import { randomBytes } from 'node:crypto';

interface TslabJupyter {
  lastWriteDisplayData: ((data: unknown, update: boolean) => void) | null;
}

function tslabJupyter(): TslabJupyter | null {
  try {
    // tslab sets this hook only in a running kernel; required lazily so that
    // dlkit works in plain Node without tslab installed.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('tslab/dist/jupyter') as TslabJupyter;
  } catch {
    return null;
  }
}

/** True when running inside a tslab (Jupyter) kernel that can show rich output (chapter 0). */
export function inNotebook(): boolean {
  return tslabJupyter()?.lastWriteDisplayData != null;
}

/**
 * A unique id for an output that later calls overwrite in place (chapter 0). Drawn from
 * node:crypto, never from `Math.random`, which `seed()` seeds: a live plot draws a new figure id
 * whenever its throttle lets it redraw, so ids from the book's generator would make every later
 * result depend on how fast the machine ran.
 */
export function newDisplayId(): string {
  return `dlkit-${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}

/**
 * Shows rich output in the notebook (chapter 0). `bundle` maps MIME types to
 * content (`text/html`, `text/plain`, or JSON data such as plotly's
 * `application/vnd.plotly.v1+json`); the frontend shows the richest one it can. With a `displayId`, the first
 * call creates the output and calls with `update: true` replace it in place.
 * Returns false, showing nothing, outside a kernel.
 */
export function displayRich(bundle: Record<string, unknown>, options: { displayId?: string; update?: boolean } = {}): boolean {
  const write = tslabJupyter()?.lastWriteDisplayData;
  if (!write) return false;
  write(
    { data: bundle, metadata: {}, transient: options.displayId ? { display_id: options.displayId } : {} },
    options.update ?? false,
  );
  return true;
}

/** Shows an HTML fragment in the notebook, with a plain-text fallback (chapter 0). */
export function showHtml(html: string, text = ''): boolean {
  return displayRich(text ? { 'text/html': html, 'text/plain': text } : { 'text/html': html });
}

/**
 * True when figures should rely on JupyterLab's plotly renderer alone (chapter
 * 0): `npm start` sets `DLKIT_PLOTLY=mime` when it opens a JupyterLab that has
 * the renderer, so plotly.js is never sent into (and saved with) the notebook.
 * Otherwise (the classic Notebook, nbconvert, the tests) plotly.js is sent once
 * per kernel session for the figures' HTML form.
 */
export function usesPlotlyRenderer(): boolean {
  return (process.env['DLKIT_PLOTLY'] ?? '').trim().toLowerCase() === 'mime';
}

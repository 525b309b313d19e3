/** The bridge to the notebook (chapter 0): rich output through tslab inside a tslab kernel, nothing (or a file) outside. */
import { randomBytes } from 'node:crypto';

interface TslabJupyter {
  lastWriteDisplayData: ((data: unknown, update: boolean) => void) | null;
}

function tslabJupyter(): TslabJupyter | null {
  try {
    // tslab sets this hook only in a running kernel; required lazily so dlkit runs in plain Node without tslab.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('tslab/dist/jupyter') as TslabJupyter;
  } catch {
    return null;
  }
}

/** True when running inside a tslab (Jupyter) kernel that can show rich output. */
export function inNotebook(): boolean {
  return tslabJupyter()?.lastWriteDisplayData != null;
}

/** A unique output id from node:crypto: ids from the seeded `Math.random` would make results depend on plot redraws. */
export function newDisplayId(): string {
  return `dlkit-${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}

/** Shows a MIME bundle in the notebook; with a `displayId`, `update: true` replaces that output. False outside one. */
export function displayRich(bundle: Record<string, unknown>, options: { displayId?: string; update?: boolean } = {}): boolean {
  const write = tslabJupyter()?.lastWriteDisplayData;
  if (!write) return false;
  write(
    { data: bundle, metadata: {}, transient: options.displayId ? { display_id: options.displayId } : {} },
    options.update ?? false,
  );
  return true;
}

/** Shows an HTML fragment in the notebook, with a plain-text fallback. */
export function showHtml(html: string, text = ''): boolean {
  return displayRich(text ? { 'text/html': html, 'text/plain': text } : { 'text/html': html });
}

/**
 * True when figures rely on JupyterLab's plotly renderer alone (`DLKIT_PLOTLY=mime`, set by `npm start`), so
 * plotly.js is never saved in the notebook; otherwise it is sent once per kernel session for the HTML form.
 */
export function usesPlotlyRenderer(): boolean {
  return (process.env['DLKIT_PLOTLY'] ?? '').trim().toLowerCase() === 'mime';
}

/** plotly.js inlined (chapter 0), never from a CDN: sent once per kernel session; later figures reuse `window.Plotly`. */
import { readFileSync } from 'node:fs';
import { displayRich } from '../notebook/jupyter';

let bundleSource: string | null = null;
let sentToKernelSession = false;

/** The plotly.js bundle's source, read from node_modules once. */
export function plotlySource(): string {
  if (bundleSource === null) {
    let path: string;
    try {
      path = require.resolve('plotly.js-dist-min/plotly.min.js');
    } catch {
      throw new Error('plotly.js-dist-min is not installed: run `npm ci` at the top of the repository.');
    }
    // A closing script tag inside the bundle would end the inline script early.
    bundleSource = readFileSync(path, 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return bundleSource;
}

/** The bundle as an inline `<script>` element. */
export function plotlyScriptTag(): string {
  return `<script type="text/javascript">${plotlySource()}</script>`;
}

/** Sends the bundle to the notebook unless this kernel session has; `force` sends it again (after a page reload, say). */
export function ensurePlotlyInNotebook(force = false): void {
  if (sentToKernelSession && !force) return;
  const shown = displayRich({
    'text/html': `${plotlyScriptTag()}<div class="dlkit-plotly-loaded" style="display:none">plotly.js loaded</div>`,
    'text/plain': '',
  });
  if (shown) sentToKernelSession = true;
}

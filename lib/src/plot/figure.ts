/** Figures (chapter 0): a plotly figure that shows itself in a notebook or saves itself as a self-contained `.html`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePlotlyInNotebook, plotlyScriptTag } from './plotly-bundle';
import { escapeHtml } from 'gym-js';
import { displayRich, newDisplayId, usesPlotlyRenderer } from '../notebook/jupyter';

/** A plotly trace (`{ type: 'scatter', x, y, ... }`); see plotly.js' reference. */
export type Trace = Record<string, unknown>;
/** A plotly layout (`{ title, xaxis, yaxis, ... }`). */
export type Layout = Record<string, unknown>;

/** Options most chart helpers share. */
export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixel height; width follows the notebook. */
  height?: number;
  width?: number;
  /** Extra layout fields, merged last. */
  layout?: Layout;
}

/** The value as JSON, typed arrays written as arrays. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v));
}

function jsonForScript(value: unknown): string {
  return toJson(value).replace(/<\//g, '<\\/').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The value as plain JSON data (typed arrays become arrays), for a MIME bundle. */
function plainJson(value: unknown): unknown {
  return JSON.parse(toJson(value));
}

/** plotly's MIME type, drawn by JupyterLab's plotly renderer. */
export const PLOTLY_MIME_TYPE = 'application/vnd.plotly.v1+json';
const PLOTLY_CONFIG = { responsive: true, displaylogo: false };

/** Builds the layout fields every helper sets from `ChartOptions`. */
export function baseLayout(options: ChartOptions = {}): Layout {
  const layout: Layout = {
    margin: { l: 60, r: 20, t: options.title ? 50 : 20, b: 50 },
    height: options.height ?? 360,
  };
  if (options.width !== undefined) layout['width'] = options.width;
  if (options.title) layout['title'] = { text: options.title };
  if (options.xLabel) layout['xaxis'] = { title: { text: options.xLabel } };
  if (options.yLabel) layout['yaxis'] = { title: { text: options.yLabel } };
  return { ...layout, ...(options.layout ?? {}) };
}

/** A plotly figure: traces plus layout. */
export class Figure {
  constructor(readonly traces: Trace[], public layout: Layout = {}) {}

  /** The `<div>` and the script that draws into it; needs `window.Plotly` on the page. */
  toHtmlFragment(divId: string = newDisplayId()): string {
    const height = typeof this.layout['height'] === 'number' ? `${this.layout['height']}px` : '360px';
    return (
      `<div id="${divId}" class="dlkit-figure" style="width:100%;height:${height}"></div>\n` +
      `<script type="text/javascript">(function(){\n` +
      `var id=${JSON.stringify(divId)},tries=0;\n` +
      `function draw(){var el=document.getElementById(id);if(!el)return;\n` +
      `if(window.Plotly){window.Plotly.newPlot(el,${jsonForScript(this.traces)},${jsonForScript(this.layout)},${JSON.stringify(PLOTLY_CONFIG)});return;}\n` +
      `if(++tries<100){setTimeout(draw,50);return;}\n` +
      `el.textContent='plotly.js is not loaded on this page. In JupyterLab: install its plotly renderer (pip install plotly; npm start does) and reload. In the classic Notebook: run the cell again (after a page reload: ensurePlotlyInNotebook(true)).';}\n` +
      `draw();})();</script>`
    );
  }

  /** The figure as a notebook output: plotly's MIME type (JupyterLab), HTML (classic Notebook, nbconvert) and text. */
  toMimeBundle(divId: string = newDisplayId()): Record<string, unknown> {
    return {
      [PLOTLY_MIME_TYPE]: { data: plainJson(this.traces), layout: plainJson(this.layout), config: PLOTLY_CONFIG },
      'text/html': this.toHtmlFragment(divId),
      'text/plain': this.toText(),
    };
  }

  /** A one-line text description, shown where HTML cannot be. */
  toText(): string {
    const title = (this.layout['title'] as { text?: string } | undefined)?.text ?? 'figure';
    return `[${title}: ${this.traces.length} trace${this.traces.length === 1 ? '' : 's'}]`;
  }

  /** A complete HTML page with plotly.js inlined: opens offline in any browser. */
  toStandaloneHtml(pageTitle?: string): string {
    const title = pageTitle ?? (this.layout['title'] as { text?: string } | undefined)?.text ?? 'Figure';
    return (
      `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>\n` +
      `${plotlyScriptTag()}\n</head><body>\n${this.toHtmlFragment('figure')}\n</body></html>\n`
    );
  }

  /** Shows the figure in the notebook; outside a kernel prints a one-line description (use `saveHtml` to keep it). */
  show(): void {
    if (!usesPlotlyRenderer()) ensurePlotlyInNotebook();
    if (!displayRich(this.toMimeBundle())) {
      console.log(this.toText());
    }
  }

  /** Writes the figure as a self-contained HTML file (parent folders are created). */
  saveHtml(path: string): string {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, this.toStandaloneHtml());
    return path;
  }
}

/**
 * LivePlot (chapters 0 and 5), after d2l's ProgressBoard: curves redrawn in one output while a model trains, under
 * a progress line with the step, latest values, throughput and time left.
 */
import { baseLayout, Figure, Trace } from './figure';
import { escapeHtml } from 'gym-js';
import { displayRich, inNotebook, newDisplayId, usesPlotlyRenderer } from '../notebook/jupyter';
import { ensurePlotlyInNotebook } from './plotly-bundle';

export interface LivePlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Side-by-side panels, each its own y axis (`{ yLabel, series }`); unplaced series go to the first. Default one. */
  panels?: LivePlotPanel[];
  /** Reader names of series, e.g. `{ lr: 'learning rate' }`; default `readerName(series)`. */
  labels?: Record<string, string>;
  /** How many units (`progress.done`) the whole run has, for the ETA. */
  total?: number;
  /** What `progress.done` counts: 'samples', 'steps', ... */
  unit?: string;
  /** Minimum milliseconds between redraws; the last update is always drawn by `close()`. */
  minIntervalMs?: number;
  height?: number;
  /** Print the progress line on stdout outside a notebook (default true). */
  logOutsideNotebook?: boolean;
}

/** One panel of a `LivePlot`: its y-axis label and the series drawn in it. */
export interface LivePlotPanel {
  yLabel?: string;
  series: string[];
}

/** A logged name as a reader says it: `validationLoss` → `validation loss`; words ('DQN return') stay. */
export function readerName(name: string): string {
  if (/^[a-z][A-Za-z0-9]*$/.test(name)) return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  if (/^[a-z][a-z0-9_]*$/.test(name)) return name.replace(/_/g, ' ');
  return name;
}

/** The quantity a series measures: `validationLoss` and `loss` both measure `loss`. */
function quantityOf(name: string): string {
  const match = /^validation([A-Z].*)$/.exec(name);
  return match ? `${(match[1] as string)[0]?.toLowerCase()}${(match[1] as string).slice(1)}` : name;
}

/** plotly's default colours, one per quantity. */
const QUANTITY_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** Progress reported with an update: how many units are done. */
export interface Progress {
  done: number;
  /** A label such as 'epoch 3/10', shown first in the progress line. */
  label?: string;
}

/** Formats seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5) ? value.toExponential(3) : value.toFixed(4);
}

/** Curves that update in place during training, with a progress line. */
export class LivePlot {
  private readonly series = new Map<string, { x: number[]; y: number[] }>();
  private readonly displayId = newDisplayId();
  private readonly progressId = newDisplayId();
  private readonly startTime = Date.now();
  private shown = false;
  private lastDraw = 0;
  private lastLog = 0;
  private latest: Record<string, number> = {};
  private lastX = 0;
  private progress: Progress | null = null;
  private closed = false;
  private note: string | null = null;

  constructor(private readonly options: LivePlotOptions = {}) {}

  /** Adds one point per named value at `x` and redraws (throttled); `progress` drives the rate and ETA. */
  update(x: number, values: Record<string, number>, progress?: Progress): void {
    if (this.closed) throw new Error('LivePlot.update: this plot was closed; create a new LivePlot for a new run.');
    for (const [name, value] of Object.entries(values)) {
      let s = this.series.get(name);
      if (!s) {
        s = { x: [], y: [] };
        this.series.set(name, s);
      }
      s.x.push(x);
      s.y.push(value);
      this.latest[name] = value;
    }
    this.lastX = x;
    if (progress) this.progress = progress;
    const now = Date.now();
    if (now - this.lastDraw >= (this.options.minIntervalMs ?? 300)) this.draw(now);
  }

  /** The progress line: label, latest values, rate and ETA. */
  progressLine(now = Date.now()): string {
    const parts: string[] = [];
    parts.push(this.progress?.label ?? `${this.options.xLabel ?? 'x'} ${this.lastX}`);
    for (const [name, value] of Object.entries(this.latest)) parts.push(`${this.label(name)} ${formatValue(value)}`);
    const elapsed = (now - this.startTime) / 1000;
    if (this.progress && elapsed > 0) {
      const rate = this.progress.done / elapsed;
      parts.push(`${rate >= 100 ? Math.round(rate).toLocaleString('en-US') : rate.toFixed(1)} ${this.options.unit ?? 'steps'}/s`);
      const total = this.options.total;
      if (total !== undefined && rate > 0) {
        const remaining = Math.max(0, total - this.progress.done) / rate;
        const finished = this.note === null ? `done in ${formatDuration(elapsed)}` : `elapsed ${formatDuration(elapsed)}`;
        parts.push(this.closed ? finished : `elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(remaining)}`);
      } else {
        parts.push(`elapsed ${formatDuration(elapsed)}`);
      }
    }
    if (this.note !== null) parts.push(this.note);
    return parts.join(' | ');
  }

  /** The reader name of a series: `labels[name]`, else `readerName(name)`. */
  label(name: string): string {
    return this.options.labels?.[name] ?? readerName(name);
  }

  /** The curves as a `Figure`: one panel per `panels` entry, a colour per quantity, training solid, validation dashed. */
  figure(): Figure {
    const panels = this.options.panels && this.options.panels.length > 0 ? this.options.panels : [{ yLabel: this.options.yLabel, series: [] }];
    const panelOf = (name: string) => Math.max(0, panels.findIndex((p) => p.series.includes(name)));
    const quantities: string[] = [];
    const traces: Trace[] = [...this.series.entries()].map(([name, s]) => {
      const quantity = quantityOf(name);
      if (!quantities.includes(quantity)) quantities.push(quantity);
      const colour = QUANTITY_COLOURS[quantities.indexOf(quantity) % QUANTITY_COLOURS.length];
      const axis = panelOf(name) === 0 ? '' : String(panelOf(name) + 1);
      const dash = quantity === name ? 'solid' : 'dash';
      return {
        type: 'scatter', mode: s.x.length > 1 ? 'lines' : 'lines+markers', name: this.label(name), x: s.x, y: s.y,
        line: { color: colour, dash, width: 2 }, marker: { color: colour, size: 6 }, xaxis: `x${axis}`, yaxis: `y${axis}`,
      };
    });
    const layout = baseLayout({ title: this.options.title, height: this.options.height ?? 340 });
    panels.forEach((panel, i) => {
      const axis = i === 0 ? '' : String(i + 1);
      layout[`xaxis${axis}`] = { title: { text: this.options.xLabel ?? '' }, automargin: true };
      layout[`yaxis${axis}`] = { title: { text: panel.yLabel ?? '' }, automargin: true };
    });
    if (panels.length > 1) layout['grid'] = { rows: 1, columns: panels.length, pattern: 'independent', xgap: 0.15 };
    layout['legend'] = { orientation: 'h', y: -0.25 };
    layout['margin'] = { l: 60, r: 20, t: this.options.title ? 50 : 20, b: 50 };
    return new Figure(traces, layout);
  }

  private draw(now: number): void {
    this.lastDraw = now;
    const line = this.progressLine(now);
    if (inNotebook()) {
      if (!usesPlotlyRenderer()) ensurePlotlyInNotebook();
      const figure = this.figure();
      if (this.shown) {
        // JupyterLab's plotly renderer ignores updates of an output it drew; a placeholder in between makes a new one.
        const height = Number(figure.layout['height'] ?? 340);
        displayRich({ 'text/html': `<div style="height:${height}px"></div>`, 'text/plain': '' }, { displayId: this.displayId, update: true });
      }
      displayRich(figure.toMimeBundle(), { displayId: this.displayId, update: this.shown });
      const progress = `<pre class="dlkit-progress" style="margin:4px 0">${escapeHtml(line)}</pre>`;
      displayRich({ 'text/html': progress, 'text/plain': line }, { displayId: this.progressId, update: this.shown });
      this.shown = true;
    } else if (this.options.logOutsideNotebook ?? true) {
      if (this.closed || now - this.lastLog >= 5000) {
        this.lastLog = now;
        console.log(line);
      }
    }
  }

  /** Draws the final state and stops updating; `note` ("interrupted at epoch 3, step 120") ends the progress line. */
  close(note?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (note !== undefined) this.note = note;
    // Always redraw: the progress line changes from "ETA" to "done in".
    this.draw(Date.now());
  }

  /** The recorded points of one series (empty if unknown). */
  history(name: string): { x: number[]; y: number[] } {
    const s = this.series.get(name);
    return s ? { x: [...s.x], y: [...s.y] } : { x: [], y: [] };
  }
}

/**
 * LivePlot (chapter 0), after d2l's ProgressBoard: curves that redraw in one
 * notebook output while a model trains, under a progress line with the step,
 * the latest values, the throughput and the time left.
 */
import { baseLayout, Figure, Trace } from './figure';
import { displayRich, escapeHtml, inNotebook, newDisplayId, usesPlotlyRenderer } from './jupyter';
import { ensurePlotlyInNotebook } from './plotly-bundle';

/** Options of a `LivePlot` (chapter 0). */
export interface LivePlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Series drawn against a second y axis on the right (accuracies beside losses, say). */
  rightAxis?: string[];
  rightLabel?: string;
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

/** Progress reported with an update: how many units are done (chapter 0). */
export interface Progress {
  done: number;
  /** A label such as 'epoch 3/10', shown first in the progress line. */
  label?: string;
}

/** Formats seconds as m:ss or h:mm:ss (chapter 0). */
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

/** Curves that update in place during training, with a progress line (chapter 0). */
export class LivePlot {
  private readonly options: LivePlotOptions;
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

  constructor(options: LivePlotOptions = {}) {
    this.options = options;
  }

  /**
   * Adds one point per named value at `x` and redraws (throttled). `progress`
   * drives the throughput and ETA in the progress line.
   */
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
    for (const [name, value] of Object.entries(this.latest)) parts.push(`${name} ${formatValue(value)}`);
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

  /** The current curves as a `Figure` (to save with `.saveHtml`). */
  figure(): Figure {
    const right = new Set(this.options.rightAxis ?? []);
    const traces: Trace[] = [...this.series.entries()].map(([name, s]) => ({
      type: 'scatter',
      mode: s.x.length > 1 ? 'lines' : 'markers',
      name,
      x: s.x,
      y: s.y,
      ...(right.has(name) ? { yaxis: 'y2', line: { dash: 'dot' } } : {}),
    }));
    const layout = baseLayout({ title: this.options.title, xLabel: this.options.xLabel, yLabel: this.options.yLabel, height: this.options.height ?? 340 });
    if (right.size > 0) {
      layout['yaxis2'] = { overlaying: 'y', side: 'right', title: { text: this.options.rightLabel ?? [...right].join(', ') } };
      layout['margin'] = { l: 60, r: 60, t: this.options.title ? 50 : 20, b: 50 };
    }
    layout['legend'] = { orientation: 'h', y: -0.2 };
    return new Figure(traces, layout);
  }

  private draw(now: number): void {
    this.lastDraw = now;
    const line = this.progressLine(now);
    if (inNotebook()) {
      if (!usesPlotlyRenderer()) ensurePlotlyInNotebook();
      const figure = this.figure();
      if (this.shown) {
        // JupyterLab's plotly renderer draws an output once and ignores later
        // updates of it; a placeholder of the same height in between makes
        // JupyterLab create a new renderer, which draws the new curves.
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

  /**
   * Draws the final state and stops accepting updates; `note` (such as
   * "interrupted at epoch 3, step 120") ends the progress line.
   */
  close(note?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (note !== undefined) this.note = note;
    // Always redraw: the progress line changes from "ETA" to "done in".
    this.draw(Date.now());
  }

  /** Latest value of every series. */
  latestValues(): Record<string, number> {
    return { ...this.latest };
  }

  /** The recorded points of one series (empty if unknown). */
  history(name: string): { x: number[]; y: number[] } {
    const s = this.series.get(name);
    return s ? { x: [...s.x], y: [...s.y] } : { x: [], y: [] };
  }
}

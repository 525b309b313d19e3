/**
 * Chart helpers (chapter 0): the figures the book draws most, each returning a
 * `Figure` to `.show()` or `.saveHtml()`.
 */
import type { Numbers } from '../util/numbers';
import { baseLayout, ChartOptions, Figure, Layout, Trace } from './figure';

/** One line or point set: `y` against `x` (default 0, 1, 2, ...). */
export interface Series {
  name?: string;
  x?: Numbers | string[];
  y: Numbers;
  /** plotly line dash: 'solid', 'dash', 'dot'. */
  dash?: string;
  color?: string;
}

function toArray(values: Numbers | string[]): (number | string)[] {
  return Array.from(values as ArrayLike<number | string>);
}

function checkSeries(series: Series, what: string): void {
  if (series.x !== undefined && series.x.length !== series.y.length) {
    throw new Error(
      `${what}: series "${series.name ?? '(unnamed)'}" has ${series.x.length} x values but ${series.y.length} y values; give them the same length.`,
    );
  }
}

function seriesTrace(series: Series, mode: string, what: string): Trace {
  checkSeries(series, what);
  const trace: Trace = {
    type: 'scatter',
    mode,
    y: toArray(series.y),
    x: series.x ? toArray(series.x) : Array.from({ length: series.y.length }, (_, i) => i),
  };
  if (series.name !== undefined) trace['name'] = series.name;
  if (series.dash !== undefined || series.color !== undefined) trace['line'] = { dash: series.dash, color: series.color };
  if (series.color !== undefined) trace['marker'] = { color: series.color };
  return trace;
}

/** Lines: one per series (chapter 0). */
export function linePlot(series: Series | Series[], options: ChartOptions = {}): Figure {
  const list = Array.isArray(series) ? series : [series];
  return new Figure(list.map((s) => seriesTrace(s, 'lines', 'linePlot')), baseLayout(options));
}

/** Points: one marker set per series; `text` labels each point on hover (chapter 0). */
export function scatterPlot(
  series: (Series & { text?: string[]; size?: number })[] | (Series & { text?: string[]; size?: number }),
  options: ChartOptions = {},
): Figure {
  const list = Array.isArray(series) ? series : [series];
  const traces = list.map((s) => {
    const trace = seriesTrace(s, 'markers', 'scatterPlot');
    trace['marker'] = { size: s.size ?? 6, color: s.color, opacity: 0.8 };
    if (s.text) trace['text'] = s.text;
    return trace;
  });
  return new Figure(traces, baseLayout(options));
}

/** Bars: category labels and their values; several series are grouped (chapter 0). */
export function barChart(
  bars: { name?: string; labels: (string | number)[]; values: Numbers } | { name?: string; labels: (string | number)[]; values: Numbers }[],
  options: ChartOptions & { horizontal?: boolean } = {},
): Figure {
  const list = Array.isArray(bars) ? bars : [bars];
  const traces = list.map((b) => {
    if (b.labels.length !== b.values.length) {
      throw new Error(`barChart: ${b.labels.length} labels but ${b.values.length} values; give one value per label.`);
    }
    const values = Array.from(b.values);
    const trace: Trace = options.horizontal
      ? { type: 'bar', orientation: 'h', y: b.labels, x: values }
      : { type: 'bar', x: b.labels, y: values };
    if (b.name !== undefined) trace['name'] = b.name;
    return trace;
  });
  return new Figure(traces, { ...baseLayout(options), barmode: 'group' });
}

/**
 * Histogram of one or more samples (chapter 0). `density: true` scales bars to
 * a probability density, so a density curve (`overlay`) can be drawn on top.
 */
export function histogram(
  samples: Numbers | { name?: string; values: Numbers }[],
  options: ChartOptions & { bins?: number; density?: boolean; overlay?: Series[] } = {},
): Figure {
  const list = Array.isArray(samples) && typeof samples[0] === 'object'
    ? (samples as { name?: string; values: Numbers }[])
    : [{ values: samples as Numbers }];
  const traces: Trace[] = list.map((s) => {
    if (s.values.length === 0) throw new Error('histogram: a sample is empty; there is nothing to count.');
    const trace: Trace = { type: 'histogram', x: Array.from(s.values), opacity: list.length > 1 ? 0.6 : 0.85 };
    if (s.name !== undefined) trace['name'] = s.name;
    if (options.bins !== undefined) trace['nbinsx'] = options.bins;
    if (options.density) trace['histnorm'] = 'probability density';
    return trace;
  });
  for (const curve of options.overlay ?? []) traces.push(seriesTrace(curve, 'lines', 'histogram overlay'));
  return new Figure(traces, { ...baseLayout(options), barmode: 'overlay' });
}

/** A matrix as colours, e.g. a confusion matrix; `showValues` writes each cell's number (chapter 0). */
export function heatmap(
  z: number[][],
  options: ChartOptions & { x?: (string | number)[]; y?: (string | number)[]; colorscale?: string; showValues?: boolean; reverseY?: boolean } = {},
): Figure {
  if (z.length === 0 || z.some((row) => row.length !== (z[0] as number[]).length)) {
    throw new Error('heatmap: z must be a non-empty matrix whose rows all have the same length.');
  }
  const trace: Trace = { type: 'heatmap', z, colorscale: options.colorscale ?? 'Viridis' };
  if (options.x) trace['x'] = options.x;
  if (options.y) trace['y'] = options.y;
  if (options.showValues) {
    trace['text'] = z.map((row) => row.map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(2))));
    trace['texttemplate'] = '%{text}';
  }
  const layout = baseLayout(options);
  if (options.reverseY) layout['yaxis'] = { ...((layout['yaxis'] as Layout) ?? {}), autorange: 'reversed' };
  return new Figure([trace], layout);
}

/**
 * A grid of grey-scale images, e.g. digits or learned filters (chapter 0).
 * Each image is `height * width` values, row-major.
 */
export function imageGrid(
  images: Numbers[],
  options: {
    height: number; width: number; columns?: number; titles?: string[]; title?: string; colorscale?: string; cellSize?: number;
    /** One colour scale for all images (default), or each image scaled to its own range (learned filters). */
    sharedScale?: boolean;
  },
): Figure {
  const { height, width } = options;
  if (images.length === 0) throw new Error('imageGrid: no images were given.');
  images.forEach((image, i) => {
    if (image.length !== height * width) {
      throw new Error(`imageGrid: image ${i} has ${image.length} values, expected height*width = ${height}*${width} = ${height * width}.`);
    }
  });
  let low = Infinity;
  let high = -Infinity;
  for (const image of images) for (let i = 0; i < image.length; i++) {
    low = Math.min(low, image[i] as number);
    high = Math.max(high, image[i] as number);
  }
  const range = (options.sharedScale ?? true) ? { zmin: low, zmax: high > low ? high : low + 1 } : {};
  const columns = Math.min(options.columns ?? 8, images.length);
  const rows = Math.ceil(images.length / columns);
  const traces: Trace[] = [];
  const titleSpace = options.titles ? 18 : 0;
  const top = (options.title ? 40 : 10) + titleSpace;
  const layout: Layout = {
    grid: { rows, columns, pattern: 'independent', xgap: 0.05, ygap: options.titles ? 0.3 : 0.05 },
    margin: { l: 10, r: 10, t: top, b: 10 },
    height: rows * ((options.cellSize ?? 80) + titleSpace) + top + 10,
    annotations: [] as unknown[],
  };
  if (options.title) layout['title'] = { text: options.title };
  images.forEach((image, i) => {
    const axis = i === 0 ? '' : String(i + 1);
    const z: number[][] = [];
    for (let r = 0; r < height; r++) z.push(Array.from({ length: width }, (_, c) => image[r * width + c] as number));
    traces.push({ type: 'heatmap', z, ...range, colorscale: options.colorscale ?? 'Greys', reversescale: !options.colorscale, showscale: false, xaxis: `x${axis}`, yaxis: `y${axis}` });
    layout[`xaxis${axis}`] = { visible: false, constrain: 'domain' };
    layout[`yaxis${axis}`] = { visible: false, autorange: 'reversed', scaleanchor: `x${axis}` };
    const title = options.titles?.[i];
    if (title !== undefined) {
      (layout['annotations'] as unknown[]).push({ text: title, showarrow: false, xref: `x${axis} domain`, yref: `y${axis} domain`, x: 0.5, y: 1, yanchor: 'bottom', font: { size: 11 } });
    }
  });
  return new Figure(traces, layout);
}

/** A grid of z values over x and y, e.g. a loss surface. */
export interface Grid {
  x: Numbers;
  y: Numbers;
  /** z[i][j] is the value at (x[j], y[i]). */
  z: number[][];
}

function checkGrid(grid: Grid, what: string): void {
  if (grid.z.length !== grid.y.length || grid.z.some((row) => row.length !== grid.x.length)) {
    throw new Error(`${what}: z must have y.length (${grid.y.length}) rows of x.length (${grid.x.length}) values.`);
  }
}

/** Contour lines of a function of two variables, with optional paths drawn on top (chapter 0). */
export function contourPlot(grid: Grid, options: ChartOptions & { paths?: Series[]; logScale?: boolean } = {}): Figure {
  checkGrid(grid, 'contourPlot');
  const z = options.logScale ? grid.z.map((row) => row.map((v) => Math.log10(v))) : grid.z;
  const traces: Trace[] = [
    { type: 'contour', x: Array.from(grid.x), y: Array.from(grid.y), z, colorscale: 'Viridis', contours: { coloring: 'heatmap' }, name: options.logScale ? 'log10 value' : 'value' },
  ];
  for (const path of options.paths ?? []) {
    const trace = seriesTrace(path, 'lines+markers', 'contourPlot path');
    trace['marker'] = { size: 4 };
    traces.push(trace);
  }
  // Paths get a legend under the plot, clear of the colour bar on the right.
  const layout = baseLayout(options);
  if ((options.paths ?? []).length > 0) layout['legend'] = { orientation: 'h', y: -0.2, ...((options.layout?.['legend'] as Layout) ?? {}) };
  return new Figure(traces, layout);
}

/** A 3-D surface of a function of two variables (chapter 0). */
export function surfacePlot(grid: Grid, options: ChartOptions & { zLabel?: string } = {}): Figure {
  checkGrid(grid, 'surfacePlot');
  const layout = baseLayout({ height: 480, ...options });
  layout['scene'] = {
    xaxis: { title: { text: options.xLabel ?? 'x' } },
    yaxis: { title: { text: options.yLabel ?? 'y' } },
    zaxis: { title: { text: options.zLabel ?? 'z' } },
  };
  return new Figure([{ type: 'surface', x: Array.from(grid.x), y: Array.from(grid.y), z: grid.z, colorscale: 'Viridis' }], layout);
}

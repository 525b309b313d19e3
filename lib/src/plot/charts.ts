/** Chart helpers (chapters 0-2, 7, 9): the figures the book draws most, each a `Figure` to `.show()` or `.saveHtml()`. */
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

/** The smallest and largest of all the values of several samples. */
function extent(samples: Numbers[]): { low: number; high: number } {
  let low = Infinity;
  let high = -Infinity;
  for (const values of samples) for (let i = 0; i < values.length; i++) {
    low = Math.min(low, values[i] as number);
    high = Math.max(high, values[i] as number);
  }
  return { low, high };
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

/** Lines: one per series. */
export function linePlot(series: Series | Series[], options: ChartOptions = {}): Figure {
  const list = Array.isArray(series) ? series : [series];
  return new Figure(list.map((s) => seriesTrace(s, 'lines', 'linePlot')), baseLayout(options));
}

/** Points: one marker set per series; `text` labels each point on hover. */
export function scatterPlot(
  series: (Series & { text?: string[]; size?: number })[] | (Series & { text?: string[]; size?: number }),
  options: ChartOptions = {},
): Figure {
  const list = Array.isArray(series) ? series : [series];
  const traces = list.map((s) => {
    const trace = seriesTrace(s, 'markers', 'scatterPlot');
    // An outline keeps a white (or pale) class visible on any background.
    trace['marker'] = { size: s.size ?? 6, color: s.color, opacity: 0.9, line: { width: 1, color: '#333' } };
    if (s.text) trace['text'] = s.text;
    return trace;
  });
  return new Figure(traces, baseLayout(options));
}

/** Bars: category labels and their values; several series are grouped. */
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

/** Histogram of samples in shared bins; `density: true` scales to a density (for `overlay`), `percent: true` in %. */
export function histogram(
  samples: Numbers | { name?: string; values: Numbers }[],
  options: ChartOptions & { bins?: number; density?: boolean; percent?: boolean; overlay?: Series[] } = {},
): Figure {
  const list = Array.isArray(samples) && typeof samples[0] === 'object'
    ? (samples as { name?: string; values: Numbers }[])
    : [{ values: samples as Numbers }];
  if (options.density && options.percent) throw new Error('histogram: choose density or percent, not both.');
  const { low, high } = extent(list.map((s) => s.values));
  // One set of bins for every sample: bars of different widths would not compare.
  const sharedBins = list.length > 1 && high > low ? { start: low, end: high, size: (high - low) / (options.bins ?? 40) } : null;
  const traces: Trace[] = list.map((s) => {
    if (s.values.length === 0) throw new Error('histogram: a sample is empty; there is nothing to count.');
    const trace: Trace = { type: 'histogram', x: Array.from(s.values), opacity: list.length > 1 ? 0.6 : 0.85 };
    if (s.name !== undefined) trace['name'] = s.name;
    if (sharedBins) trace['xbins'] = sharedBins;
    else if (options.bins !== undefined) trace['nbinsx'] = options.bins;
    if (options.density) trace['histnorm'] = 'probability density';
    if (options.percent) trace['histnorm'] = 'percent';
    return trace;
  });
  for (const curve of options.overlay ?? []) traces.push(seriesTrace(curve, 'lines', 'histogram overlay'));
  return new Figure(traces, { ...baseLayout(options), barmode: 'overlay' });
}

/** plotly scales reversed by `heatmap` and `imageGrid` so that larger is darker and negative red, positive blue. */
const SCALES_TO_REVERSE = new Set(['Blues', 'Greens', 'Greys', 'YlGnBu', 'YlOrRd', 'RdBu']);

/** ColorBrewer's Blues, light to dark: plotly's own 'Blues' ends in grey, which reads as "no data". */
const BLUES: [number, string][] = [[0, '#deebf7'], [0.25, '#9ecae1'], [0.5, '#6baed6'], [0.75, '#2171b5'], [1, '#08306b']];

/** A plotly colour scale name, turned the intuitive way round (see `SCALES_TO_REVERSE`). */
function colourScale(name: string): { colorscale: string | [number, string][]; reversescale?: boolean } {
  if (name === 'Blues') return { colorscale: BLUES };
  return SCALES_TO_REVERSE.has(name) ? { colorscale: name, reversescale: true } : { colorscale: name };
}

/** Diverging scales: their middle colour should sit at zero. */
const DIVERGING_SCALES = new Set(['RdBu', 'Picnic', 'Portland', 'Bluered']);

/** Layout fields keeping a unit of x as long as one of y, and a width for `columns` × `rows` unless options set one. */
function equalAspectLayout(layout: Layout, options: ChartOptions, columns: number, rows: number, rowLabels: string[] = []): Layout {
  const equal: Layout = {
    ...layout,
    xaxis: { ...((layout['xaxis'] as Layout) ?? {}), constrain: 'domain' },
    yaxis: { ...((layout['yaxis'] as Layout) ?? {}), scaleanchor: 'x', scaleratio: 1, constrain: 'domain' },
  };
  const width = options.width === undefined && options.layout?.['width'] === undefined ? equalAspectWidth(equal, columns, rows, rowLabels) : undefined;
  if (width !== undefined) equal['width'] = width;
  return equal;
}

/** Axis fields that give every category its own tick (plotly otherwise skips some, or reads '0'..'9' as numbers). */
function categoryAxis(labels: (string | number)[]): Layout {
  const text = labels.map(String);
  // automargin: long or rotated labels push the axis title out instead of running into it.
  return { type: 'category', tickmode: 'array', tickvals: text, ticktext: text, automargin: true };
}

/** A cell of a heatmap to mark with an outline and a word: the goal of a grid world, say. */
export interface MarkedCell {
  row: number;
  column: number;
  /** Written in the cell, above its value. */
  label?: string;
  /** Outline colour (default black). */
  color?: string;
}

export interface HeatmapOptions extends ChartOptions {
  /** Column labels; every one gets a tick. */
  x?: (string | number)[];
  /** Row labels; every one gets a tick. */
  y?: (string | number)[];
  /** A plotly scale name; sequential scales run light (small) to dark (large), RdBu red (negative) to blue (positive). */
  colorscale?: string;
  /** Write each cell's number in it. */
  showValues?: boolean;
  /** Text written in each cell instead of its number (a policy's arrows, say); null leaves a cell blank. */
  cellText?: (string | null)[][];
  /** Row 0 at the top, as a matrix is read. */
  reverseY?: boolean;
  /** What the colours measure, written on the colour bar. */
  colorbarTitle?: string;
  /** Cells outlined and labelled (goal, pit, wall of a grid world). */
  marks?: MarkedCell[];
  /** Square cells (default true): a matrix or a grid of the plane keeps its shape. */
  equalAspect?: boolean;
}

/** A cell's number: integers as they are when every cell holds one (counts, ratings), else two decimals for every cell. */
function cellValueText(v: number | null, integers: boolean): string {
  if (v === null || !Number.isFinite(v)) return '';
  return integers ? String(v) : v.toFixed(2);
}

/** Width for an equal-aspect plane of `columns` × `rows` with its colour bar beside it, wide enough for title and row labels. */
function equalAspectWidth(layout: Layout, columns: number, rows: number, rowLabels: string[] = []): number | undefined {
  const margin = { l: 60, r: 20, t: 20, b: 50, ...((layout['margin'] as Partial<Record<'l' | 'r' | 't' | 'b', number>> | undefined) ?? {}) };
  const plotHeight = (typeof layout['height'] === 'number' ? layout['height'] : 360) - margin.t - margin.b;
  const labels = Math.max(margin.l, 7 * Math.max(0, ...rowLabels.map((l) => l.length)) + 20);
  const colourBar = 110;
  const title = ((layout['title'] as { text?: string } | undefined)?.text ?? '').length * 9 + 40;
  const width = Math.round(Math.max(labels + margin.r + (plotHeight * columns) / rows + colourBar, title, 320));
  // Wider than a notebook column: the figure follows the page (the cells then fit its width).
  return width <= MAX_FIXED_WIDTH ? width : undefined;
}

/** The widest figure (px) a helper sizes itself; wider ones follow the page's width. */
const MAX_FIXED_WIDTH = 1000;

/** A matrix as colours: square cells, a tick per label, `null` cells (not rated, a wall) blank. */
export function heatmap(z: (number | null)[][], options: HeatmapOptions = {}): Figure {
  if (z.length === 0 || z.some((row) => row.length !== (z[0] as (number | null)[]).length)) {
    throw new Error('heatmap: z must be a non-empty matrix whose rows all have the same length.');
  }
  const rows = z.length;
  const columns = (z[0] as (number | null)[]).length;
  if (options.x && options.x.length !== columns) throw new Error(`heatmap: ${options.x.length} x labels for ${columns} columns; give one label per column.`);
  if (options.y && options.y.length !== rows) throw new Error(`heatmap: ${options.y.length} y labels for ${rows} rows; give one label per row.`);
  if (options.cellText && (options.cellText.length !== rows || options.cellText.some((row) => row.length !== columns))) {
    throw new Error(`heatmap: cellText must have the shape of z (${rows} rows of ${columns}).`);
  }
  const scale = options.colorscale ?? 'Viridis';
  const trace: Trace = { type: 'heatmap', z, ...colourScale(scale), xgap: 1, ygap: 1, hoverongaps: false };
  const xLabels = options.x ?? Array.from({ length: columns }, (_, c) => c);
  const yLabels = options.y ?? Array.from({ length: rows }, (_, r) => r);
  trace['x'] = xLabels.map(String);
  trace['y'] = yLabels.map(String);
  if (DIVERGING_SCALES.has(scale)) {
    const largest = Math.max(...z.flat().map((v) => (v === null || !Number.isFinite(v) ? 0 : Math.abs(v))), 1e-12);
    Object.assign(trace, { zmin: -largest, zmax: largest });
  }
  if (options.colorbarTitle) trace['colorbar'] = { title: { text: options.colorbarTitle, side: 'right' } };
  const labels = (options.marks ?? []).map((m) => ({ ...m }));
  if (options.cellText || options.showValues || labels.length > 0) {
    const integers = z.every((row) => row.every((v) => v === null || !Number.isFinite(v) || Number.isInteger(v)));
    trace['text'] = z.map((row, r) => row.map((v, c) => {
      const written = options.cellText ? (options.cellText[r]?.[c] ?? '') : options.showValues ? cellValueText(v, integers) : '';
      const mark = labels.find((m) => m.row === r && m.column === c)?.label;
      return mark ? (written ? `<b>${mark}</b><br>${written}` : `<b>${mark}</b>`) : written;
    }));
    trace['texttemplate'] = '%{text}';
    trace['textfont'] = { size: 14 };
  }
  let layout = baseLayout(options);
  layout['xaxis'] = { ...categoryAxis(xLabels), ...((layout['xaxis'] as Layout) ?? {}) };
  layout['yaxis'] = { ...categoryAxis(yLabels), ...((layout['yaxis'] as Layout) ?? {}) };
  if (options.reverseY) layout['yaxis'] = { ...(layout['yaxis'] as Layout), autorange: 'reversed' };
  if (options.equalAspect ?? true) layout = equalAspectLayout(layout, options, columns, rows, yLabels.map(String));
  if (labels.length > 0) {
    for (const m of labels) {
      if (m.row < 0 || m.row >= rows || m.column < 0 || m.column >= columns) {
        throw new Error(`heatmap: mark at row ${m.row}, column ${m.column} is outside the ${rows}×${columns} matrix.`);
      }
    }
    // Category axes put cell k at k - 0.5 ... k + 0.5.
    layout['shapes'] = labels.map((m) => ({
      type: 'rect', xref: 'x', yref: 'y', x0: m.column - 0.5, x1: m.column + 0.5, y0: m.row - 0.5, y1: m.row + 0.5,
      line: { color: m.color ?? 'black', width: 3 },
    }));
  }
  return new Figure([trace], layout);
}

/** A confusion matrix (`matrix[t][p]`): counts in the cells, colours on a log scale so a few mistakes stay visible. */
export function confusionMatrixHeatmap(matrix: number[][], labels: (string | number)[], options: ChartOptions = {}): Figure {
  if (matrix.length !== labels.length || matrix.some((row) => row.length !== labels.length)) {
    throw new Error(`confusionMatrixHeatmap: expected a ${labels.length}×${labels.length} matrix, one row and one column per label.`);
  }
  const largest = Math.max(1, ...matrix.flat());
  const ticks = [0, 1, 10, 100, 1000, 10000, 100000].filter((t) => t <= largest);
  const figure = heatmap(matrix.map((row) => row.map((v) => Math.log10(1 + v))), {
    x: labels, y: labels, reverseY: true, colorscale: 'Blues', xLabel: 'predicted', yLabel: 'true',
    cellText: matrix.map((row) => row.map((v) => (v === 0 ? '' : String(v)))),
    height: 480, ...options,
  });
  const trace = figure.traces[0] as Trace;
  trace['colorbar'] = { title: { text: 'count (log scale)', side: 'right' }, tickvals: ticks.map((t) => Math.log10(1 + t)), ticktext: ticks.map(String) };
  trace['hovertemplate'] = 'true %{y}, predicted %{x}: %{text}<extra></extra>';
  return figure;
}

/** A grid of grey-scale images (digits, learned filters), each `height * width` values, row-major. */
export function imageGrid(
  images: Numbers[],
  options: {
    height: number; width: number; columns?: number; titles?: string[]; title?: string; colorscale?: string; cellSize?: number;
    /** One colour scale for all images (default), or each image scaled to its own range (learned filters). */
    sharedScale?: boolean;
    /** A colour bar with this title (what the false colours measure); needs the shared scale. */
    colorbarTitle?: string;
  },
): Figure {
  const { height, width } = options;
  if (images.length === 0) throw new Error('imageGrid: no images were given.');
  images.forEach((image, i) => {
    if (image.length !== height * width) {
      throw new Error(`imageGrid: image ${i} has ${image.length} values, expected height*width = ${height}*${width} = ${height * width}.`);
    }
  });
  const { low, high } = extent(images);
  const scale = options.colorscale ?? 'Greys';
  const shared = options.sharedScale ?? true;
  if (options.colorbarTitle && !shared) throw new Error('imageGrid: a colour bar needs one scale for all images; drop sharedScale: false or colorbarTitle.');
  // A diverging scale puts its middle colour at zero.
  const largest = Math.max(Math.abs(low), Math.abs(high));
  const range = !shared ? {} : DIVERGING_SCALES.has(scale) ? { zmin: -largest, zmax: largest || 1 } : { zmin: low, zmax: high > low ? high : low + 1 };
  const columns = Math.min(options.columns ?? 8, images.length);
  const rows = Math.ceil(images.length / columns);
  const traces: Trace[] = [];
  const titleSpace = options.titles ? 18 : 0;
  const top = (options.title ? 40 : 10) + titleSpace;
  const layout: Layout = {
    grid: { rows, columns, pattern: 'independent', xgap: 0.05, ygap: options.titles ? 0.3 : 0.05 },
    margin: { l: 10, r: options.colorbarTitle ? 90 : 10, t: top, b: 10 },
    height: rows * ((options.cellSize ?? 80) + titleSpace) + top + 10,
    annotations: [] as unknown[],
  };
  if (options.title) layout['title'] = { text: options.title };
  images.forEach((image, i) => {
    const axis = i === 0 ? '' : String(i + 1);
    const z: number[][] = [];
    for (let r = 0; r < height; r++) z.push(Array.from({ length: width }, (_, c) => image[r * width + c] as number));
    const colourBar = options.colorbarTitle && i === 0 ? { showscale: true, colorbar: { title: { text: options.colorbarTitle, side: 'right' }, len: 0.9 } } : { showscale: false };
    traces.push({ type: 'heatmap', z, ...range, ...colourScale(scale), ...colourBar, xaxis: `x${axis}`, yaxis: `y${axis}` });
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

function span(values: Numbers): number {
  const { low, high } = extent([values]);
  return high - low;
}

/** Contour lines of a function of two variables, paths on top; equal aspect when x and y span within 2× (`equalAspect` forces it). */
export function contourPlot(grid: Grid, options: ChartOptions & { paths?: Series[]; logScale?: boolean; colorbarTitle?: string; equalAspect?: boolean } = {}): Figure {
  checkGrid(grid, 'contourPlot');
  const z = options.logScale ? grid.z.map((row) => row.map((v) => Math.log10(v))) : grid.z;
  const colourBarTitle = options.colorbarTitle ?? (options.logScale ? 'log10 value' : undefined);
  const traces: Trace[] = [
    {
      type: 'contour', x: Array.from(grid.x), y: Array.from(grid.y), z, colorscale: 'Viridis', contours: { coloring: 'heatmap' }, name: options.logScale ? 'log10 value' : 'value',
      ...(colourBarTitle ? { colorbar: { title: { text: colourBarTitle, side: 'right' } } } : {}),
    },
  ];
  for (const path of options.paths ?? []) {
    const trace = seriesTrace(path, 'lines+markers', 'contourPlot path');
    trace['marker'] = { size: 4 };
    traces.push(trace);
  }
  // Paths get a legend under the plot, clear of the colour bar on the right.
  let layout = baseLayout(options);
  const ratio = span(grid.x) / Math.max(span(grid.y), 1e-300);
  if (options.equalAspect ?? (ratio >= 0.5 && ratio <= 2)) layout = equalAspectLayout(layout, options, span(grid.x), span(grid.y));
  if ((options.paths ?? []).length > 0) layout['legend'] = { orientation: 'h', y: -0.2, ...((options.layout?.['legend'] as Layout) ?? {}) };
  return new Figure(traces, layout);
}

/** A 3-D surface of a function of two variables. */
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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linePlot, histogram, heatmap, confusionMatrixHeatmap, imageGrid, contourPlot, surfacePlot, barChart, scatterPlot, LivePlot, readerName, formatDuration, formatNumber, tableHtml, Figure, newDisplayId, seed, unseed } from 'dlkit';

test('a line plot carries its data and escapes script-closing text', () => {
  const figure = linePlot([{ name: '</script><b>', y: new Float32Array([1, 2, 3]) }], { title: 'loss' });
  const html = figure.toHtmlFragment('fig');
  assert.match(html, /"y":\[1,2,3\]/);
  assert.match(html, /"x":\[0,1,2\]/);
  assert.ok(!html.includes('</script><b>'), 'a closing script tag inside data must be escaped');
});

test('chart helpers reject inconsistent input with a message saying what to fix', () => {
  assert.throws(() => linePlot({ x: [1, 2], y: [1, 2, 3] }), /2 x values but 3 y values/);
  assert.throws(() => heatmap([[1, 2], [3]]), /same length/);
  assert.throws(() => imageGrid([new Float32Array(5)], { height: 2, width: 2 }), /expected height\*width = 2\*2 = 4/);
  assert.throws(() => contourPlot({ x: [0, 1], y: [0], z: [[1, 2], [3, 4]] }), /rows/);
  assert.throws(() => histogram([]), /empty/);
  assert.throws(() => barChart({ labels: ['a'], values: [1, 2] }), /one value per label/);
});

test('every chart type builds a figure with the expected trace type', () => {
  const grid = { x: [0, 1], y: [0, 1], z: [[0, 1], [1, 2]] };
  const cases: [Figure, string][] = [
    [scatterPlot({ x: [1], y: [2] }), 'scatter'],
    [barChart({ labels: ['a', 'b'], values: [1, 2] }), 'bar'],
    [histogram([1, 2, 2, 3], { density: true }), 'histogram'],
    [heatmap([[1, 2], [3, 4]], { showValues: true }), 'heatmap'],
    [imageGrid([[0, 1, 1, 0], [1, 0, 0, 1]], { height: 2, width: 2, titles: ['a', 'b'] }), 'heatmap'],
    [contourPlot(grid, { paths: [{ x: [0, 1], y: [0, 1] }] }), 'contour'],
    [surfacePlot(grid), 'surface'],
  ];
  for (const [figure, type] of cases) assert.equal(figure.traces[0]?.['type'], type);
});

test('a saved figure is a standalone page with plotly.js inlined, no CDN', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlkit-plot-'));
  const path = linePlot({ y: [1, 2] }, { title: 'saved' }).saveHtml(join(dir, 'sub', 'fig.html'));
  const page = readFileSync(path, 'utf8');
  assert.ok(page.length > 1_000_000, 'the plotly bundle is inlined');
  assert.ok(!/<script[^>]+src=/.test(page), 'no external script');
  assert.match(page, /Plotly\.newPlot/);
});

test('LivePlot keeps history and reports rate and ETA', () => {
  const live = new LivePlot({ total: 1000, unit: 'samples', logOutsideNotebook: false });
  live.update(1, { loss: 0.5 }, { done: 100, label: 'epoch 1/10' });
  live.update(2, { loss: 0.25, accuracy: 0.9 }, { done: 200, label: 'epoch 2/10' });
  assert.deepEqual(live.history('loss'), { x: [1, 2], y: [0.5, 0.25] });
  const line = live.progressLine(Date.now() + 2000);
  assert.match(line, /^epoch 2\/10 \| loss 0\.2500 \| accuracy 0\.9000 \| [\d.,]+ samples\/s \| elapsed 0:0\d, ETA \d+:\d\d$/);
  live.close();
  assert.throws(() => live.update(3, { loss: 1 }), /closed/);
  assert.equal(formatDuration(3725), '1:02:05');
});

test('tables show head and tail of long data', () => {
  const rows = Array.from({ length: 50 }, (_, i) => ({ i, value: i / 3 }));
  const html = tableHtml(rows, { maxRows: 6 });
  assert.match(html, /50 rows × 2 columns/);
  assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 6 + 1);
});

test('tables show dates as ISO dates', () => {
  const html = tableHtml([{ day: new Date('2020-04-17T00:00:00Z'), at: new Date('2020-04-17T10:30:00Z') }]);
  assert.match(html, /<td>2020-04-17<\/td><td>2020-04-17T10:30:00Z<\/td>/);
});

test('the training board: loss and accuracy in separate panels, reader names, one colour per quantity, validation dashed', () => {
  const live = new LivePlot({
    logOutsideNotebook: false,
    panels: [{ yLabel: 'loss', series: ['loss', 'validationLoss'] }, { yLabel: 'accuracy', series: ['accuracy', 'validationAccuracy'] }],
  });
  live.update(0.5, { loss: 0.9, accuracy: 0.7 });
  live.update(1, { loss: 0.6, accuracy: 0.8, validationLoss: 0.7, validationAccuracy: 0.75 });
  const figure = live.figure();
  const byName = new Map(figure.traces.map((t) => [t['name'] as string, t]));
  assert.deepEqual([...byName.keys()].sort(), ['accuracy', 'loss', 'validation accuracy', 'validation loss']);
  const style = (name: string) => byName.get(name)?.['line'] as { color: string; dash: string };
  // Loss curves on the first panel's axes, accuracy curves on the second's.
  assert.equal(byName.get('loss')?.['yaxis'], 'y');
  assert.equal(byName.get('validation loss')?.['yaxis'], 'y');
  assert.equal(byName.get('accuracy')?.['yaxis'], 'y2');
  assert.equal(byName.get('validation accuracy')?.['xaxis'], 'x2');
  assert.deepEqual(figure.layout['grid'], { rows: 1, columns: 2, pattern: 'independent', xgap: 0.15 });
  assert.equal((figure.layout['yaxis2'] as { title: { text: string } }).title.text, 'accuracy');
  // One colour per quantity: train solid, validation dashed in the same colour; loss and accuracy differ.
  assert.equal(style('loss').dash, 'solid');
  assert.equal(style('validation loss').dash, 'dash');
  assert.equal(style('loss').color, style('validation loss').color);
  assert.equal(style('accuracy').color, style('validation accuracy').color);
  assert.notEqual(style('loss').color, style('accuracy').color);
  assert.match(live.progressLine(), /validation loss 0\.7000/);
  assert.equal(readerName('validationMeanSquaredError'), 'validation mean squared error');
  assert.equal(readerName('mean_absolute_error'), 'mean absolute error');
  assert.equal(readerName('DQN return (20 episodes)'), 'DQN return (20 episodes)', 'words stay as they are');
});

test('without panels, a LivePlot draws every series on one axis', () => {
  const live = new LivePlot({ yLabel: 'return', logOutsideNotebook: false, labels: { ret: 'episode return' } });
  live.update(1, { ret: 3 });
  const figure = live.figure();
  assert.equal(figure.traces[0]?.['name'], 'episode return');
  assert.equal(figure.layout['grid'], undefined);
  assert.equal((figure.layout['yaxis'] as { title: { text: string } }).title.text, 'return');
});

test('heatmaps: a tick for every category, square cells, blank missing cells, larger values darker', () => {
  const digits = Array.from({ length: 10 }, (_, i) => String(i));
  const figure = heatmap(Array.from({ length: 10 }, (_, r) => digits.map((_, c) => (r === c ? null : r + c))), { x: digits, y: digits, colorscale: 'Blues' });
  const xaxis = figure.layout['xaxis'] as Record<string, unknown>;
  const yaxis = figure.layout['yaxis'] as Record<string, unknown>;
  assert.deepEqual(xaxis['tickvals'], digits, 'every digit gets a tick, not only the even ones');
  assert.equal(xaxis['type'], 'category');
  assert.equal(yaxis['scaleanchor'], 'x', 'equal aspect: square cells');
  const trace = figure.traces[0] as Record<string, unknown>;
  assert.equal((trace['z'] as (number | null)[][])[3]?.[3], null, 'a missing value stays missing, not the darkest colour');
  // plotly's own Blues runs dark to light; the helper's runs light (small) to dark (large).
  const stops = trace['colorscale'] as [number, string][];
  const brightness = (hex: string) => [1, 3, 5].reduce((sum, i) => sum + parseInt(hex.slice(i, i + 2), 16), 0);
  assert.ok(brightness(stops[0]![1]) > brightness(stops.at(-1)![1]) + 300, 'a larger value is darker');
  assert.equal(heatmap([[1]], { colorscale: 'Greens' }).traces[0]?.['reversescale'], true);
  assert.throws(() => heatmap([[1, 2]], { x: ['a'] }), /1 x labels for 2 columns/);
});

test('heatmap numbers in one format per matrix; an equal-aspect heatmap is as wide as its cells and colour bar, not the page', () => {
  // A similarity matrix: its diagonal is 1 exactly in some rows and 0.99999994 in others (float32); all read "1.00".
  const similarity = heatmap([[1, 0.4], [0.4, 0.99999994]], { showValues: true });
  assert.deepEqual(similarity.traces[0]?.['text'], [['1.00', '0.40'], ['0.40', '1.00']]);
  assert.deepEqual(heatmap([[5, 3], [null, 1]], { showValues: true }).traces[0]?.['text'], [['5', '3'], ['', '1']], 'counts and ratings stay integers');
  // 6×6 cells at height 380: the plot is about 310 px square, so the figure is about 500 px wide, beside its colour bar.
  const square = heatmap(Array.from({ length: 6 }, () => [1, 2, 3, 4, 5, 6]), { height: 380 });
  const width = square.layout['width'] as number;
  assert.ok(width >= 310 + 110 && width < 700, `width ${width}: the cells (about 310 px) and the colour bar, not a full-width strip`);
  const wide = heatmap([[1, 2, 3]], { height: 200 });
  assert.ok((wide.layout['width'] as number) > width, 'a matrix with more columns than rows is wider');
  assert.equal(heatmap([Array.from({ length: 40 }, (_, i) => i)]).layout['width'], undefined, 'wider than a notebook column: the figure follows the page');
  assert.equal(heatmap([[1]], { width: 900 }).layout['width'], 900, 'an explicit width wins');
  assert.equal(heatmap([[1, 2]], { equalAspect: false }).layout['width'], undefined, 'without equal aspect the figure follows the page');
});

test('heatmaps mark special cells and write arrows; a diverging scale is centred on zero', () => {
  const values = [[0.5, 1], [-1, 0.2]];
  const figure = heatmap(values, { colorscale: 'RdBu', cellText: [['→', null], [null, '↑']], marks: [{ row: 0, column: 1, label: 'goal', color: 'green' }] });
  const trace = figure.traces[0] as Record<string, unknown>;
  assert.deepEqual(trace['text'], [['→', '<b>goal</b>'], ['', '↑']]);
  assert.deepEqual([trace['zmin'], trace['zmax']], [-1, 1]);
  const shapes = figure.layout['shapes'] as Record<string, unknown>[];
  assert.equal(shapes.length, 1);
  assert.deepEqual([shapes[0]?.['x0'], shapes[0]?.['x1'], shapes[0]?.['y0'], shapes[0]?.['y1']], [0.5, 1.5, -0.5, 0.5]);
  assert.throws(() => heatmap(values, { marks: [{ row: 2, column: 0 }] }), /outside the 2×2 matrix/);
});

test('a confusion matrix shows its counts, every class, and a colour bar labelled in counts', () => {
  const matrix = [[950, 3, 0], [12, 1100, 1], [0, 0, 980]];
  const figure = confusionMatrixHeatmap(matrix, ['a', 'b', 'c']);
  const trace = figure.traces[0] as Record<string, unknown>;
  assert.deepEqual(trace['text'], [['950', '3', ''], ['12', '1100', '1'], ['', '', '980']]);
  const colourBar = trace['colorbar'] as { title: { text: string }; ticktext: string[] };
  assert.equal(colourBar.title.text, 'count (log scale)');
  assert.deepEqual(colourBar.ticktext, ['0', '1', '10', '100', '1000']);
  assert.equal((figure.layout['yaxis'] as Record<string, unknown>)['autorange'], 'reversed', 'true class 0 in the top row');
  assert.throws(() => confusionMatrixHeatmap([[1, 2]], ['a', 'b']), /2×2 matrix/);
});

test('markers have outlines; false-colour images get a colour bar; planes keep equal aspect', () => {
  const points = scatterPlot({ x: [0], y: [0], color: 'white' });
  assert.deepEqual((points.traces[0]?.['marker'] as { line: unknown }).line, { width: 1, color: '#333' });
  const images = imageGrid([[-2, 0, 1, 0], [0, 1, 0, 0]], { height: 2, width: 2, colorscale: 'RdBu', colorbarTitle: 'filter response' });
  assert.deepEqual(images.traces.map((t) => t['showscale']), [true, false], 'one colour bar for the shared scale');
  assert.deepEqual([images.traces[0]?.['zmin'], images.traces[0]?.['zmax']], [-2, 2]);
  assert.throws(() => imageGrid([[0, 1, 1, 0]], { height: 2, width: 2, sharedScale: false, colorbarTitle: 'x' }), /needs one scale/);
  const plane = contourPlot({ x: [-3, 3], y: [-3, 3], z: [[0, 1], [1, 2]] });
  assert.equal((plane.layout['yaxis'] as Record<string, unknown>)['scaleanchor'], 'x');
  const strip = contourPlot({ x: [0, 100], y: [0, 1], z: [[0, 1], [1, 2]] });
  assert.equal((strip.layout['yaxis'] as Record<string, unknown> | undefined)?.['scaleanchor'], undefined, 'different units: no equal aspect');
  // A square plane at the default height (290 px of plot): the colour bar beside it, not at the far edge of the page.
  const planeWidth = plane.layout['width'] as number;
  assert.ok(planeWidth >= 290 + 110 && planeWidth < 600, `plane width ${planeWidth}`);
  assert.equal(strip.layout['width'], undefined, 'a strip follows the page');
});

test('numbers are written for readers: separators, significant digits, powers of ten', () => {
  assert.equal(formatNumber(0.9433333333333334), '0.9433');
  assert.equal(formatNumber(11456230000), '11,456,230,000');
  assert.equal(formatNumber(127795200000000000), '1.278 × 10¹⁷');
  assert.equal(formatNumber(2.5e-7, 3), '2.5 × 10⁻⁷');
  assert.equal(formatNumber(2024), '2024', 'a year keeps its digits');
  assert.equal(formatNumber(12345.678), '12,346');
  assert.equal(formatNumber(-3.14159, 3), '-3.14');
  assert.throws(() => formatNumber(1, 0), /digits must be an integer from 1 to 21/);
});

test('record tables have no 0..n index column; labelled frames keep their labels', () => {
  const records = tableHtml([{ model: 'a', accuracy: 0.9433333333333334, volume: 11456230000 }]);
  assert.match(records, /<tr><th>model<\/th><th>accuracy<\/th><th>volume<\/th><\/tr>/);
  assert.match(records, /<tr><td>a<\/td><td>0\.9433<\/td><td>11,456,230,000<\/td><\/tr>/);
  const frame = tableHtml({ columns: ['x'], index: ['mean', 'std'], values: [[1.5], [1234.25]] }, { digits: 2 });
  assert.match(frame, /<tr><th>mean<\/th><td>1\.50<\/td><\/tr><tr><th>std<\/th><td>1,234\.25<\/td><\/tr>/);
  const counted = tableHtml({ columns: ['x'], index: [0, 1], values: [[1], [2]] });
  assert.ok(!counted.includes('<th>0</th>'), 'a default 0, 1, 2 index is not shown');
});

test('histograms of samples of different sizes: shares, on the same bins', () => {
  const figure = histogram([{ name: 'many', values: Array.from({ length: 1000 }, (_, i) => i % 50) }, { name: 'few', values: [400, 450, 500] }], { percent: true, bins: 10 });
  assert.deepEqual(figure.traces.map((t) => t['histnorm']), ['percent', 'percent']);
  assert.deepEqual(figure.traces[0]?.['xbins'], { start: 0, end: 500, size: 50 });
  assert.deepEqual(figure.traces[1]?.['xbins'], figure.traces[0]?.['xbins'], 'one set of bins for both');
  assert.throws(() => histogram([1, 2], { density: true, percent: true }), /density or percent/);
});

test('display ids leave the seeded generator alone, so a live plot\'s redraws never change later results', () => {
  seed(3);
  const expected = [Math.random(), Math.random()];
  seed(3);
  const ids = new Set(Array.from({ length: 50 }, () => newDisplayId()));
  new Figure([{ x: [1, 2], y: [3, 4] }]).toMimeBundle();
  assert.deepEqual([Math.random(), Math.random()], expected);
  assert.equal(ids.size, 50, 'the ids are unique');
  unseed();
});

// What figures send to the notebook, through tslab's display hook (recorded
// here instead of a kernel): plotly's MIME type beside the HTML form; in
// JupyterLab with the plotly renderer (DLKIT_PLOTLY=mime, set by npm start) no
// plotly.js at all, elsewhere plotly.js once per kernel session; the live plot
// replaces its own outputs (display ids) and ends on the full figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Figure, LivePlot, PLOTLY_MIME_TYPE, linePlot, plotlySource, rng, seed, unseed } from 'dlkit';

interface Sent {
  data: Record<string, unknown>;
  transient: { display_id?: string };
  update: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
const hook = require('tslab/dist/jupyter') as { lastWriteDisplayData: ((data: unknown, update: boolean) => void) | null };

function record(body: () => void, plotlyMode: string | undefined): Sent[] {
  const sent: Sent[] = [];
  const previous = process.env['DLKIT_PLOTLY'];
  if (plotlyMode === undefined) delete process.env['DLKIT_PLOTLY'];
  else process.env['DLKIT_PLOTLY'] = plotlyMode;
  hook.lastWriteDisplayData = (message, update) => sent.push({ ...(message as Omit<Sent, 'update'>), update });
  try {
    body();
  } finally {
    hook.lastWriteDisplayData = null;
    if (previous === undefined) delete process.env['DLKIT_PLOTLY'];
    else process.env['DLKIT_PLOTLY'] = previous;
  }
  return sent;
}

const size = (sent: Sent[]) => sent.reduce((n, s) => n + JSON.stringify(s.data).length, 0);

test('in JupyterLab with the plotly renderer a figure is plotly data plus its HTML form, and plotly.js is never sent', () => {
  const figure: Figure = linePlot({ x: [1, 2, 3], y: new Float32Array([3, 1, 2]) }, { title: 'three points' });
  const sent = record(() => figure.show(), 'mime');
  assert.equal(sent.length, 1, 'one output: the figure');
  const data = sent[0]?.data as Record<string, unknown>;
  const plotly = data[PLOTLY_MIME_TYPE] as { data: { y: unknown }[]; layout: { title: { text: string } } };
  assert.deepEqual(plotly.data[0]?.y, [3, 1, 2], 'typed arrays become plain JSON arrays');
  assert.equal(plotly.layout.title.text, 'three points');
  assert.match(String(data['text/html']), /Plotly\.newPlot/, 'the HTML form for the classic Notebook and nbconvert');
  assert.match(String(data['text/plain']), /three points/);
  assert.ok(size(sent) < 20_000, `small: ${size(sent)} characters, no plotly.js`);
});

test('the live plot replaces its figure and progress line in place and ends on every point, without plotly.js in JupyterLab', () => {
  const sent = record(() => {
    const live = new LivePlot({ title: 'loss', total: 5, unit: 'steps', minIntervalMs: 0 });
    for (let step = 1; step <= 5; step++) live.update(step, { loss: 1 / step }, { done: step, label: `step ${step}/5` });
    live.close();
  }, 'mime');
  const ids = [...new Set(sent.map((s) => s.transient.display_id))];
  assert.equal(ids.length, 2, 'two outputs, each updated in place: the figure and the progress line');
  for (const id of ids) {
    const mine = sent.filter((s) => s.transient.display_id === id);
    assert.equal(mine[0]?.update, false, 'created once');
    assert.ok(mine.slice(1).every((s) => s.update), 'then only updated');
  }
  const figureUpdates = sent.filter((s) => s.transient.display_id === ids[0]);
  const last = figureUpdates[figureUpdates.length - 1]?.data[PLOTLY_MIME_TYPE] as { data: { y: number[] }[] };
  assert.deepEqual(last.data[0]?.y, [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5], 'the last figure holds every point');
  const progress = sent.filter((s) => s.transient.display_id === ids[1]);
  assert.match(String(progress[progress.length - 1]?.data['text/plain']), /step 5\/5 .*done in/);
  assert.ok(size(sent) < 200_000, `no plotly.js sent (${size(sent)} characters)`);
});

test('elsewhere (classic Notebook, nbconvert) plotly.js is sent once per kernel session, before the first figure', () => {
  const sent = record(() => {
    new Figure([{ type: 'scatter', x: [1], y: [1] }]).show();
    new Figure([{ type: 'scatter', x: [2], y: [2] }]).show();
  }, undefined);
  const bundles = sent.filter((s) => String(s.data['text/html'] ?? '').includes(plotlySource().slice(0, 2000)));
  assert.equal(bundles.length, 1, 'plotly.js once per session (this file runs in its own process)');
  assert.equal(sent[0], bundles[0], 'before the first figure');
  assert.equal(sent.filter((s) => PLOTLY_MIME_TYPE in s.data).length, 2, 'both figures carry plotly data too');
});

test('showing figures and live plots draws nothing from the seeded generator, so it cannot change a run', () => {
  const draws = () => [rng().next(), Math.random(), rng().int(1000)];
  seed(3);
  const expected = draws();
  seed(3);
  const sent = record(() => {
    const live = new LivePlot({ title: 'loss', minIntervalMs: 0 });
    for (let step = 1; step <= 5; step++) live.update(step, { loss: 1 / step });
    live.close();
    linePlot([{ name: 'a', x: [0, 1], y: [1, 2] }]).show();
  }, undefined);
  assert.ok(sent.length >= 7, `the figures were shown (${sent.length} outputs)`);
  assert.deepEqual(draws(), expected);
  const ids = new Set(sent.map((s) => s.transient.display_id).filter(Boolean));
  assert.ok(ids.size >= 2, 'the live plot and its progress line keep distinct display ids');
  unseed();
});

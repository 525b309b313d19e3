// @ts-check
// `npm run bench`: the book's workloads on every backend this machine has,
// printed as a table and written to bench/results.json with machine info.
// Options: --smoke (tiny sizes, one repetition: what the tests run),
// --backends wasm,cpu (default: the one DLKIT_BACKEND names, else the rungs a
// reader would use that start here: node-gpu, node and wasm; the pure-JavaScript
// cpu rung, which took most of a 25-minute default run, only when named), --only name1,name2, --out FILE, --profile (print the
// kernels that take the time in each chosen workload, instead of measuring),
// --torch (also run bench/torch_reference.py in PyTorch CPU, 1 and 2 threads, and
// add its figures and dlkit/PyTorch ratios; Python from DLKIT_TORCH_PYTHON, else
// .venv-bench/bin/python, else python3; skipped with a note when torch is absent).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fail, root, startCommandLine } from './setup.mjs';

/**
 * What one workload measured on one backend.
 * @typedef {{ median?: number, min?: number, max?: number, repetitions?: number, skipped?: string, error?: string }} Outcome
 * @typedef {Outcome & { workload: string, description: string, backend: string, unit: string, rssMiB: number, tensorsAfter: number, tensorsLeaked: number }} Entry
 * @typedef {{ workload: string, backend: string, torchThreads: number, dlkit: number, torch: number, unit: string, ratio: number }} Ratio
 * @typedef {{ torch?: string, results?: { workload: string, threads: number, median: number }[], ratios?: Ratio[], skipped?: string, error?: string }} TorchReport
 */

const { flag, option, dlkit } = startCommandLine('bench', {
  flags: ['--smoke', '--profile', '--torch'],
  valued: ['--backends', '--only', '--out'],
});
const size = flag('--smoke') ? 'smoke' : 'full';
const { tf } = dlkit;
const { workloads } = await import('../bench/workloads.mjs');

const only = option('--only')?.split(',');
const chosen = only ? workloads.filter((w) => only.includes(w.name)) : workloads;
if (only && chosen.length !== only.length) fail(`Unknown workload in --only. Known: ${workloads.map((w) => w.name).join(', ')}`);

// Which backends can start here: the ones --backends or DLKIT_BACKEND name, else the ladder's rungs, each tried in turn.
const named = option('--backends')?.split(',') ?? (process.env.DLKIT_BACKEND?.trim() ? [process.env.DLKIT_BACKEND] : undefined);
const requested = named ?? dlkit.BACKEND_NAMES.filter((name) => name !== 'cpu');
const backends = [];
for (const name of requested) {
  try {
    await dlkit.initBackend({ backend: name, quiet: true });
    backends.push(name);
  } catch (error) {
    if (named) fail(`Backend ${name} cannot start: ${error instanceof Error ? error.message : error}`);
  }
}

if (flag('--profile')) {
  for (const backend of backends) {
    await dlkit.initBackend({ backend, quiet: true });
    for (const workload of chosen) {
      dlkit.seed(1);
      const profile = await dlkit.profileKernels(() => workload.run(dlkit, tf, 'smoke'));
      const share = (100 * profile.kernelMilliseconds) / profile.totalMilliseconds;
      console.log(`\n${backend} ${workload.name}: ${profile.totalMilliseconds.toFixed(0)} ms, ${share.toFixed(0)}% inside kernels`);
      for (const k of profile.kernels.slice(0, 12)) {
        console.log(`  ${k.milliseconds.toFixed(1).padStart(8)} ms ${String(k.calls).padStart(5)} calls  ${k.kernel} (${k.shapes})`);
      }
    }
  }
  process.exit(0);
}

/** @type {Entry[]} */
const results = [];
const backendIndependentDone = new Set();
for (const backend of backends) {
  await dlkit.initBackend({ backend, quiet: true });
  for (const workload of chosen) {
    if (workload.backendIndependent && backendIndependentDone.has(workload.name)) continue;
    dlkit.seed(1);
    const tensorsBefore = tf.memory().numTensors;
    /** @type {Outcome} */
    let outcome;
    if (workload.slowOnCpu && backend === 'cpu' && size === 'full') {
      outcome = { skipped: 'minutes per repetition on the pure-JavaScript cpu backend; see lenet-train for the cpu/wasm ratio' };
    } else {
      try {
        const measured = await workload.run(dlkit, tf, size);
        outcome = measured.skipped !== undefined ? { skipped: measured.skipped } : { median: measured.median, min: measured.min, max: measured.max, repetitions: measured.repetitions };
      } catch (error) {
        outcome = { error: String(error instanceof Error ? error.message : error).split('\n')[0] };
      }
    }
    /** @type {Entry} */
    const entry = {
      workload: workload.name,
      description: workload.description,
      backend: workload.backendIndependent ? 'none (plain JavaScript)' : backend,
      unit: workload.unit,
      ...outcome,
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
      tensorsAfter: tf.memory().numTensors,
      tensorsLeaked: tf.memory().numTensors - tensorsBefore,
    };
    if (workload.backendIndependent && !outcome.skipped) backendIndependentDone.add(workload.name);
    results.push(entry);
    const shown = entry.skipped ? `skipped: ${entry.skipped}` : entry.error ? `ERROR: ${entry.error}` : `${format(entry.median)} ${entry.unit} (min ${format(entry.min)}, max ${format(entry.max)})`;
    console.log(`${backend.padEnd(5)} ${workload.name.padEnd(28)} ${shown}`);
  }
}

/** @param {number | undefined} value */
function format(value) {
  if (value === undefined) return '—';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}

// The fastest backend for each workload (for a latency, the lowest).
/** @type {Record<string, { backend: string, median: number, unit: string }>} */
const winners = {};
for (const r of results) {
  if (r.median === undefined || r.backend.startsWith('none')) continue;
  const best = winners[r.workload];
  /** @type {(a: number, b: number) => boolean} */
  const better = r.unit === 'µs' ? (a, b) => a < b : (a, b) => a > b;
  if (!best || better(r.median, best.median)) winners[r.workload] = { backend: r.backend, median: r.median, unit: r.unit };
}

/**
 * The PyTorch workload a dlkit workload is compared with (two ways of doing the same work share one).
 * @param {string} workload
 * @returns {string}
 */
function torchName(workload) {
  /** @type {Record<string, string>} */
  const shared = { 'mlp-trainer': 'mlp-fit', 'dqn-act-tensor-latency': 'dqn-act-latency' };
  return shared[workload] ?? workload;
}

/**
 * PyTorch's figures for the same workloads, and dlkit/PyTorch ratios (above 1: dlkit is faster).
 * @returns {TorchReport}
 */
function runTorch() {
  const candidates = [process.env.DLKIT_TORCH_PYTHON, join(root, '.venv-bench', 'bin', 'python'), 'python3'].filter(/** @returns {p is string} */ (p) => p !== undefined && (p === 'python3' || existsSync(p)));
  const python = candidates.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (!python) return { skipped: 'no Python with torch (python3 -m venv .venv-bench && .venv-bench/bin/pip install torch numpy; or set DLKIT_TORCH_PYTHON)' };
  console.log(`\nPyTorch reference with ${python} (bench/torch_reference.py)`);
  const known = ['matmul-1024', 'mlp-fit', 'lenet-train', 'resnet-train', 'dqn-update', 'dqn-act-latency', 'mini-bert-train', 'mini-bert-finetune', 'matrix-factorisation-train', 'small-gpt-train', 'small-gpt-generate'];
  const names = [...new Set(chosen.map((w) => torchName(w.name)))].filter((n) => known.includes(n));
  if (names.length === 0) return { skipped: `bench/torch_reference.py has none of the chosen workloads (it has ${known.join(', ')})` };
  const run = spawnSync(python, [join(root, 'bench', 'torch_reference.py'), '--threads', '1,2', '--only', names.join(','), ...(size === 'smoke' ? ['--smoke'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (run.status !== 0) return { error: `bench/torch_reference.py failed with status ${run.status}` };
  /** @type {{ torch: string, results: { workload: string, threads: number, median: number }[] }} */
  const torch = JSON.parse(run.stdout);
  /** @type {Ratio[]} */
  const ratios = [];
  for (const r of results) {
    if (r.median === undefined) continue;
    const reference = torchName(r.workload);
    for (const t of torch.results.filter((x) => x.workload === reference)) {
      const ratio = r.unit === 'µs' ? t.median / r.median : r.median / t.median;
      ratios.push({ workload: r.workload, backend: r.backend, torchThreads: t.threads, dlkit: r.median, torch: t.median, unit: r.unit, ratio: Number(ratio.toFixed(3)) });
    }
  }
  return { ...torch, ratios };
}
const torch = flag('--torch') ? runTorch() : undefined;

const output = {
  schema: 'dlkit-bench/1',
  size,
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version, platform: `${process.platform}-${process.arch}` },
  tfjs: tf.version.tfjs,
  backends,
  results,
  winners,
  ...(torch ? { torch } : {}),
};
const out = resolve(option('--out') ?? join(root, 'bench', 'results.json'));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(output, null, 2)}\n`);

console.log('\n| workload | backend | median | min | max | unit | RSS MiB | tensors |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  if (r.skipped || r.error) console.log(`| ${r.workload} | ${r.backend} | ${r.skipped ? 'skipped' : 'error'} | | | ${r.unit} | ${r.rssMiB} | ${r.tensorsAfter} |`);
  else console.log(`| ${r.workload} | ${r.backend} | ${format(r.median)} | ${format(r.min)} | ${format(r.max)} | ${r.unit} | ${r.rssMiB} | ${r.tensorsAfter} |`);
}
console.log('\nfastest backend per workload: ' + Object.entries(winners).map(([w, b]) => `${w} ${b.backend}`).join(', '));
if (torch?.ratios) {
  const workloadsWithTorch = [...new Set(torch.ratios.map((r) => r.workload))];
  const torchOf = (/** @type {string} */ workload, /** @type {number} */ threads) => torch.results?.find((t) => t.workload === torchName(workload) && t.threads === threads)?.median;
  console.log(`\n| workload | unit | ${backends.join(' | ')} | PyTorch ${torch.torch} 1 thread | 2 threads | best dlkit / PyTorch (same threads) |`);
  console.log(`|---|---|${backends.map(() => '---|').join('')}---|---|---|`);
  for (const w of workloadsWithTorch) {
    const row = results.filter((r) => r.workload === w);
    const cells = backends.map((b) => { const r = row.find((x) => x.backend === b); return r?.median !== undefined ? format(r.median) : '—'; });
    // wasm runs on 1 thread, the native CPU rung on dlkit.nativeThreadCount() (TF_NUM_INTRAOP_THREADS, else one per core): compare each with PyTorch at its own count.
    const same = torch.ratios.filter((r) => r.workload === w && r.torchThreads === (r.backend === 'wasm' || r.backend === 'cpu' ? 1 : Math.min(2, dlkit.nativeThreadCount())));
    const best = same.sort((a, b) => b.ratio - a.ratio)[0];
    console.log(`| ${w} | ${row[0]?.unit} | ${cells.join(' | ')} | ${torchOf(w, 1) ? format(torchOf(w, 1)) : '—'} | ${torchOf(w, 2) ? format(torchOf(w, 2)) : '—'} | ${best ? `${best.ratio.toFixed(2)}× (${best.backend})` : '—'} |`);
  }
} else if (torch) console.log(`\nPyTorch: ${torch.skipped ?? torch.error}`);
console.log(`\nwritten to ${out}`);
if (results.some((r) => r.error)) process.exit(1);

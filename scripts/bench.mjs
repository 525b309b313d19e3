// `npm run bench`: the book's workloads on every backend this machine has,
// printed as a table and written to bench/results.json with machine info.
// Options: --smoke (tiny sizes, one repetition: what the tests run),
// --backends wasm,cpu (default: the one DLKIT_BACKEND names, else every
// backend that starts), --only name1,name2, --out FILE, --profile (print the
// kernels that take the time in each chosen workload, instead of measuring).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { buildLibrary, checkBackendVariable, checkNode, ensureDependencies, fail, root } from './setup.mjs';

const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const size = argv.includes('--smoke') ? 'smoke' : 'full';
checkNode();
if (!argv.includes('--prepared')) {
  ensureDependencies();
  buildLibrary();
}
checkBackendVariable();
const require = createRequire(join(root, 'package.json'));
const dlkit = require('dlkit');
const { tf } = dlkit;
const { workloads } = await import('../bench/workloads.mjs');

const only = option('--only')?.split(',');
const chosen = only ? workloads.filter((w) => only.includes(w.name)) : workloads;
if (only && chosen.length !== only.length) fail(`Unknown workload in --only. Known: ${workloads.map((w) => w.name).join(', ')}`);

// Which backends can start here: the ones --backends or DLKIT_BACKEND name, else the ladder's rungs, each tried in turn.
const named = option('--backends')?.split(',') ?? (process.env.DLKIT_BACKEND?.trim() ? [process.env.DLKIT_BACKEND] : undefined);
const requested = named ?? dlkit.BACKEND_NAMES;
const backends = [];
for (const name of requested) {
  try {
    await dlkit.initBackend({ backend: name, quiet: true });
    backends.push(name);
  } catch (error) {
    if (named) fail(`Backend ${name} cannot start: ${error.message}`);
  }
}

if (argv.includes('--profile')) {
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

const results = [];
const backendIndependentDone = new Set();
for (const backend of backends) {
  await dlkit.initBackend({ backend, quiet: true });
  for (const workload of chosen) {
    if (workload.backendIndependent && backendIndependentDone.has(workload.name)) continue;
    dlkit.seed(1);
    const tensorsBefore = tf.memory().numTensors;
    let outcome;
    if (workload.slowOnCpu && backend === 'cpu' && size === 'full') {
      outcome = { skipped: 'minutes per repetition on the pure-JavaScript cpu backend; see lenet-train for the cpu/wasm ratio' };
    } else {
      try {
        const { median, min, max, repetitions, skipped } = await workload.run(dlkit, tf, size);
        outcome = skipped ? { skipped } : { median, min, max, repetitions };
      } catch (error) {
        outcome = { error: error.message.split('\n')[0] };
      }
    }
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

function format(value) {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}

const output = {
  schema: 'dlkit-bench/1',
  size,
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version, platform: `${process.platform}-${process.arch}` },
  tfjs: tf.version.tfjs,
  backends,
  results,
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
console.log(`\nwritten to ${out}`);
if (results.some((r) => r.error)) process.exit(1);

/**
 * The native rung on CPUs with AVX-512: TensorFlow 2.21's oneDNN corrupted the heap there while chapter 7
 * trained its 20-layer networks, so dlkit caps oneDNN at AVX2 before TensorFlow loads
 * (lib/src/backend/native/cpu-settings.ts). The settings themselves are tested as plain functions; then a child
 * process trains chapter 7's degradation pair on the native rung with oneDNN's verbose log on, and the test fails if
 * the process dies or if oneDNN ran at an ISA above AVX2. Skipped, with the reason, when the native rung is not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { applyNativeCpuSettings, cpuHasAvx512, initBackend } from 'dlkit';
import { repositoryRoot } from './helpers/notebooks';
import { crashReportEnvironment } from './helpers/native-crash-report';

test('cpuHasAvx512 reads the avx512f flag of /proc/cpuinfo', () => {
  assert.equal(cpuHasAvx512('processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512dq\n'), true);
  assert.equal(cpuHasAvx512('processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n'), false);
  assert.equal(cpuHasAvx512('model name\t: avx512f in a name\nflags\t\t: fpu avx2\n'), false);
});

test('applyNativeCpuSettings caps oneDNN at AVX2 on x86-64, and the reader\'s setting wins', () => {
  const env: NodeJS.ProcessEnv = {};
  const capped = applyNativeCpuSettings(env, 'x64', true);
  assert.equal(env['ONEDNN_MAX_CPU_ISA'], 'AVX2');
  assert.equal(capped.source, 'dlkit');
  assert.match(capped.note, /AVX-512/);
  const noAvx512: NodeJS.ProcessEnv = {};
  assert.equal(applyNativeCpuSettings(noAvx512, 'x64', false).oneDnnMaxIsa, 'AVX2');
  const reader: NodeJS.ProcessEnv = { ONEDNN_MAX_CPU_ISA: 'AVX512_CORE' };
  const kept = applyNativeCpuSettings(reader, 'x64', true);
  assert.equal(reader['ONEDNN_MAX_CPU_ISA'], 'AVX512_CORE');
  assert.equal(kept.source, 'environment');
  const legacy: NodeJS.ProcessEnv = { DNNL_MAX_CPU_ISA: 'SSE41' };
  assert.equal(applyNativeCpuSettings(legacy, 'x64', true).oneDnnMaxIsa, 'SSE41');
  const optOut: NodeJS.ProcessEnv = { DLKIT_ONEDNN_ISA: 'default' };
  const left = applyNativeCpuSettings(optOut, 'x64', true);
  assert.equal(optOut['ONEDNN_MAX_CPU_ISA'], undefined);
  assert.match(left.note, /corrupt/);
  const arm: NodeJS.ProcessEnv = {};
  assert.equal(applyNativeCpuSettings(arm, 'arm64', null).oneDnnMaxIsa, null);
  assert.equal(arm['ONEDNN_MAX_CPU_ISA'], undefined);
  assert.throws(() => applyNativeCpuSettings({ DLKIT_ONEDNN_ISA: 'fast' }, 'x64', true), /DLKIT_ONEDNN_ISA="fast".*ONEDNN_MAX_CPU_ISA/s);
});

/** Chapter 7's degradation cell (2,000 images, 2 epochs, batch 64, both networks) as a script. */
const degradationScript = `
const { initBackend, seed, loadMnist, resnet, plainNet, Trainer, backendReport } = require('dlkit');
(async () => {
  await initBackend({ backend: 'node' });
  seed(7);
  const [trainSet, validationSet] = loadMnist().train.split(0.9);
  const options = { stages: [8, 16, 32], blocksPerStage: 3, stemStrides: 2 };
  const data = trainSet.take(2000);
  const validation = validationSet.take(500);
  for (const shortcuts of [false, true]) {
    seed(70);
    const network = shortcuts ? resnet(options) : plainNet(options);
    const trainer = new Trainer(network, { learningRate: 1e-3 });
    const result = await trainer.fit(data, { epochs: 2, batchSize: 64, validationData: validation, plot: false });
    console.log('RESULT ' + JSON.stringify({ shortcuts, loss: result.history.at(-1).loss }));
    trainer.dispose();
    network.dispose();
  }
  console.log('NATIVE ' + JSON.stringify(backendReport().nativeCpu));
})().catch((error) => { console.error(error); process.exit(1); });`;

test("chapter 7's degradation networks train on the native rung without oneDNN's AVX-512 kernels", async (t) => {
  try {
    await initBackend({ backend: 'node', quiet: true });
  } catch (error) {
    t.skip(`the native rung is not built here (npm run native builds it): ${(error as Error).message.split('\n')[0]}`);
    return;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ...crashReportEnvironment(), DLKIT_QUICK: '1', ONEDNN_VERBOSE: '1' };
  for (const name of ['ONEDNN_MAX_CPU_ISA', 'DNNL_MAX_CPU_ISA', 'DLKIT_ONEDNN_ISA', 'DLKIT_BACKEND']) delete env[name];
  const child = spawnSync(process.execPath, ['-e', degradationScript], {
    cwd: repositoryRoot,
    env,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: 15 * 60 * 1000,
  });
  const tail = `${child.stderr.split('\n').filter((l) => !l.startsWith('onednn_verbose')).slice(-30).join('\n')}`;
  assert.equal(child.signal, null, `the training process died of ${child.signal}:\n${tail}`);
  assert.equal(child.status, 0, `the training process failed (exit ${child.status}):\n${tail}`);
  const results = child.stdout.split('\n').filter((l) => l.startsWith('RESULT '));
  assert.equal(results.length, 2, child.stdout);
  for (const line of results) assert.ok(Number.isFinite(JSON.parse(line.slice(7)).loss), line);
  const isaLines = `${child.stdout}\n${child.stderr}`.split('\n').filter((l) => /^onednn_verbose.*,info,cpu,isa:/.test(l));
  assert.ok(isaLines.length > 0, 'oneDNN printed no ISA line: was ONEDNN_VERBOSE honoured?');
  for (const line of isaLines) assert.doesNotMatch(line, /AVX-512|AVX512|AMX/i, `oneDNN ran above AVX2: ${line}`);
  const used = `${child.stdout}\n${child.stderr}`.split('\n').filter((l) => /^onednn_verbose.*,exec,cpu,/.test(l));
  assert.ok(used.length > 0, 'no oneDNN primitive ran');
  for (const line of used) assert.doesNotMatch(line, /avx512|amx/i, `a oneDNN kernel above AVX2 ran: ${line.slice(0, 200)}`);
  if (cpuHasAvx512()) {
    const native = JSON.parse(child.stdout.split('\n').find((l) => l.startsWith('NATIVE '))!.slice(7));
    assert.equal(native.oneDnnMaxIsa, 'AVX2');
    assert.equal(native.avx512, true);
  }
});

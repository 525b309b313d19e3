// The crash reporter that the tests preload into the kernels they start
// (test/helpers/native-crash-report.c): a process that aborts (as glibc does
// on a heap corruption) writes its native stack, then dies of the same signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { crashReportEnvironment, crashReports } from './helpers/native-crash-report';

const environment = crashReportEnvironment();

test('a kernel-like process that aborts writes its native stack, then still dies of SIGABRT', { skip: environment['LD_PRELOAD'] ? false : 'no C compiler (cc) here: the tests run without the crash reporter' }, () => {
  const child = spawnSync(process.execPath, ['-e', "process.kill(process.pid, 'SIGABRT'); setTimeout(() => {}, 5000);"], {
    env: { ...process.env, ...environment },
    encoding: 'utf8',
  });
  assert.equal(child.signal, 'SIGABRT', `the process ended with ${child.status ?? child.signal}, not by the signal`);
  const report = crashReports(child.stderr);
  assert.match(report, /signal 6 \(abort\) in process \d+, thread \d+; native stack:/);
  assert.match(report, /uv_kill/, `the stack names the native function that sent the signal:\n${report}`);
});

test('a process that ends normally with the reporter preloaded prints nothing of it', { skip: environment['LD_PRELOAD'] ? false : 'no C compiler (cc) here' }, () => {
  const child = spawnSync(process.execPath, ['-e', "console.log('fine')"], { env: { ...process.env, ...environment }, encoding: 'utf8' });
  assert.equal(child.status, 0);
  assert.equal(child.stdout.trim(), 'fine');
  assert.equal(crashReports(child.stderr), '');
});

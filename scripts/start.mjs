// `npm start`: install what is missing, build dlkit, register the tslab kernel
// and open the book in Jupyter (JupyterLab when available, else Notebook),
// bound to 127.0.0.1 with a token. Options: --no-browser, --port N.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { binDir, buildLibrary, checkBackendVariable, checkNode, ensureDatasets, ensureDependencies, ensureJupyter, fail, registerKernel, root, say } from './setup.mjs';

function parseArguments(argv) {
  const options = { browser: true, port: 8888, portGiven: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-browser') options.browser = false;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg.includes('=') ? arg.split('=')[1] : argv[++i];
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port needs a number from 1 to 65535, got "${value}".`);
      options.port = port;
      options.portGiven = true;
    } else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm start [-- --no-browser] [-- --port 8888]');
      process.exit(0);
    } else fail(`Unknown option "${arg}". Use --no-browser and/or --port N (after "--": npm start -- --no-browser).`);
  }
  return options;
}

function portIsFree(port) {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.once('listening', () => server.close(() => resolvePort(true)));
    server.listen(port, '127.0.0.1');
  });
}

const options = parseArguments(process.argv.slice(2));
checkNode();
ensureDependencies();
buildLibrary();
checkBackendVariable();
const { python, app } = ensureJupyter();
registerKernel(python);
ensureDatasets();
if (!(await portIsFree(options.port))) {
  fail(
    `Port ${options.port} on 127.0.0.1 is already in use (another Jupyter, perhaps: \`jupyter notebook list\`).\n` +
      `Stop it, or pick another port: npm start -- --port ${options.port + 1}`,
  );
}
const token = randomBytes(24).toString('hex');
const server = app === 'lab' ? 'ServerApp' : 'NotebookApp';
const args = [
  '-m', app === 'lab' ? 'jupyterlab' : 'notebook',
  `--notebook-dir=${join(root, 'notebooks')}`,
  `--${server}.ip=127.0.0.1`,
  `--${server}.port=${options.port}`,
  '--port-retries=0',
  `--${server}.token=${token}`,
];
if (!options.browser) args.push('--no-browser');
if (process.getuid?.() === 0) args.push('--allow-root');
const url = `http://127.0.0.1:${options.port}/${app === 'lab' ? 'lab' : 'tree'}?token=${token}`;
say(`starting Jupyter ${app === 'lab' ? 'Lab' : 'Notebook'} with ${python}`);
const child = spawn(python, args, {
  cwd: join(root, 'notebooks'),
  stdio: ['inherit', 'inherit', 'pipe'],
  env: { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` },
});
let announced = false;
child.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  if (!announced && /is running at|Serving notebooks|Jupyter Server .* is running|http:\/\/127\.0\.0\.1/.test(String(chunk))) {
    announced = true;
    console.log(`\n[book] The book is open at:\n\n    ${url}\n\n[book] Start with 00_setup.ipynb. Stop with Ctrl+C.\n`);
  }
});
child.on('error', (error) => fail(`Could not start Jupyter with ${python}: ${error.message}`));
const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code) => process.exit(code ?? 0));

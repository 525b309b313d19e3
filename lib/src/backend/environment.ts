/**
 * What the book runs on (chapter 0): versions, backend, cores and memory, as a
 * table the first notebook shows.
 */
import * as os from 'node:os';
import { tf } from './tf';
import { backendReport } from './select';

/** One row of the environment table. */
export interface EnvironmentFact {
  item: string;
  value: string;
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** Versions, backend, CPU and memory of this machine (chapter 0). Call after `initBackend()`. */
export function environmentFacts(): EnvironmentFact[] {
  const report = backendReport();
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  const cpus = os.cpus();
  return [
    { item: 'Node.js', value: process.version },
    { item: 'tslab', value: packageVersion('tslab') },
    { item: 'TensorFlow.js', value: tf.version.tfjs },
    { item: 'backend', value: report ? `${report.name} (${report.summary})` : `${tf.getBackend()} (initBackend() not called)` },
    { item: 'CPU', value: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}` },
    { item: 'memory', value: `${gib(os.freemem())} free of ${gib(os.totalmem())}` },
    { item: 'process memory (RSS)', value: gib(process.memoryUsage().rss) },
    { item: 'tensors alive', value: String(tf.memory().numTensors) },
  ];
}

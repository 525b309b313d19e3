/** What the book runs on (chapter 0): versions, backend, cores and memory; physical cores for chapter 12's peak FLOP/s. */
import { existsSync, readFileSync } from 'node:fs';
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

/** Versions, backend, CPU and memory of this machine. Call after `initBackend()`. */
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

/** Logical processors and physical cores of this machine. */
export interface CpuCores {
  /** What `os.cpus()` lists: hardware threads, two per core with hyperthreading (SMT). */
  logical: number;
  /** Distinct (physical id, core id) pairs of /proc/cpuinfo; null where that file or its core ids are missing. */
  physical: number | null;
  /** Where `physical` came from. */
  source: string;
}

/** Counts physical cores (a core's two hardware threads share its FPUs) from /proc/cpuinfo or `cpuinfo`; else null. */
export function cpuCores(cpuinfo?: string): CpuCores {
  const logical = os.cpus().length;
  const text = cpuinfo ?? (existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '');
  const pairs = new Set<string>();
  let processors = 0;
  for (const block of text.split(/\n\s*\n/)) {
    if (!/^processor\s*:/m.test(block)) continue;
    processors++;
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (core === undefined) continue;
    const socket = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1] ?? '0';
    pairs.add(`${socket}:${core}`);
  }
  if (pairs.size === 0) {
    return { logical: cpuinfo === undefined ? logical : processors, physical: null, source: 'no core ids in /proc/cpuinfo: only hardware threads (os.cpus()) are known' };
  }
  return { logical: cpuinfo === undefined ? logical : processors, physical: pairs.size, source: 'distinct (physical id, core id) pairs in /proc/cpuinfo' };
}

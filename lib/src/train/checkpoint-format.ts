/**
 * The checkpoint format (chapter 5): `checkpoint.json` (the state as JSON; per tensor group its file, size,
 * SHA-256 and tensors' names, shapes, dtypes and places) and one `GROUP.bin` per group. Written flushed; read checked.
 */
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf';

/** One tensor's values as plain data. */
export interface StoredTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

/** What a checkpoint holds: JSON state and named groups of tensors. */
export interface CheckpointData {
  state: Record<string, unknown>;
  groups: Record<string, StoredTensor[]>;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  bytes: number;
}

interface Manifest {
  format: 'dlkit-checkpoint';
  version: 1;
  savedAt: string;
  state: Record<string, unknown>;
  groups: Record<string, { file: string; bytes: number; sha256: string; tensors: ManifestEntry[] }>;
}

export const CHECKPOINT_MANIFEST = 'checkpoint.json';

/** The names of a checkpoint's tensor files: one `GROUP.bin` per group. */
export const CHECKPOINT_BINARY = /^[A-Za-z0-9_-]+\.bin$/;

/** Whether parsed JSON is a dlkit checkpoint manifest. */
export function isCheckpointManifest(value: unknown): value is Manifest {
  const manifest = value as Partial<Manifest> | null;
  return manifest !== null && typeof manifest === 'object' && manifest.format === 'dlkit-checkpoint' && typeof manifest.groups === 'object' && manifest.groups !== null;
}

/** A tensor's values copied out as plain data, to save. */
export function storedTensor(name: string, t: Tensor): StoredTensor {
  const int = t.dtype === 'int32';
  return { name, shape: t.shape, dtype: int ? 'int32' : 'float32', values: int ? Int32Array.from(t.dataSync() as Int32Array) : Float32Array.from(t.dataSync() as Float32Array) };
}

export function tensorFromStored(stored: StoredTensor): Tensor {
  return tf.tensor(stored.values, stored.shape, stored.dtype);
}

/** The folder where the previous checkpoint waits while a new one is being put in place. */
export function previousCheckpointPath(directory: string): string {
  return `${resolve(directory)}.previous`;
}

function writeFileSynced(path: string, data: Uint8Array): void {
  const fd = fs.openSync(path, 'w');
  try {
    let written = 0;
    while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Flushes a folder's entries (new files, renames) to disk where the platform allows it. */
export function syncDirectory(path: string): void {
  try {
    const fd = fs.openSync(path, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the renames are still atomic.
  }
}

function bytesOf(values: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Writes `data` into the empty `folder`, files flushed, the manifest last: no folder without it is a checkpoint. */
export function writeCheckpointFiles(folder: string, data: CheckpointData): void {
  const manifest: Manifest = { format: 'dlkit-checkpoint', version: 1, savedAt: new Date().toISOString(), state: data.state, groups: {} };
  for (const [group, tensors] of Object.entries(data.groups)) {
    if (!/^[A-Za-z0-9_-]+$/.test(group)) throw new Error(`saveCheckpointFolder: group name "${group}" must be letters, digits, _ or -.`);
    const entries: ManifestEntry[] = [];
    let total = 0;
    for (const t of tensors) {
      entries.push({ name: t.name, shape: t.shape, dtype: t.dtype, offset: total, bytes: t.values.byteLength });
      total += t.values.byteLength;
    }
    const buffer = new Uint8Array(total);
    tensors.forEach((t, i) => buffer.set(bytesOf(t.values), (entries[i] as ManifestEntry).offset));
    const file = `${group}.bin`;
    writeFileSynced(join(folder, file), buffer);
    manifest.groups[group] = { file, bytes: total, sha256: createHash('sha256').update(buffer).digest('hex'), tensors: entries };
  }
  writeFileSynced(join(folder, CHECKPOINT_MANIFEST), new TextEncoder().encode(JSON.stringify(manifest, null, 1)));
  syncDirectory(folder);
}

function corrupt(directory: string, why: string): Error {
  return new Error(
    `The checkpoint in ${directory} is corrupt: ${why}. Delete that folder and resume from an earlier checkpoint, or train from scratch without resumeFrom.`,
  );
}

/** Reads a checkpoint folder (or the `.previous` of an interrupted save); clear errors if missing or corrupt. */
export function loadCheckpointFolder(directory: string): CheckpointData & { path: string; savedAt: string } {
  let path = resolve(directory);
  if (!fs.existsSync(path)) {
    const previous = previousCheckpointPath(path);
    if (fs.existsSync(join(previous, CHECKPOINT_MANIFEST))) path = previous;
    else {
      throw new Error(
        `No checkpoint folder at ${path}. Check the path (it is the checkpoint.directory given to fit), or train from scratch without resumeFrom.`,
      );
    }
  }
  if (!fs.statSync(path).isDirectory()) throw new Error(`${path} is a file, not a checkpoint folder; give the folder that fit's checkpoint.directory created.`);
  const manifestPath = join(path, CHECKPOINT_MANIFEST);
  if (!fs.existsSync(manifestPath)) throw corrupt(path, `${CHECKPOINT_MANIFEST} is missing (the save did not finish, or this is not a checkpoint folder)`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw corrupt(path, `${CHECKPOINT_MANIFEST} is not valid JSON (${(error as Error).message})`);
  }
  if (!isCheckpointManifest(manifest)) throw corrupt(path, `${CHECKPOINT_MANIFEST} is not a dlkit checkpoint manifest`);
  const groups: Record<string, StoredTensor[]> = {};
  for (const [group, info] of Object.entries(manifest.groups)) {
    const file = join(path, info.file);
    if (!fs.existsSync(file)) throw corrupt(path, `${info.file} is missing`);
    const buffer = fs.readFileSync(file);
    if (buffer.length !== info.bytes) throw corrupt(path, `${info.file} has ${buffer.length} bytes, expected ${info.bytes} (truncated?)`);
    if (createHash('sha256').update(buffer).digest('hex') !== info.sha256) throw corrupt(path, `${info.file} does not match its checksum`);
    groups[group] = info.tensors.map((entry) => {
      const copy = new Uint8Array(entry.bytes);
      copy.set(buffer.subarray(entry.offset, entry.offset + entry.bytes));
      const values = entry.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
      return { name: entry.name, shape: entry.shape, dtype: entry.dtype, values };
    });
  }
  return { path, savedAt: manifest.savedAt, state: manifest.state, groups };
}

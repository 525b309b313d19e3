/**
 * Checkpoints on disk (chapter 5): a folder holding `checkpoint.json` (the
 * trainer's state and a manifest) and one binary file per group of tensors
 * (`model.bin`, `optimizer.bin`, ...).
 *
 * Saving is atomic: everything is written into a temporary sibling folder,
 * each file is flushed to disk (fsync), and only then the folder replaces the
 * old checkpoint by a rename. The previous checkpoint is moved aside to
 * `NAME.previous` first and deleted only after the new one is in place, so an
 * interrupted save never leaves you without a good checkpoint.
 */
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';

/** One tensor's values as plain data (chapter 5). */
export interface StoredTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

/** What a checkpoint holds: JSON state and named groups of tensors (chapter 5). */
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

const MANIFEST = 'checkpoint.json';

/** The folder where the previous checkpoint waits while a new one is being put in place (chapter 5). */
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

function syncDirectory(path: string): void {
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

/**
 * Saves `data` as a checkpoint folder at `directory`, atomically (chapter 5).
 * If anything fails midway the temporary folder is removed and the previous
 * checkpoint at `directory` is untouched.
 */
export function saveCheckpointFolder(directory: string, data: CheckpointData): void {
  const target = resolve(directory);
  const parent = dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const temporary = join(parent, `.${basename(target)}.saving-${process.pid}-${Date.now()}`);
  fs.mkdirSync(temporary);
  try {
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
      writeFileSynced(join(temporary, file), buffer);
      manifest.groups[group] = { file, bytes: total, sha256: createHash('sha256').update(buffer).digest('hex'), tensors: entries };
    }
    // The manifest goes last: a folder without it is never a complete checkpoint.
    writeFileSynced(join(temporary, MANIFEST), new TextEncoder().encode(JSON.stringify(manifest, null, 1)));
    syncDirectory(temporary);
  } catch (error) {
    fs.rmSync(temporary, { recursive: true, force: true });
    throw new Error(`Saving the checkpoint to ${target} failed (${(error as Error).message}); the previous checkpoint, if any, is unchanged.`);
  }
  const previous = previousCheckpointPath(target);
  if (fs.existsSync(target)) {
    fs.rmSync(previous, { recursive: true, force: true });
    fs.renameSync(target, previous);
  }
  fs.renameSync(temporary, target);
  syncDirectory(parent);
  fs.rmSync(previous, { recursive: true, force: true });
}

function corrupt(directory: string, why: string): Error {
  return new Error(
    `The checkpoint in ${directory} is corrupt: ${why}. Delete that folder and resume from an earlier checkpoint, or train from scratch without resumeFrom.`,
  );
}

/**
 * Reads a checkpoint folder (chapter 5). If `directory` is missing but an
 * interrupted save left `directory.previous`, that one is read. Throws a clear
 * error when the folder is missing or corrupt (bad JSON, missing or
 * truncated files, checksum mismatch).
 */
export function loadCheckpointFolder(directory: string): CheckpointData & { path: string; savedAt: string } {
  let path = resolve(directory);
  if (!fs.existsSync(path)) {
    const previous = previousCheckpointPath(path);
    if (fs.existsSync(join(previous, MANIFEST))) path = previous;
    else {
      throw new Error(
        `No checkpoint folder at ${path}. Check the path (it is the checkpoint.directory given to fit), or train from scratch without resumeFrom.`,
      );
    }
  }
  if (!fs.statSync(path).isDirectory()) throw new Error(`${path} is a file, not a checkpoint folder; give the folder that fit's checkpoint.directory created.`);
  const manifestPath = join(path, MANIFEST);
  if (!fs.existsSync(manifestPath)) throw corrupt(path, `${MANIFEST} is missing (the save did not finish, or this is not a checkpoint folder)`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (error) {
    throw corrupt(path, `${MANIFEST} is not valid JSON (${(error as Error).message})`);
  }
  if (manifest.format !== 'dlkit-checkpoint' || typeof manifest.groups !== 'object' || manifest.groups === null) {
    throw corrupt(path, `${MANIFEST} is not a dlkit checkpoint manifest`);
  }
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

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
 *
 * A save only ever replaces a folder that is a checkpoint of ours (its
 * `checkpoint.json` is a dlkit manifest and it holds no file that manifest does
 * not list) or an empty folder; anything else is refused with an error, and
 * the library deletes only files it wrote itself.
 */
import * as fs from 'node:fs';
import type { Tensor } from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { tf } from '../backend/tf';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

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

/** A tensor's values copied out as plain data, to save (chapter 5). */
export function storedTensor(name: string, t: Tensor): StoredTensor {
  const int = t.dtype === 'int32';
  return { name, shape: t.shape, dtype: int ? 'int32' : 'float32', values: int ? Int32Array.from(t.dataSync() as Int32Array) : Float32Array.from(t.dataSync() as Float32Array) };
}

/** A new tensor holding stored values (chapter 5). */
export function tensorFromStored(stored: StoredTensor): Tensor {
  return tf.tensor(stored.values, stored.shape, stored.dtype);
}

/** The folder where the previous checkpoint waits while a new one is being put in place (chapter 5). */
export function previousCheckpointPath(directory: string): string {
  return `${resolve(directory)}.previous`;
}

/** Files a checkpoint of ours may hold: the manifest and one `GROUP.bin` per group of tensors. */
const OUR_BINARY = /^[A-Za-z0-9_-]+\.bin$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The names of the temporary folders that saves of the checkpoint at `target` create (`.NAME.saving-PID-TIME`). */
function temporaryPattern(target: string): RegExp {
  return new RegExp(`^\\.${escapeRegExp(basename(target))}\\.saving-(\\d+)-(\\d+)$`);
}

function listSome(names: string[], count = 5): string {
  const shown = names.slice(0, count).join(', ');
  return names.length > count ? `${shown} and ${names.length - count} more` : shown;
}

/**
 * The files of the checkpoint folder `path` if it is one of ours: its
 * `checkpoint.json` is a dlkit manifest and every entry is that manifest or a
 * `GROUP.bin` file it lists. Otherwise the reason it is not.
 */
function ourFiles(path: string): { files: string[] } | { foreign: string } {
  const entries = fs.readdirSync(path, { withFileTypes: true });
  if (entries.length === 0) return { files: [] };
  const listing = (): string => listSome(entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort());
  const manifestEntry = entries.find((e) => e.name === MANIFEST);
  if (!manifestEntry || !manifestEntry.isFile()) return { foreign: `it holds ${listing()} and no dlkit ${MANIFEST}` };
  let manifest: Partial<Manifest>;
  try {
    manifest = JSON.parse(fs.readFileSync(join(path, MANIFEST), 'utf8')) as Partial<Manifest>;
  } catch {
    return { foreign: `its ${MANIFEST} is not valid JSON (it holds ${listing()})` };
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== 'dlkit-checkpoint' || typeof manifest.groups !== 'object' || manifest.groups === null) {
    return { foreign: `its ${MANIFEST} is not a dlkit checkpoint manifest (it holds ${listing()})` };
  }
  const listed = new Set(Object.values(manifest.groups).map((g) => String((g as { file?: unknown }).file)).filter((f) => OUR_BINARY.test(f)));
  const strangers = entries.filter((e) => !(e.isFile() && (e.name === MANIFEST || listed.has(e.name))));
  if (strangers.length > 0) {
    return { foreign: `it holds files that are not part of the checkpoint: ${listSome(strangers.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort())}` };
  }
  return { files: entries.map((e) => e.name) };
}

/**
 * Deletes the checkpoint folder `path` file by file: only the files our
 * manifest lists (or, for a leftover temporary folder, our `.bin` files and
 * manifest), then the folder itself if that left it empty. Never a file the
 * library did not write.
 */
function removeOurFolder(path: string, temporary = false): void {
  if (!fs.existsSync(path)) return;
  let names: string[];
  if (temporary) names = fs.readdirSync(path).filter((n) => n === MANIFEST || OUR_BINARY.test(n));
  else {
    const ours = ourFiles(path);
    if ('foreign' in ours) throw new Error(`Not deleting ${path}: ${ours.foreign}. Move those files somewhere else.`);
    names = ours.files;
  }
  for (const name of names) {
    const file = join(path, name);
    if (fs.lstatSync(file).isFile()) fs.unlinkSync(file);
  }
  try {
    fs.rmdirSync(path);
  } catch {
    // Something we did not write is still in there: leave it (and the folder).
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return false; // Saves are synchronous: none of ours is in progress.
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary folders that killed saves of the checkpoint at `target` left behind (`.NAME.saving-PID-TIME`). */
function removeLeftoverTemporaries(target: string): void {
  const parent = dirname(target);
  const pattern = temporaryPattern(target);
  for (const entry of fs.readdirSync(parent, { withFileTypes: true })) {
    const match = pattern.exec(entry.name);
    if (!match || !entry.isDirectory() || isRunning(Number(match[1]))) continue;
    removeOurFolder(join(parent, entry.name), true);
  }
}

function refuse(target: string, why: string, advice: string): Error {
  return new Error(`Cannot save checkpoints to ${target}: ${why}. ${advice}`);
}

const PICK_ANOTHER = 'A save replaces the whole folder, so give checkpoint.directory a new or empty folder of its own, e.g. "checkpoints/mnist-mlp".';

/** What makes a folder look like a project or the notebooks folder, for the error message. */
function projectHint(path: string): string {
  try {
    const names = fs.readdirSync(path);
    const hints = names.filter((n) => n === 'package.json' || n === '.git' || n.endsWith('.ipynb'));
    return hints.length > 0 ? ` (${listSome(hints, 3)}: it looks like a project or notebooks folder)` : '';
  } catch {
    return '';
  }
}

/**
 * Checks, before training starts, that checkpoints can be saved at
 * `directory` without losing anything (chapter 5). Throws a clear error when
 * `directory` is a file, the working folder or one of its parents, a folder
 * holding anything that is not a checkpoint of ours (the error names a few of
 * the files), when `NAME.previous` is such a folder, or when the parent folder
 * cannot be written (tried by creating and removing a probe folder). An
 * absent or empty folder and an earlier checkpoint are fine. `Trainer.fit`
 * calls it for `checkpoint.directory`.
 */
export function checkCheckpointDirectory(directory: string): void {
  if (typeof directory !== 'string' || directory.trim() === '') {
    throw new Error(`checkpoint.directory must be a folder path, got ${JSON.stringify(directory)}. ${PICK_ANOTHER}`);
  }
  const target = resolve(directory);
  // Where the working folder is, seen from the target: '' (the same), 'a/b' (inside it) or '../x' (elsewhere).
  const fromTarget = relative(target, process.cwd());
  const holdsWorkingFolder = fromTarget === '' || !(fromTarget === '..' || fromTarget.startsWith(`..${sep}`) || isAbsolute(fromTarget));
  if (holdsWorkingFolder) {
    throw refuse(target, `it is the working folder ${process.cwd()} or one of its parents${projectHint(target)}`, PICK_ANOTHER);
  }
  for (const path of [target, previousCheckpointPath(target)]) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      if (code === 'ENOTDIR') throw refuse(target, `part of the path is a file, not a folder`, PICK_ANOTHER);
      throw error;
    }
    const what = path === target ? 'it' : `${path} (where the previous checkpoint waits during a save)`;
    if (stat.isSymbolicLink()) throw refuse(target, `${what} is a symbolic link`, 'Give the real folder, or a new folder of its own.');
    if (!stat.isDirectory()) throw refuse(target, `${what} is a file, not a folder`, PICK_ANOTHER);
    const ours = ourFiles(path);
    if ('foreign' in ours) throw refuse(target, `${what} is not a dlkit checkpoint: ${ours.foreign}${projectHint(path)}`, PICK_ANOTHER);
  }
  probeWritable(dirname(target));
}

/** Creates and removes a probe folder in `parent` (creating `parent` if needed), so that a folder we cannot write is found before training. */
function probeWritable(parent: string): void {
  const probe = join(parent, `.dlkit-write-probe-${process.pid}-${Date.now()}`);
  try {
    fs.mkdirSync(parent, { recursive: true });
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new Error(
        `Cannot save checkpoints in ${parent}: this process may not create folders there (${code}${code === 'EROFS' ? ', a read-only file system' : ', permission denied'}). ` +
          'Give checkpoint.directory a folder you can write to (for example one under your home folder or os.tmpdir()), or make that folder writable (chmod u+w).',
      );
    }
    if (code === 'ENOTDIR' || code === 'EEXIST') throw refuse(parent, 'part of the path is a file, not a folder', PICK_ANOTHER);
    throw new Error(`Cannot save checkpoints in ${parent}: ${(error as Error).message}. ${PICK_ANOTHER}`);
  }
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
 * checkpoint at `directory` is untouched. Refuses (see
 * `checkCheckpointDirectory`) to replace anything but an earlier checkpoint or
 * an empty folder, and first removes the temporary folders that killed saves of
 * this checkpoint left behind.
 */
export function saveCheckpointFolder(directory: string, data: CheckpointData): void {
  const target = resolve(directory);
  const parent = dirname(target);
  checkCheckpointDirectory(target);
  removeLeftoverTemporaries(target);
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
  try {
    if (fs.existsSync(target)) {
      removeOurFolder(previous);
      fs.renameSync(target, previous);
    }
    fs.renameSync(temporary, target);
  } catch (error) {
    removeOurFolder(temporary, true);
    throw error;
  }
  syncDirectory(parent);
  removeOurFolder(previous);
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
